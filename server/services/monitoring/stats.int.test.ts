import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { testContext } from '@/server/testing/auth-context';
import { createCaller } from '@/server/api/root';
import { resetEnvCache } from '@/server/env';
import { closeQueues, stepQueue } from '@/server/queue/queues';
import { closeScheduleQueue } from '@/server/services/schedules';
import type { RunStatus } from '@/server/generated/prisma/client';
import { getDashboardStats } from './stats';
import { forgetStorageEstimates } from './storage';

let tdb: TestDatabase;
let ws: string;
let other: string;
let flowA: string;
let flowB: string;
let foreign: string;
// Real time: the tRPC procedure computes "now" itself.
const now = new Date();
const hour = 3_600_000;
const seeds: Array<{ workspaceId: string; flowId: string; status: RunStatus; createdAt: Date; durationMs: number }> = [];

async function run(flowId: string, status: RunStatus, agoMs: number, durationMs: number, workspaceId = ws, failedAgent?: string) {
  const createdAt = new Date(now.getTime() - agoMs);
  const finished = status === 'succeeded' || status === 'failed' || status === 'cancelled';
  const r = await tdb.db.run.create({
    data: {
      workspaceId,
      flowId,
      flowVersion: 1,
      status,
      triggerKind: 'manual',
      triggerNodeId: 'hook',
      createdAt,
      startedAt: status === 'queued' ? null : createdAt,
      finishedAt: finished ? new Date(createdAt.getTime() + durationMs) : null,
    },
  });
  const e = await tdb.db.event.create({ data: { workspaceId, runId: r.id, nodeId: 'hook', payload: { hello: 'world'.repeat(10) } } });
  if (failedAgent) {
    await tdb.db.nodeRun.create({
      data: { workspaceId, runId: r.id, nodeId: 'n', agentType: failedAgent, inputEventId: e.id, status: 'failed', startedAt: createdAt, error: 'x' },
    });
  }
  seeds.push({ workspaceId, flowId, status, createdAt, durationMs });
}

/** What the buckets of a range must hold, from the seeds (UTC-aligned, like date_trunc). */
function expectedBuckets(unitMs: number, count: number, flowId?: string) {
  const last = Math.floor(now.getTime() / unitMs) * unitMs;
  const first = last - (count - 1) * unitMs;
  const mine = seeds.filter((x) => x.workspaceId === ws && (!flowId || x.flowId === flowId) && x.createdAt.getTime() >= first && x.createdAt <= now);
  const buckets = Array.from({ length: count }, (_, i) => ({ start: new Date(first + i * unitMs), total: 0, queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 }));
  for (const x of mine) {
    const b = buckets[Math.floor((x.createdAt.getTime() - first) / unitMs)]!;
    b.total++;
    b[x.status]++;
  }
  return { buckets, mine };
}

/** Postgres' percentile_cont: linear interpolation between the closest ranks. */
function percentileCont(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = p * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

beforeAll(async () => {
  tdb = await createTestDatabase('stats');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: testQueuePrefix('stats') });
  resetEnvCache();
  ws = (await tdb.db.workspace.create({ data: { name: 'Mine', slug: 'mine' } })).id;
  other = (await tdb.db.workspace.create({ data: { name: 'Other', slug: 'other' } })).id;
  const flow = (workspaceId: string, name: string) => tdb.db.flow.create({ data: { workspaceId, name, graph: { nodes: [], edges: [] } } }).then((f) => f.id);
  flowA = await flow(ws, 'Alpha');
  flowB = await flow(ws, 'Beta');
  foreign = await flow(other, 'Foreign');

  // Within the last 24 h (hour buckets): A: 4 succeeded, 2 failed; B: 1 succeeded, 3 failed, 1 running, 1 queued, 1 cancelled.
  await run(flowA, 'succeeded', 30 * 60_000, 1_000);
  await run(flowA, 'succeeded', 90 * 60_000, 2_000);
  await run(flowA, 'succeeded', 5 * hour, 3_000);
  await run(flowA, 'succeeded', 23 * hour, 4_000);
  await run(flowA, 'failed', 2 * hour, 10_000, ws, 'http_request');
  await run(flowA, 'failed', 2.5 * hour, 20_000, ws, 'http_request');
  await run(flowB, 'succeeded', 10 * 60_000, 500);
  await run(flowB, 'failed', 20 * 60_000, 700, ws, 'email');
  await run(flowB, 'failed', 3 * hour, 800, ws, 'http_request');
  await run(flowB, 'failed', 4 * hour, 900);
  await run(flowB, 'running', 5 * 60_000, 0);
  await run(flowB, 'queued', 60_000, 0);
  await run(flowB, 'cancelled', 6 * hour, 100);
  // Older than 24 h (in 7d) and another tenant: not in the 24 h numbers.
  await run(flowA, 'failed', 30 * hour, 5_000, ws, 'slack');
  await run(foreign, 'failed', hour, 5_000, other, 'http_request');
});

afterAll(async () => {
  await closeQueues();
  await closeScheduleQueue();
  await tdb?.drop();
});

