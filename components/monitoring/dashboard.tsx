'use client';

import { useId, type ReactNode } from 'react';
import Link from 'next/link';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { BarChart3, BellRing, Database, Hourglass, ListChecks, TriangleAlert } from 'lucide-react';
import { PageHeader } from '../app-shell/page-header';
import { useTRPC } from '../trpc/client';
import { cn } from '../ui/cn';
import { ErrorNotice } from '../ui/error-notice';
import { formatDuration, formatRelative, plural } from '../ui/format';
import { Select } from '../ui/select';
import { Spinner } from '../ui/spinner';
import { formatBytes, formatNumber, formatPercent } from '../runs/format';
import { LiveIndicator } from '../runs/live-indicator';
import { useRunStream } from '../runs/use-run-stream';
import { ChartPatterns, RunsChart, type DashboardStats } from './runs-chart';
import { useFlowParam } from './use-flow-param';

const RANGES = [
  { value: '1h', label: 'Last hour', short: '1 hour' },
  { value: '24h', label: 'Last 24 hours', short: '24 hours' },
  { value: '7d', label: 'Last 7 days', short: '7 days' },
  { value: '30d', label: 'Last 30 days', short: '30 days' },
] as const;
type Range = (typeof RANGES)[number]['value'];

const linkClass = 'font-medium text-indigo-600 hover:underline dark:text-indigo-400';

/** Runs explorer address for a failing flow or agent, in the dashboard's range. */
function explorerHref(opts: { flowId?: string; range: Range; status?: string }): string {
  const p = new URLSearchParams();
  if (opts.flowId) p.append('flow', opts.flowId);
  if (opts.status) p.append('status', opts.status);
  p.set('range', opts.range);
  return `/runs?${p.toString()}`;
}

export function Dashboard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { flowId, params, replaceQuery } = useFlowParam();
  const rangeParam = params.get('range');
  const range: Range = RANGES.some((r) => r.value === rangeParam) ? (rangeParam as Range) : '24h';
  const rangeInfo = RANGES.find((r) => r.value === range)!;

  const setParams = (next: { flow?: string | null; range?: Range }) => {
    const p = new URLSearchParams();
    const f = next.flow === undefined ? flowId : next.flow;
    const r = next.range ?? range;
    if (f) p.set('flow', f);
    if (r !== '24h') p.set('range', r);
    replaceQuery(p);
  };

  const flows = useQuery(trpc.flows.list.queryOptions());
  const stats = useQuery(
    trpc.monitoring.stats.queryOptions(
      { range, ...(flowId ? { flowId } : {}) },
      // Queue depth changes without runs changing: refresh it now and then even when all is quiet.
      { placeholderData: keepPreviousData, refetchInterval: 30_000 },
    ),
  );
  // Runs that start or end refresh the numbers, at most every 5 seconds.
  const stream = useRunStream({
    target: flowId ? { flowId } : {},
    throttleMs: 5_000,
    onChanges: () => void queryClient.invalidateQueries({ queryKey: trpc.monitoring.stats.pathKey() }),
  });
  const flowName = flowId ? flows.data?.find((f) => f.id === flowId)?.name : undefined;

  return (
    <>
      <ChartPatterns />
      <PageHeader
        title="Dashboard"
        description={flowId ? `How “${flowName ?? 'this flow'}” is doing: runs, failures, speed.` : 'How your flows are doing: runs, failures, speed, and the work waiting.'}
        actions={
          <>
            <Link href={flowId ? `/settings/alerts?flow=${flowId}` : '/settings/alerts'} className={cn(linkButton)}>
              <BellRing className="h-4 w-4" aria-hidden />
              Alerts
            </Link>
            <Link href="/settings/retention" className={linkButton}>
              <Database className="h-4 w-4" aria-hidden />
              Data retention
            </Link>
          </>
        }
      />

      <div className="mb-5 flex flex-wrap items-end gap-4">
        <label className="block w-64 text-sm font-medium text-slate-700 dark:text-slate-200">
          Flow
          <Select value={flowId ?? ''} onChange={(e) => setParams({ flow: e.target.value || null })} className="mt-1" data-testid="dashboard-flow">
            <option value="">All flows</option>
            {flows.data?.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
            {flowId && flows.data && !flowName && <option value={flowId}>A flow that no longer exists</option>}
          </Select>
        </label>
        <RangePicker value={range} onChange={(r) => setParams({ range: r })} />
        <span className="ml-auto flex items-center gap-3 pb-2">
          {stats.isFetching && <Spinner label="Refreshing" />}
          <LiveIndicator state={stream} />
        </span>
      </div>

      {stats.isError && !stats.data && (
        <ErrorNotice title="The numbers could not be loaded." error={stats.error}>
          <button type="button" className="font-medium underline" onClick={() => void stats.refetch()}>
            Try again
          </button>
        </ErrorNotice>
      )}
      {stats.isPending && <div className="h-96 animate-pulse rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900" aria-hidden />}
      {stats.data && (
        <div className={cn('space-y-5', stats.isPlaceholderData && 'opacity-60')} data-testid="dashboard">
          <Tiles stats={stats.data} />
          <Card title="Runs over time" icon={BarChart3}>
            {stats.data.totals.total === 0 ? (
              <NoRunsInRange range={range} onLonger={(r) => setParams({ range: r })} />
            ) : (
              <RunsChart stats={stats.data} rangeLabel={rangeInfo.label} />
            )}
          </Card>
          <div className="grid gap-5 lg:grid-cols-2">
            <Card title="Flows that fail most" icon={TriangleAlert}>
              <FailingFlows stats={stats.data} range={range} />
            </Card>
            <Card title="Steps that fail most" icon={TriangleAlert}>
              <FailingAgents stats={stats.data} range={range} flowId={flowId} />
            </Card>
          </div>
          <div className="grid gap-5 lg:grid-cols-2">
            <Card title="Work waiting" icon={Hourglass} description="Steps and schedules waiting for a worker. Shared by every workspace on this Muninn server.">
              <Queues queues={stats.data.queues} />
            </Card>
            <Card title="Stored run data" icon={Database}>
              <Storage storage={stats.data.storage} />
            </Card>
          </div>
        </div>
      )}
    </>
  );
}

