import type { RunStatus } from '../trpc/types';
import { RUN_STATUSES, TRIGGER_KINDS } from './run-status';

/**
 * The runs explorer's filters, kept in the address so a link shows the same list:
 * `/runs?flow=<id>&flow=<id>&status=failed&trigger=webhook&range=24h&q=acme&sort=duration&order=asc`
 * (custom times: `range=custom&from=<ISO>&to=<ISO>`; durations in seconds: `dmin=5&dmax=60`).
 */

export const RANGES = {
  '1h': { label: 'Last hour', ms: 3_600_000 },
  '24h': { label: 'Last 24 hours', ms: 86_400_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000 },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000 },
} as const;
export type RangeKey = keyof typeof RANGES;

export interface RunFilters {
  flowIds: string[];
  statuses: RunStatus[];
  triggers: string[];
  /** A preset, 'custom' (from/to), or null: any time. */
  range: RangeKey | 'custom' | null;
  from: string | null;
  to: string | null;
  /** Seconds. */
  minSec: number | null;
  maxSec: number | null;
  q: string;
  sort: 'createdAt' | 'duration';
  order: 'asc' | 'desc';
}

export const emptyFilters: RunFilters = {
  flowIds: [],
  statuses: [],
  triggers: [],
  range: null,
  from: null,
  to: null,
  minSec: null,
  maxSec: null,
  q: '',
  sort: 'createdAt',
  order: 'desc',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function seconds(v: string | null): number | null {
  if (v === null || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

function date(v: string | null): string | null {
  return v && !Number.isNaN(Date.parse(v)) ? v : null;
}

interface ParamsLike {
  get(name: string): string | null;
  getAll(name: string): string[];
}

export function parseFilters(params: ParamsLike): RunFilters {
  const range = params.get('range');
  return {
    flowIds: params.getAll('flow').filter((id) => UUID.test(id)),
    statuses: params.getAll('status').filter((s): s is RunStatus => (RUN_STATUSES as readonly string[]).includes(s)),
    triggers: params.getAll('trigger').filter((t) => (TRIGGER_KINDS as readonly string[]).includes(t)),
    range: range && (range in RANGES || range === 'custom') ? (range as RangeKey | 'custom') : null,
    from: date(params.get('from')),
    to: date(params.get('to')),
    minSec: seconds(params.get('dmin')),
    maxSec: seconds(params.get('dmax')),
    q: (params.get('q') ?? '').slice(0, 200),
    sort: params.get('sort') === 'duration' ? 'duration' : 'createdAt',
    order: params.get('order') === 'asc' ? 'asc' : 'desc',
  };
}

export function filtersToParams(f: RunFilters): URLSearchParams {
  const p = new URLSearchParams();
  for (const id of f.flowIds) p.append('flow', id);
  for (const s of f.statuses) p.append('status', s);
  for (const t of f.triggers) p.append('trigger', t);
  if (f.range) p.set('range', f.range);
  if (f.range === 'custom') {
    if (f.from) p.set('from', f.from);
    if (f.to) p.set('to', f.to);
  }
  if (f.minSec !== null) p.set('dmin', String(f.minSec));
  if (f.maxSec !== null) p.set('dmax', String(f.maxSec));
  if (f.q.trim()) p.set('q', f.q.trim());
  if (f.sort !== 'createdAt') p.set('sort', f.sort);
  if (f.order !== 'desc') p.set('order', f.order);
  return p;
}

/** How many filters narrow the list (sorting is not a filter). */
export function activeFilterCount(f: RunFilters, lockedFlow = false): number {
  return (
    (!lockedFlow && f.flowIds.length ? 1 : 0) +
    (f.statuses.length ? 1 : 0) +
    (f.triggers.length ? 1 : 0) +
    (f.range ? 1 : 0) +
    (f.minSec !== null || f.maxSec !== null ? 1 : 0) +
    (f.q.trim() ? 1 : 0)
  );
}

/** The `monitoring.runs` input for these filters; `anchor` is "now" for the time presets. */
export function toQueryInput(f: RunFilters, anchor: number, lockedFlowId?: string) {
  const flowIds = lockedFlowId ? [lockedFlowId] : f.flowIds;
  let from: Date | undefined;
  let to: Date | undefined;
  if (f.range && f.range !== 'custom') from = new Date(anchor - RANGES[f.range].ms);
  if (f.range === 'custom') {
    if (f.from) from = new Date(f.from);
    if (f.to) to = new Date(f.to);
  }
  return {
    ...(flowIds.length ? { flowIds } : {}),
    ...(f.statuses.length ? { statuses: f.statuses } : {}),
    ...(f.triggers.length ? { triggerKinds: f.triggers } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(f.minSec !== null ? { durationMinMs: Math.round(f.minSec * 1000) } : {}),
    ...(f.maxSec !== null ? { durationMaxMs: Math.round(f.maxSec * 1000) } : {}),
    ...(f.q.trim() ? { search: f.q.trim() } : {}),
    sort: f.sort,
    order: f.order,
    limit: 50,
  };
}
