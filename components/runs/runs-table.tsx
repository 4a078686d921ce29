import Link from 'next/link';
import type { RunSummary } from '../trpc/types';
import { cn } from '../ui/cn';
import { formatDateTime, formatDuration, formatRelative } from '../ui/format';
import { RunStatusBadge, triggerLabel } from './run-status';

interface RunsTableProps {
  runs: RunSummary[];
  compact?: boolean;
  className?: string;
}

/** Runs as rows: status, trigger, when, duration, and the error in a line. Each row opens its run. */
export function RunsTable({ runs, compact, className }: RunsTableProps) {
  const cell = compact ? 'px-3 py-1.5' : 'px-4 py-2.5';
  return (
    <table className={cn('w-full text-left text-sm', className)} data-testid="runs-table">
      <thead className="text-xs tracking-wide text-slate-500 uppercase dark:text-slate-400">
        <tr>
          <th scope="col" className={cn(cell, 'font-medium')}>
            Status
          </th>
          <th scope="col" className={cn(cell, 'font-medium')}>
            Started by
          </th>
          <th scope="col" className={cn(cell, 'font-medium')}>
            When
          </th>
          <th scope="col" className={cn(cell, 'font-medium')}>
            Duration
          </th>
          <th scope="col" className={cn(cell, 'font-medium')}>
            <span className="sr-only">Details</span>
          </th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
        {runs.map((run) => {
          const when = run.startedAt ?? run.createdAt;
          return (
            <tr key={run.id} data-testid={`run-row-${run.id}`} data-status={run.status} className="hover:bg-slate-50 dark:hover:bg-slate-800/50">
              <td className={cell}>
                <RunStatusBadge status={run.status} waiting={run.waiting} />
              </td>
              <td className={cell}>{triggerLabel(run.triggerKind)}</td>
              <td className={cell}>
                <time dateTime={when.toISOString()} title={formatDateTime(when)}>
                  {formatRelative(when)}
                </time>
              </td>
              <td className={cn(cell, 'tabular-nums')}>{formatDuration(run.durationMs)}</td>
              <td className={cn(cell, 'max-w-72')}>
                <div className="flex items-center justify-end gap-3">
                  {run.error && (
                    <span className="truncate text-xs text-rose-600 dark:text-rose-400" title={run.error}>
                      {run.error}
                    </span>
                  )}
                  <Link
                    href={`/runs/${run.id}`}
                    data-testid="run-link"
                    className="shrink-0 font-medium text-indigo-600 hover:underline dark:text-indigo-400"
                  >
                    View<span className="sr-only"> run from {formatDateTime(when)}</span>
                  </Link>
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
