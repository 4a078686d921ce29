'use client';

import type { CSSProperties } from 'react';
import type { RunDetail, RunStep } from '../trpc/types';
import { cn } from '../ui/cn';
import { formatDuration } from '../ui/format';
import { isActiveStatus, statusMeta } from './run-status';
import { useNow } from './use-now';

/**
 * A Gantt chart of a run: one row per step, bars placed by when each try started and ended.
 * Colour is never the only signal: failed tries are striped, cancelled ones dotted, a wait before
 * a retry is a dashed outline, and every row says in words what happened.
 */

type SegmentKind = 'succeeded' | 'failed' | 'earlier' | 'cancelled' | 'running' | 'waiting';

interface Segment {
  kind: SegmentKind;
  start: number;
  end: number;
  label: string;
  /** For the tooltip: the reason of a failed try. */
  detail?: string;
}

const stripes = 'repeating-linear-gradient(135deg, rgba(255,255,255,0.45) 0 3px, transparent 3px 7px)';
const dots = 'radial-gradient(rgba(255,255,255,0.7) 1px, transparent 1.3px)';

export const segmentStyle: Record<SegmentKind, { className: string; style?: CSSProperties; legend: string }> = {
  succeeded: { className: 'bg-emerald-500 dark:bg-emerald-600', legend: 'Succeeded' },
  failed: { className: 'bg-rose-600 dark:bg-rose-500', style: { backgroundImage: stripes }, legend: 'Failed (striped)' },
  earlier: { className: 'bg-rose-300 dark:bg-rose-800', style: { backgroundImage: stripes }, legend: 'A try that failed and was retried' },
  cancelled: { className: 'bg-amber-400 dark:bg-amber-600', style: { backgroundImage: dots, backgroundSize: '5px 5px' }, legend: 'Cancelled (dotted)' },
  running: { className: 'bg-sky-500 animate-pulse', legend: 'Running' },
  waiting: { className: 'border-2 border-dashed border-amber-500 bg-amber-50 dark:bg-amber-950', legend: 'Waiting to be retried (dashed)' },
};

function time(d: Date | string | null | undefined): number | null {
  if (!d) return null;
  const t = new Date(d).getTime();
  return Number.isNaN(t) ? null : t;
}

/** The tries of a step, oldest first; the last one is the current state. */
export function stepSegments(step: RunStep, now: number, runActive: boolean): Segment[] {
  const segments: Segment[] = [];
  const tries = [...step.attempts].sort((a, b) => (time(a.startedAt) ?? 0) - (time(b.startedAt) ?? 0));
  for (const a of tries) {
    const start = time(a.startedAt);
    const end = time(a.finishedAt);
    if (start === null || end === null) continue;
    segments.push({ kind: 'earlier', start, end, label: 'failed, retried', detail: a.error });
  }
  const start = time(step.startedAt);
  const end = time(step.finishedAt);
  if (start !== null) {
    // While a step waits for its retry, its record holds the try that just failed (also in attempts).
    const duplicate = segments.some((s) => s.start === start);
    if (!duplicate) {
      const kind: SegmentKind =
        step.status === 'succeeded' ? 'succeeded' : step.status === 'cancelled' ? 'cancelled' : step.status === 'running' ? 'running' : step.status === 'retrying' ? 'earlier' : 'failed';
      segments.push({
        kind,
        start,
        end: end ?? now,
        label: step.status === 'retrying' ? 'failed, will retry' : statusMeta(step.status).label.toLowerCase(),
        detail: step.error ?? undefined,
      });
    }
  }
  if (step.status === 'retrying' && runActive && segments.length > 0) {
    const last = Math.max(...segments.map((s) => s.end));
    if (now > last) segments.push({ kind: 'waiting', start: last, end: now, label: 'waiting to retry' });
  }
  return segments;
}

function describeRow(step: RunStep, segments: Segment[], t0: number): string {
  const tries = segments.filter((s) => s.kind !== 'waiting');
  const first = tries[0];
  const last = tries[tries.length - 1];
  const parts = [`${step.nodeLabel}: ${statusMeta(step.status).label.toLowerCase()}`];
  if (first) parts.push(`started ${formatDuration(first.start - t0)} into the run`);
  if (last) parts.push(`took ${formatDuration(last.end - last.start)}`);
  if (tries.length > 1) parts.push(`${tries.length} tries`);
  return parts.join(', ');
}

const MAX_ROWS = 200;

