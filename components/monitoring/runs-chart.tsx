'use client';

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { RouterOutputs } from '../trpc/types';
import { formatNumber } from '../runs/format';
import { statusMeta } from '../runs/run-status';

export type DashboardStats = RouterOutputs['monitoring']['stats'];
type Bucket = DashboardStats['buckets'][number];

/**
 * Runs per time bucket, stacked by status. Colour is not the only signal: failed runs are striped,
 * cancelled ones dotted, the legend and tooltip name every status, and a sentence under the chart
 * (plus a table on demand) says the same in words.
 */

// Status words come from the one mapping every run list uses; "queued" here counts every run not
// started yet, whether waiting for a worker or for its turn, so it is the plain "Waiting".
const SERIES = (
  [
    { key: 'succeeded', fill: 'var(--color-emerald-500)' },
    { key: 'failed', fill: 'url(#muninn-pattern-failed)' },
    { key: 'cancelled', fill: 'url(#muninn-pattern-cancelled)' },
    { key: 'running', fill: 'var(--color-sky-500)' },
    { key: 'queued', fill: 'var(--color-slate-400)' },
  ] as const
).map((s) => ({ ...s, label: statusMeta(s.key).label }));

const timeFmt = new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dayHourFmt = new Intl.DateTimeFormat('en', { weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dayFmt = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric' });

export function bucketLabel(start: Date, stats: Pick<DashboardStats, 'bucket' | 'range'>): string {
  if (stats.bucket === 'day') return dayFmt.format(start);
  if (stats.range === '7d') return dayHourFmt.format(start);
  return timeFmt.format(start);
}

/** The SVG patterns the bars use; ids are global to the page, so one copy serves every chart. */
export function ChartPatterns() {
  return (
    <svg width="0" height="0" className="absolute" aria-hidden focusable="false">
      <defs>
        <pattern id="muninn-pattern-failed" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
          <rect width="6" height="6" fill="var(--color-rose-500)" />
          <rect width="2.5" height="6" fill="var(--color-rose-300)" />
        </pattern>
        <pattern id="muninn-pattern-cancelled" patternUnits="userSpaceOnUse" width="5" height="5">
          <rect width="5" height="5" fill="var(--color-amber-400)" />
          <circle cx="2.5" cy="2.5" r="1" fill="var(--color-amber-100)" />
        </pattern>
      </defs>
    </svg>
  );
}

function TooltipBody({ active, payload, label }: { active?: boolean; payload?: Array<{ dataKey?: unknown; value?: unknown }>; label?: unknown }) {
  if (!active || !payload?.length) return null;
  const total = payload.reduce((n, p) => n + (Number(p.value) || 0), 0);
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-3 py-2 text-xs shadow-md dark:border-slate-700 dark:bg-slate-900">
      <p className="mb-1 font-medium">
        {String(label)} · {formatNumber(total)} {total === 1 ? 'run' : 'runs'}
      </p>
      <ul className="space-y-0.5">
        {SERIES.map((s) => {
          const v = Number(payload.find((p) => p.dataKey === s.key)?.value ?? 0);
          return v > 0 ? (
            <li key={s.key}>
              {s.label}: {formatNumber(v)}
            </li>
          ) : null;
        })}
      </ul>
    </div>
  );
}

export function summarize(stats: DashboardStats, rangeLabel: string): string {
  const t = stats.totals;
  if (t.total === 0) return `No runs ${rangeLabel.toLowerCase()}.`;
  const parts = [
    `${formatNumber(t.succeeded)} succeeded`,
    `${formatNumber(t.failed)} failed`,
    ...(t.cancelled ? [`${formatNumber(t.cancelled)} cancelled`] : []),
    ...(t.running + t.queued ? [`${formatNumber(t.running + t.queued)} still going`] : []),
  ];
  const busiest = stats.buckets.reduce<Bucket | null>((best, b) => (!best || b.total > best.total ? b : best), null);
  const peak = busiest && busiest.total > 0 ? ` The busiest ${stats.bucket} was ${bucketLabel(busiest.start, stats)} with ${formatNumber(busiest.total)}.` : '';
  return `${rangeLabel}: ${formatNumber(t.total)} ${t.total === 1 ? 'run' : 'runs'} — ${parts.join(', ')}.${peak}`;
}

export function RunsChart({ stats, rangeLabel }: { stats: DashboardStats; rangeLabel: string }) {
  const data = stats.buckets.map((b) => ({ ...b, label: bucketLabel(b.start, stats) }));
  const summary = summarize(stats, rangeLabel);
  const busy = stats.buckets.filter((b) => b.total > 0);
  return (
    <figure data-testid="runs-chart">
      {/* currentColor: grid lines and the hover band follow the light or dark theme. */}
      <div className="h-64 w-full text-slate-200 dark:text-slate-700">
        <BarChart
          responsive
          style={{ width: '100%', height: '100%' }}
          data={data}
          margin={{ top: 8, right: 8, bottom: 0, left: -16 }}
          title={`Runs per ${stats.bucket}, by status`}
          desc={summary}
          barCategoryGap={data.length > 60 ? 0 : '15%'}
        >
          <CartesianGrid vertical={false} stroke="currentColor" strokeDasharray="3 3" />
          <XAxis dataKey="label" tick={{ fontSize: 11, fill: 'var(--color-slate-500)' }} tickLine={false} axisLine={false} minTickGap={24} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: 'var(--color-slate-500)' }} tickLine={false} axisLine={false} />
          <Tooltip content={<TooltipBody />} cursor={{ fill: 'currentColor', opacity: 0.5 }} />
          <Legend
            iconType="square"
            wrapperStyle={{ fontSize: 12 }}
            itemSorter={(item) => SERIES.findIndex((x) => x.key === item.dataKey)}
            formatter={(value) => <span className="text-slate-700 dark:text-slate-300">{value}</span>}
          />
          {SERIES.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} stackId="runs" fill={s.fill} isAnimationActive={false} />
          ))}
        </BarChart>
      </div>
      <figcaption className="mt-2 text-sm text-slate-600 dark:text-slate-400" data-testid="runs-chart-summary">
        {summary}
      </figcaption>
      {busy.length > 0 && (
        <details className="mt-2 text-sm">
          <summary className="cursor-pointer text-indigo-600 dark:text-indigo-400">Show the numbers as a table</summary>
          <div className="mt-2 max-h-64 overflow-auto">
            <table className="w-full text-left text-xs tabular-nums">
              <caption className="sr-only">Runs per {stats.bucket} by status</caption>
              <thead className="text-slate-500">
                <tr>
                  <th scope="col" className="py-1 pr-3 font-medium">
                    {stats.bucket === 'day' ? 'Day' : stats.bucket === 'hour' ? 'Hour' : 'Minute'}
                  </th>
                  {SERIES.map((s) => (
                    <th key={s.key} scope="col" className="py-1 pr-3 font-medium">
                      {s.label}
                    </th>
                  ))}
                  <th scope="col" className="py-1 font-medium">
                    Total
                  </th>
                </tr>
              </thead>
              <tbody>
                {busy.map((b) => (
                  <tr key={b.start.toISOString()} className="border-t border-slate-100 dark:border-slate-800">
                    <th scope="row" className="py-1 pr-3 font-normal">
                      {bucketLabel(b.start, stats)}
                    </th>
                    {SERIES.map((s) => (
                      <td key={s.key} className="py-1 pr-3">
                        {formatNumber(b[s.key])}
                      </td>
                    ))}
                    <td className="py-1">{formatNumber(b.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="mt-1 text-xs text-slate-500">Periods without runs are left out.</p>
          </div>
        </details>
      )}
    </figure>
  );
}