describe('dashboard stats', () => {
  it('counts runs per bucket with a status breakdown, rates, percentiles and top failing', async () => {
    const s = await getDashboardStats(ws, { range: '24h' }, { now });
    const { buckets, mine } = expectedBuckets(hour, 24);
    expect(s.bucket).toBe('hour');
    expect(s.buckets).toEqual(buckets);
    expect(s.from).toEqual(buckets[0]!.start);
    const count = (st: RunStatus) => mine.filter((x) => x.status === st).length;
    expect(s.totals).toEqual({ total: mine.length, queued: count('queued'), running: count('running'), succeeded: count('succeeded'), failed: count('failed'), cancelled: count('cancelled') });
    expect(s.totals.total).toBeGreaterThanOrEqual(12);
    expect(s.successRate).toBeCloseTo(count('succeeded') / (count('succeeded') + count('failed')), 6);
    const durations = mine.filter((x) => x.status === 'succeeded' || x.status === 'failed').map((x) => x.durationMs);
    expect(s.durationMs.p50).toBe(Math.round(percentileCont(durations, 0.5)));
    expect(s.durationMs.p95).toBe(Math.round(percentileCont(durations, 0.95)));
    expect(s.topFailingFlows).toEqual([
      { flowId: flowB, flowName: 'Beta', failed: 3, total: 7, failureRate: 3 / 7 },
      { flowId: flowA, flowName: 'Alpha', failed: 2, total: mine.filter((x) => x.flowId === flowA).length, failureRate: 2 / mine.filter((x) => x.flowId === flowA).length },
    ]);
    expect(s.topFailingAgents).toEqual([
      { agentType: 'http_request', agentName: 'HTTP request', failed: 3 },
      { agentType: 'email', agentName: 'Email', failed: 1 },
    ]);
  });

  it('narrows to one flow and to other ranges', async () => {
    const a = await getDashboardStats(ws, { range: '7d', flowId: flowA }, { now });
    expect(a.buckets).toEqual(expectedBuckets(hour, 168, flowA).buckets);
    expect(a.totals).toMatchObject({ total: 7, succeeded: 4, failed: 3 });
    expect(a.topFailingFlows.map((f) => f.flowId)).toEqual([flowA]);
    expect(a.topFailingAgents).toEqual([
      { agentType: 'http_request', agentName: 'HTTP request', failed: 2 },
      { agentType: 'slack', agentName: 'Slack', failed: 1 },
    ]);
    const h = await getDashboardStats(ws, { range: '1h' }, { now });
    expect(h.bucket).toBe('minute');
    expect(h.buckets).toEqual(expectedBuckets(60_000, 60).buckets);
    const m = await getDashboardStats(ws, { range: '30d' }, { now });
    expect(m.bucket).toBe('day');
    expect(m.buckets).toEqual(expectedBuckets(24 * hour, 30).buckets);
    expect(m.totals.total).toBe(14);
  });

  it('reports queue depth with the oldest waiting job, and the disk use of run data', async () => {
    await stepQueue().add('step', { runId: 'r', nodeId: 'n', eventId: 'e' }, { jobId: 'waiting-1' });
    await new Promise((r) => setTimeout(r, 50));
    await stepQueue().add('step', { runId: 'r', nodeId: 'n', eventId: 'e2' }, { jobId: 'waiting-2' });
    await stepQueue().add('step', { runId: 'r', nodeId: 'n', eventId: 'e3' }, { jobId: 'later', delay: 60_000 });
    forgetStorageEstimates();
    const s = await getDashboardStats(ws, { range: '24h' });
    const steps = s.queues.find((q) => q.queue === 'steps')!;
    expect(steps).toMatchObject({ waiting: 2, active: 0, delayed: 1, failed: 0 });
    expect(steps.oldestWaitingSeconds).toBeGreaterThanOrEqual(0.04);
    expect(s.queues.find((q) => q.queue === 'schedules')).toMatchObject({ waiting: 0, oldestWaitingSeconds: null });
    expect(s.storage.tables.map((t) => t.table)).toEqual(['Run', 'NodeRun', 'Event']);
    expect(s.storage.tables.every((t) => t.bytes > 0)).toBe(true);
    const mine = await tdb.db.$queryRaw<Array<{ b: number }>>`SELECT sum(pg_column_size(payload))::int AS b FROM "Event" WHERE "workspaceId" = ${ws}::uuid`;
    expect(s.storage.workspace).toMatchObject({ eventPayloadBytes: mine[0]!.b, estimated: false });
  });

  it('is a viewer query scoped to the workspace', async () => {
    const viewer = createCaller(testContext(ws, { role: 'viewer' }));
    const s = await viewer.monitoring.stats({ range: '30d' });
    expect(s.totals.total).toBeGreaterThanOrEqual(14);
    await expect(viewer.monitoring.stats({ range: '24h', flowId: foreign })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const theirs = await createCaller(testContext(other, { role: 'viewer' })).monitoring.stats({ range: '30d' });
    expect(theirs.topFailingFlows.map((f) => f.flowId)).not.toContain(flowA);
  });
});