export function RunTimeline({ run, onSelectStep }: { run: RunDetail; onSelectStep?: (step: RunStep) => void }) {
  const active = isActiveStatus(run.status) || run.steps.some((s) => s.status === 'retrying');
  const now = useNow(active);
  const steps = run.steps.slice(0, MAX_ROWS);
  const rows = steps.map((step) => ({ step, segments: stepSegments(step, now, isActiveStatus(run.status)) }));

  const starts = [time(run.startedAt), ...rows.flatMap((r) => r.segments.map((s) => s.start))].filter((t): t is number => t !== null);
  const ends = [time(run.finishedAt), ...rows.flatMap((r) => r.segments.map((s) => s.end))].filter((t): t is number => t !== null);
  const t0 = starts.length ? Math.min(...starts) : now;
  const t1 = Math.max(active ? now : 0, ends.length ? Math.max(...ends) : t0);
  const span = Math.max(1, t1 - t0);
  const pct = (t: number) => ((t - t0) / span) * 100;
  const ticks = [0, 0.25, 0.5, 0.75, 1];

  return (
    <div data-testid="run-timeline">
      <div className="grid grid-cols-[minmax(8rem,14rem)_1fr] gap-x-3">
        <div aria-hidden />
        <div className="relative mb-1 h-4 text-[11px] text-slate-500 tabular-nums dark:text-slate-400" aria-hidden>
          {ticks.map((f) => (
            <span
              key={f}
              className={cn('absolute top-0 whitespace-nowrap', f === 0 ? '' : f === 1 ? '-translate-x-full' : '-translate-x-1/2')}
              style={{ left: `${f * 100}%` }}
            >
              {formatDuration(f * span)}
            </span>
          ))}
        </div>
      </div>
      <ol className="space-y-1" aria-label="Timeline of the steps">
        {rows.map(({ step, segments }, i) => (
          <li key={step.id} className="grid grid-cols-[minmax(8rem,14rem)_1fr] items-center gap-x-3" data-testid={`timeline-row-${step.nodeId}`} data-status={step.status}>
            <button
              type="button"
              onClick={() => onSelectStep?.(step)}
              className="flex min-w-0 items-center gap-1.5 rounded px-1 py-0.5 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800"
              title={`Show step ${i + 1}: ${step.nodeLabel}`}
            >
              <StepStatusIcon status={step.status} />
              <span className="truncate">{step.nodeLabel}</span>
              <span className="sr-only">. {describeRow(step, segments, t0)}</span>
            </button>
            <div className="relative h-6 rounded bg-slate-100 dark:bg-slate-800/60" aria-hidden>
              {ticks.slice(1, -1).map((f) => (
                <span key={f} className="absolute top-0 bottom-0 border-l border-white dark:border-slate-900" style={{ left: `${f * 100}%` }} />
              ))}
              {segments.map((s, j) => {
                const look = segmentStyle[s.kind];
                const width = Math.max(0, pct(s.end) - pct(s.start));
                return (
                  <span
                    key={j}
                    data-kind={s.kind}
                    title={`Try ${j + 1}: ${s.label}, ${formatDuration(s.end - s.start)}${s.detail ? ` — ${s.detail}` : ''}`}
                    className={cn('absolute top-1 bottom-1 min-w-[3px] overflow-hidden rounded-sm', look.className)}
                    style={{ ...look.style, left: `${Math.min(pct(s.start), 99.5)}%`, width: `${width}%` }}
                  />
                );
              })}
            </div>
          </li>
        ))}
      </ol>
      {run.steps.length > MAX_ROWS && (
        <p className="mt-2 text-xs text-slate-500">The first {MAX_ROWS} of {run.steps.length} steps are drawn; every step is listed below.</p>
      )}
      <ul className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-400" aria-label="Legend">
        {(['succeeded', 'failed', 'earlier', 'waiting', 'cancelled'] as const).map((k) => (
          <li key={k} className="flex items-center gap-1.5">
            <span className={cn('inline-block h-3 w-5 rounded-sm', segmentStyle[k].className)} style={segmentStyle[k].style} aria-hidden />
            {segmentStyle[k].legend}
          </li>
        ))}
      </ul>
    </div>
  );
}

function StepStatusIcon({ status }: { status: RunStep['status'] }) {
  const m = statusMeta(status);
  const Icon = m.icon;
  const colour = {
    green: 'text-emerald-600 dark:text-emerald-400',
    red: 'text-rose-600 dark:text-rose-400',
    amber: 'text-amber-600 dark:text-amber-400',
    blue: 'text-sky-600 dark:text-sky-400',
    neutral: 'text-slate-500',
    indigo: 'text-indigo-600',
  }[m.tone];
  return <Icon className={cn('h-4 w-4 shrink-0', colour, status === 'running' && 'animate-spin')} aria-label={m.label} role="img" />;
}

export { StepStatusIcon };
