'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { ArrowDown, ArrowUp, ArrowUpDown } from 'lucide-react';
import type { RouterOutputs } from '../trpc/types';
import { cn } from '../ui/cn';
import { formatDateTime, formatDuration, formatRelative } from '../ui/format';
import { RunStatusBadge, triggerLabel } from './run-status';

export type ExplorerRow = RouterOutputs['monitoring']['runs']['items'][number];

interface ExplorerTableProps {
  rows: ExplorerRow[];
  showFlow: boolean;
  sort: 'createdAt' | 'duration';
  order: 'asc' | 'desc';
  onSort: (sort: 'createdAt' | 'duration') => void;
}

function SortHeader({ label, column, sort, order, onSort, className }: { label: string; column: 'createdAt' | 'duration' } & Pick<ExplorerTableProps, 'sort' | 'order' | 'onSort'> & { className?: string }) {
  const current = sort === column;
  const Icon = !current ? ArrowUpDown : order === 'desc' ? ArrowDown : ArrowUp;
  const next = current ? (order === 'desc' ? 'oldest first' : 'newest first') : 'this column';
  return (
    <th scope="col" aria-sort={current ? (order === 'desc' ? 'descending' : 'ascending') : 'none'} className={cn('px-3 py-2.5 font-medium', className)}>
      <button
        type="button"
        onClick={() => onSort(column)}
        className={cn('inline-flex items-center gap-1 rounded uppercase hover:text-slate-900 dark:hover:text-slate-100', current && 'text-slate-900 dark:text-slate-100')}
        title={column === 'duration' ? 'Sort by how long runs took (runs still going are left out)' : `Sort by ${next}`}
        data-testid={`sort-${column}`}
      >
        {label}
        <Icon className="h-3.5 w-3.5" aria-hidden />
      </button>
    </th>
  );
}

/** The explorer's rows: status in words, flow, when, how long, trigger, steps, error. Each opens its run. */
export function ExplorerTable({ rows, showFlow, sort, order, onSort }: ExplorerTableProps) {
  const router = useRouter();
  return (
    <table className="w-full table-fixed text-left text-sm" data-testid="runs-table">
      <thead className="border-b border-slate-200 text-xs tracking-wide text-slate-500 uppercase dark:border-slate-800 dark:text-slate-400">
        <tr>
          <th scope="col" className="w-32 px-3 py-2.5 font-medium">
            Status
          </th>
          {showFlow && (
            <th scope="col" className="w-48 px-3 py-2.5 font-medium">
              Flow
            </th>
          )}
          <SortHeader label="Started" column="createdAt" sort={sort} order={order} onSort={onSort} className="w-36" />
          <SortHeader label="Duration" column="duration" sort={sort} order={order} onSort={onSort} className="w-28" />
          <th scope="col" className="w-28 px-3 py-2.5 font-medium">
            Started by
          </th>
          <th scope="col" className="w-16 px-3 py-2.5 text-right font-medium">
            Steps
          </th>
          <th scope="col" className="px-3 py-2.5 font-medium">
            <span className="sr-only">Problem and link</span>
          </th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
        {rows.map((run) => {
          const when = run.startedAt ?? run.createdAt;
          const href = `/runs/${run.id}`;
          return (
            <tr
              key={run.id}
              data-testid={`run-row-${run.id}`}
              data-status={run.status}
              className="cursor-pointer hover:bg-slate-50 dark:hover:bg-slate-800/50"
              onClick={(e) => {
                // The row is a shortcut for mouse users; the link in it is the real way in.
                if ((e.target as HTMLElement).closest('a,button')) return;
                router.push(href);
              }}
            >
              <td className="px-3 py-2">
                <RunStatusBadge status={run.status} waiting={run.waiting} />
              </td>
              {showFlow && (
                <td className="truncate px-3 py-2 font-medium" title={run.flowName}>
                  {run.flowName}
                </td>
              )}
              <td className="px-3 py-2">
                <time dateTime={when.toISOString()} title={formatDateTime(when)}>
                  {formatRelative(when)}
                </time>
              </td>
              <td className="px-3 py-2 tabular-nums">{run.durationMs === null ? (run.finishedAt ? '—' : 'going…') : formatDuration(run.durationMs)}</td>
              <td className="truncate px-3 py-2">{triggerLabel(run.triggerKind)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{run.stepCount}</td>
              <td className="px-3 py-2">
                <div className="flex items-center justify-end gap-3">
                  {run.error && (
                    <span className="min-w-0 truncate text-xs text-rose-700 dark:text-rose-400" title={run.error}>
                      {run.error}
                    </span>
                  )}
                  <Link href={href} data-testid="run-link" className="shrink-0 font-medium text-indigo-600 hover:underline dark:text-indigo-400">
                    Open<span className="sr-only"> the run of {run.flowName} from {formatDateTime(when)}</span>
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
