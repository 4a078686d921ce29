import { z } from 'zod';
import { db } from '../../db';
import { notFound } from '../../errors';
import { getAgent } from '../../agents/registry';
import { Prisma } from '../../generated/prisma/client';
import { queueDepths, type QueueDepth } from './queue-depth';
import { runDataStorage, type RunDataStorage } from './storage';

/** The dashboard's numbers for one time range, optionally for one flow. */

export const statsInput = z
  .object({
    flowId: z.string().uuid('That is not a valid flow id').optional(),
    range: z.enum(['1h', '24h', '7d', '30d']).default('24h'),
  })
  .strict();
export type StatsInput = z.input<typeof statsInput>;
export type StatsRange = z.output<typeof statsInput>['range'];

type BucketUnit = 'minute' | 'hour' | 'day';
const RANGES: Record<StatsRange, { unit: BucketUnit; count: number; ms: number }> = {
  '1h': { unit: 'minute', count: 60, ms: 60_000 },
  '24h': { unit: 'hour', count: 24, ms: 3_600_000 },
  '7d': { unit: 'hour', count: 168, ms: 3_600_000 },
  '30d': { unit: 'day', count: 30, ms: 86_400_000 },
};

export interface StatsBucket {
  /** Start of the bucket (UTC); the last bucket is the current, incomplete one. */
  start: Date;
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

export interface DashboardStats {
  range: StatsRange;
  bucket: BucketUnit;
  /** Runs created in [from, to) are counted. */
  from: Date;
  to: Date;
  buckets: StatsBucket[];
  totals: Omit<StatsBucket, 'start'>;
  /** succeeded / (succeeded + failed), 0…1; null when no run finished either way. */
  successRate: number | null;
  /** Of runs that succeeded or failed (finishedAt − startedAt). */
  durationMs: { p50: number | null; p95: number | null };
  topFailingFlows: Array<{ flowId: string; flowName: string; failed: number; total: number; failureRate: number }>;
  /** Steps that failed for good (after their retries), by agent type. */
  topFailingAgents: Array<{ agentType: string; agentName: string; failed: number }>;
  /** Instance-wide queue depth (queues are shared by all workspaces); [] when Redis is unreachable. */
  queues: QueueDepth[];
  storage: RunDataStorage;
}

function emptyCounts(): Omit<StatsBucket, 'start'> {
  return { total: 0, queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
}

/** Buckets aligned to the unit in UTC, oldest first, ending with the one holding `now`. */
function bucketStarts(unit: BucketUnit, count: number, now: Date): Date[] {
  const end = new Date(now);
  if (unit === 'day') end.setUTCHours(0, 0, 0, 0);
  else if (unit === 'hour') end.setUTCMinutes(0, 0, 0);
  else end.setUTCSeconds(0, 0);
  const step = RANGES[unit === 'minute' ? '1h' : unit === 'hour' ? '24h' : '30d'].ms;
  return Array.from({ length: count }, (_, i) => new Date(end.getTime() - (count - 1 - i) * step));
}

function ts(d: Date): Prisma.Sql {
  return Prisma.sql`${d.toISOString().slice(0, 23).replace('T', ' ')}::timestamp`;
}

/** Results that took long to compute are reused briefly; cheap ones are always fresh. */
const SLOW_MS = 250;
const g = globalThis as unknown as { __muninnStatsCache?: Map<string, { until: number; value: RunStats }> };
const statsCache = (g.__muninnStatsCache ??= new Map());

type RunStats = Omit<DashboardStats, 'queues' | 'storage'>;

export async function getDashboardStats(
  workspaceId: string,
  rawInput: StatsInput = {},
  opts: { now?: Date; includeQueues?: boolean } = {},
): Promise<DashboardStats> {
  const input = statsInput.parse(rawInput);
  const now = opts.now ?? new Date();
  if (input.flowId && !(await db().flow.findFirst({ where: { id: input.flowId, workspaceId }, select: { id: true } }))) {
    throw notFound('This flow');
  }
  const key = `${workspaceId}:${input.flowId ?? '*'}:${input.range}`;
  const cached = opts.now ? undefined : statsCache.get(key);
  const [runs, queues, storage] = await Promise.all([
    cached && cached.until > now.getTime()
      ? cached.value
      : (async () => {
          const started = performance.now();
          const value = await runStats(workspaceId, input, now);
          if (performance.now() - started > SLOW_MS) {
            if (statsCache.size > 1_000) statsCache.clear();
            statsCache.set(key, { until: now.getTime() + (input.range === '1h' ? 10_000 : 30_000), value });
          }
          return value;
        })(),
    opts.includeQueues === false
      ? Promise.resolve([])
      : queueDepths(now.getTime()).catch((e: Error) => {
          console.warn(`[monitoring] queue depth unavailable: ${e.message}`);
          return [];
        }),
    runDataStorage(workspaceId),
  ]);
  return { ...runs, queues, storage };
}

async function runStats(workspaceId: string, input: z.output<typeof statsInput>, now: Date): Promise<RunStats> {
  const { unit, count } = RANGES[input.range];
  const starts = bucketStarts(unit, count, now);
  const from = starts[0]!;
  const scope = Prisma.join(
    [
      Prisma.sql`r."workspaceId" = ${workspaceId}::uuid`,
      Prisma.sql`r."createdAt" >= ${ts(from)}`,
      Prisma.sql`r."createdAt" < ${ts(now)}`,
      ...(input.flowId ? [Prisma.sql`r."flowId" = ${input.flowId}::uuid`] : []),
    ],
    ' AND ',
  );

  // One pass over the range's runs gives buckets, totals and failing flows; percentiles need their
  // own sort. At 1M runs a 30-day range reads ~330k rows (docs/benchmarks-runs.md).
  const [groups, percentiles, failingAgents] = await Promise.all([
    db().$queryRaw<Array<{ start: Date; status: string; flowId: string; n: number }>>`
      SELECT date_trunc(${unit}, r."createdAt") AS start, r.status::text AS status, r."flowId", count(*)::int AS n
        FROM "Run" r WHERE ${scope} GROUP BY 1, 2, 3`,
    db().$queryRaw<Array<{ p: Array<{ toString(): string } | null> | null }>>`
      SELECT percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (r."finishedAt" - r."startedAt")) * 1000) AS p
        FROM "Run" r
       WHERE ${scope} AND r.status IN ('succeeded', 'failed') AND r."startedAt" IS NOT NULL AND r."finishedAt" IS NOT NULL`,
    db().$queryRaw<Array<{ agentType: string; failed: number }>>`
      SELECT n."agentType", count(*)::int AS failed
        FROM "NodeRun" n
       WHERE n."workspaceId" = ${workspaceId}::uuid AND n.status = 'failed'
         AND n."startedAt" >= ${ts(from)} AND n."startedAt" < ${ts(now)}
         ${input.flowId ? Prisma.sql`AND EXISTS (SELECT 1 FROM "Run" r WHERE r.id = n."runId" AND r."flowId" = ${input.flowId}::uuid)` : Prisma.empty}
       GROUP BY n."agentType" ORDER BY failed DESC LIMIT 5`,
  ]);

  const byStart = new Map(starts.map((s) => [s.getTime(), { start: s, ...emptyCounts() }]));
  const totals = emptyCounts();
  const perFlow = new Map<string, { failed: number; total: number }>();
  for (const row of groups) {
    const bucket = byStart.get(new Date(row.start).getTime());
    const status = row.status as keyof ReturnType<typeof emptyCounts>;
    totals[status] += row.n;
    totals.total += row.n;
    if (bucket) {
      bucket[status] += row.n;
      bucket.total += row.n;
    }
    const flow = perFlow.get(row.flowId) ?? { failed: 0, total: 0 };
    flow.total += row.n;
    if (status === 'failed') flow.failed += row.n;
    perFlow.set(row.flowId, flow);
  }
  const worst = [...perFlow.entries()]
    .filter(([, f]) => f.failed > 0)
    .sort((a, b) => b[1].failed - a[1].failed || b[1].total - a[1].total)
    .slice(0, 5);
  const names = new Map(
    (await db().flow.findMany({ where: { id: { in: worst.map(([id]) => id) }, workspaceId }, select: { id: true, name: true } })).map((f) => [f.id, f.name]),
  );
  const decided = totals.succeeded + totals.failed;
  const [p50, p95] = (percentiles[0]?.p ?? []).map((v) => (v === null || v === undefined ? null : Math.round(Number(v.toString()))));
  return {
    range: input.range,
    bucket: unit,
    from,
    to: now,
    buckets: [...byStart.values()],
    totals,
    successRate: decided ? totals.succeeded / decided : null,
    durationMs: { p50: p50 ?? null, p95: p95 ?? null },
    topFailingFlows: worst.map(([flowId, f]) => ({ flowId, flowName: names.get(flowId) ?? '', failed: f.failed, total: f.total, failureRate: f.failed / f.total })),
    topFailingAgents: failingAgents.map((a) => ({ ...a, agentName: getAgent(a.agentType)?.name ?? a.agentType })),
  };
}