const linkButton =
  'inline-flex h-9 items-center gap-2 rounded-lg border border-slate-300 bg-white px-3.5 text-sm font-medium shadow-sm hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800';

function RangePicker({ value, onChange }: { value: Range; onChange: (r: Range) => void }) {
  const name = useId();
  return (
    <fieldset>
      <legend className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-200">Time range</legend>
      <div className="inline-flex rounded-lg border border-slate-300 bg-white p-0.5 dark:border-slate-700 dark:bg-slate-900" data-testid="dashboard-range">
        {RANGES.map((r) => (
          <label
            key={r.value}
            className={cn(
              'cursor-pointer rounded-md px-3 py-1.5 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-500',
              value === r.value ? 'bg-indigo-600 font-medium text-white' : 'text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800',
            )}
          >
            <input type="radio" name={name} value={r.value} checked={value === r.value} onChange={() => onChange(r.value)} className="sr-only" />
            {r.short}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function Card({ title, icon: Icon, description, children }: { title: string; icon: typeof BarChart3; description?: string; children: ReactNode }) {
  return (
    <section className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900" aria-label={title}>
      <h2 className="flex items-center gap-2 font-semibold">
        <Icon className="h-4 w-4 text-slate-400" aria-hidden />
        {title}
      </h2>
      {description && <p className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">{description}</p>}
      <div className="mt-3">{children}</div>
    </section>
  );
}

function Tile({ label, value, sub, tone = 'neutral', testId }: { label: string; value: string; sub?: ReactNode; tone?: 'neutral' | 'good' | 'warn' | 'bad'; testId?: string }) {
  return (
    <div
      className={cn(
        'rounded-xl border bg-white p-4 dark:bg-slate-900',
        tone === 'bad' ? 'border-rose-200 dark:border-rose-900' : tone === 'warn' ? 'border-amber-200 dark:border-amber-900' : 'border-slate-200 dark:border-slate-800',
      )}
      data-testid={testId}
    >
      <p className="text-xs font-medium text-slate-500 dark:text-slate-400">{label}</p>
      <p className="mt-1 text-2xl font-semibold tabular-nums">{value}</p>
      {sub && <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">{sub}</p>}
    </div>
  );
}

function Tiles({ stats }: { stats: DashboardStats }) {
  const t = stats.totals;
  const rate = stats.successRate;
  const tone = rate === null ? 'neutral' : rate >= 0.95 ? 'good' : rate >= 0.8 ? 'warn' : 'bad';
  const verdict = rate === null ? 'No run finished yet' : rate >= 0.95 ? 'Healthy' : rate >= 0.8 ? 'Some runs fail' : 'Many runs fail';
  const waiting = stats.queues.reduce((n, q) => n + q.waiting, 0);
  const oldest = stats.queues.reduce<number | null>((m, q) => (q.oldestWaitingSeconds === null ? m : Math.max(m ?? 0, q.oldestWaitingSeconds)), null);
  return (
    <div className="grid grid-cols-2 gap-3 md:grid-cols-5">
      <Tile label="Runs" value={formatNumber(t.total)} sub={`${formatNumber(t.succeeded)} succeeded · ${formatNumber(t.failed)} failed`} testId="tile-runs" />
      <Tile label="Success rate" value={formatPercent(rate)} sub={verdict} tone={tone} testId="tile-success" />
      <Tile label="Typical duration" value={formatDuration(stats.durationMs.p50)} sub="Half of the runs were quicker" testId="tile-p50" />
      <Tile label="Slowest runs" value={formatDuration(stats.durationMs.p95)} sub="95 in 100 runs were quicker" testId="tile-p95" />
      <Tile
        label="Waiting to run"
        value={stats.queues.length ? formatNumber(waiting) : '—'}
        sub={!stats.queues.length ? 'Not available right now' : oldest === null ? 'Nothing is waiting' : `Oldest waiting ${formatDuration(oldest * 1000)}`}
        tone={oldest !== null && oldest > 300 ? 'warn' : 'neutral'}
        testId="tile-queue"
      />
    </div>
  );
}

function NoRunsInRange({ range, onLonger }: { range: Range; onLonger: (r: Range) => void }) {
  const longer = RANGES[RANGES.findIndex((r) => r.value === range) + 1];
  return (
    <div className="flex flex-col items-center py-10 text-center" data-testid="dashboard-empty">
      <ListChecks className="mb-3 h-8 w-8 text-slate-300" aria-hidden />
      <p className="font-medium">No runs yet in this range</p>
      <p className="mt-1 max-w-md text-sm text-slate-600 dark:text-slate-400">
        {longer ? (
          <>
            <button type="button" className={linkClass} onClick={() => onLonger(longer.value)}>
              Look at the {longer.label.toLowerCase()}
            </button>
            , or{' '}
          </>
        ) : null}
        <Link href="/flows" className={linkClass}>
          open your flows
        </Link>{' '}
        and press <strong>Run</strong> to see numbers here.
      </p>
    </div>
  );
}

function Meter({ ratio, label }: { ratio: number; label: string }) {
  return (
    <span className="block h-1.5 w-full overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800" role="img" aria-label={label}>
      <span className="block h-full rounded-full bg-rose-500" style={{ width: `${Math.max(2, Math.min(100, ratio * 100))}%`, backgroundImage: 'repeating-linear-gradient(135deg, rgba(255,255,255,0.4) 0 2px, transparent 2px 5px)' }} />
    </span>
  );
}

function FailingFlows({ stats, range }: { stats: DashboardStats; range: Range }) {
  if (stats.topFailingFlows.length === 0) {
    return <p className="text-sm text-slate-600 dark:text-slate-400">No flow failed in this range.</p>;
  }
  return (
    <ol className="space-y-3" data-testid="failing-flows">
      {stats.topFailingFlows.map((f) => (
        <li key={f.flowId}>
          <div className="flex items-baseline gap-2 text-sm">
            <Link href={explorerHref({ flowId: f.flowId, status: 'failed', range })} className={cn(linkClass, 'min-w-0 truncate')}>
              {f.flowName || 'A deleted flow'}
            </Link>
            <span className="ml-auto shrink-0 text-slate-600 tabular-nums dark:text-slate-400">
              {formatNumber(f.failed)} of {formatNumber(f.total)} failed ({formatPercent(f.failureRate)})
            </span>
          </div>
          <div className="mt-1 flex items-center gap-2">
            <Meter ratio={f.failureRate} label={`${formatPercent(f.failureRate)} of runs failed`} />
            <Link href={`/settings/alerts?flow=${f.flowId}`} className="shrink-0 text-xs text-slate-500 hover:underline">
              Alert me
            </Link>
          </div>
        </li>
      ))}
    </ol>
  );
}

function FailingAgents({ stats, range, flowId }: { stats: DashboardStats; range: Range; flowId?: string }) {
  if (stats.topFailingAgents.length === 0) {
    return <p className="text-sm text-slate-600 dark:text-slate-400">No step failed for good in this range.</p>;
  }
  const max = Math.max(...stats.topFailingAgents.map((a) => a.failed));
  return (
    <>
      <ol className="space-y-3" data-testid="failing-agents">
        {stats.topFailingAgents.map((a) => (
          <li key={a.agentType}>
            <div className="flex items-baseline gap-2 text-sm">
              <span className="min-w-0 truncate font-medium">{a.agentName}</span>
              <span className="ml-auto shrink-0 text-slate-600 tabular-nums dark:text-slate-400">{plural(a.failed, 'failed step')}</span>
            </div>
            <div className="mt-1">
              <Meter ratio={a.failed / max} label={plural(a.failed, 'failed step')} />
            </div>
          </li>
        ))}
      </ol>
      <p className="mt-3 text-xs text-slate-500">
        Steps that failed after all their retries.{' '}
        <Link href={explorerHref({ flowId, status: 'failed', range })} className={linkClass}>
          See the failed runs
        </Link>
      </p>
    </>
  );
}

const queueNames: Record<string, string> = { steps: 'Steps of runs', schedules: 'Scheduled starts' };

function Queues({ queues }: { queues: DashboardStats['queues'] }) {
  if (queues.length === 0) {
    return <p className="text-sm text-slate-600 dark:text-slate-400">The queue numbers cannot be read right now (the queue server did not answer). Runs may still be working.</p>;
  }
  return (
    <table className="w-full text-left text-sm tabular-nums" data-testid="queues">
      <thead className="text-xs text-slate-500">
        <tr>
          <th scope="col" className="py-1 pr-2 font-medium">
            Queue
          </th>
          <th scope="col" className="py-1 pr-2 text-right font-medium" title="Ready to start, waiting for a free worker">
            Waiting
          </th>
          <th scope="col" className="py-1 pr-2 text-right font-medium" title="Being worked on now">
            Running
          </th>
          <th scope="col" className="py-1 pr-2 text-right font-medium" title="Waiting for their time: retries after a failure, Delay steps">
            Later
          </th>
          <th scope="col" className="py-1 pr-2 text-right font-medium" title="Jobs that failed (the runs keep the details)">
            Failed
          </th>
          <th scope="col" className="py-1 text-right font-medium">
            Oldest waiting
          </th>
        </tr>
      </thead>
      <tbody>
        {queues.map((q) => (
          <tr key={q.queue} className="border-t border-slate-100 dark:border-slate-800">
            <th scope="row" className="py-1.5 pr-2 font-normal">
              {queueNames[q.queue] ?? q.queue}
            </th>
            <td className="py-1.5 pr-2 text-right">{formatNumber(q.waiting)}</td>
            <td className="py-1.5 pr-2 text-right">{formatNumber(q.active)}</td>
            <td className="py-1.5 pr-2 text-right">{formatNumber(q.delayed)}</td>
            <td className="py-1.5 pr-2 text-right">{formatNumber(q.failed)}</td>
            <td className={cn('py-1.5 text-right', (q.oldestWaitingSeconds ?? 0) > 300 && 'font-medium text-amber-700 dark:text-amber-400')}>
              {q.oldestWaitingSeconds === null ? '—' : formatDuration(q.oldestWaitingSeconds * 1000)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const tableNames: Record<string, string> = { Run: 'Runs', NodeRun: 'Steps', Event: 'Data of events' };

function Storage({ storage }: { storage: DashboardStats['storage'] }) {
  const ws = storage.workspace;
  const total = ws.eventPayloadBytes + ws.stepLogBytes;
  return (
    <div className="space-y-3 text-sm" data-testid="storage">
      <p>
        This workspace keeps <strong className="tabular-nums">{formatBytes(total)}</strong> of run data
        {ws.estimated ? ' (estimated from a sample)' : ''}: {formatBytes(ws.eventPayloadBytes)} of event data and {formatBytes(ws.stepLogBytes)} of step logs.
      </p>
      <details>
        <summary className="cursor-pointer text-slate-600 dark:text-slate-400">On disk, for the whole server</summary>
        <ul className="mt-1 space-y-0.5 text-slate-600 tabular-nums dark:text-slate-400">
          {storage.tables.map((t) => (
            <li key={t.table}>
              {tableNames[t.table] ?? t.table}: {formatBytes(t.bytes)}
            </li>
          ))}
        </ul>
      </details>
      <p className="text-xs text-slate-500">
        Measured {formatRelative(new Date(ws.measuredAt))}.{' '}
        <Link href="/settings/retention" className={linkClass}>
          Choose how long runs are kept
        </Link>
      </p>
    </div>
  );
}
