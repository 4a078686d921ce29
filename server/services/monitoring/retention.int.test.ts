import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/server/testing/test-db';
import { testContext } from '@/server/testing/auth-context';
import { createCaller } from '@/server/api/root';
import type { RunStatus } from '@/server/generated/prisma/client';
import { pruneRunData } from './retention';

let tdb: TestDatabase;
let ws: string;
let other: string;
const flows: Record<'inherits' | 'short' | 'capped' | 'foreign', string> = { inherits: '', short: '', capped: '', foreign: '' };
const now = new Date('2026-06-01T00:00:00.000Z');
const day = 86_400_000;
const big = { text: 'x'.repeat(5_000), note: 'ünïcode ✓' };

interface Planted {
  id: string;
  label: string;
  keep: boolean;
}
const planted: Planted[] = [];

async function plant(flow: keyof typeof flows, status: RunStatus, ageDays: number, keep: boolean, payload: object = { small: true }): Promise<string> {
  const workspaceId = flow === 'foreign' ? other : ws;
  const createdAt = new Date(now.getTime() - ageDays * day);
  const finished = status === 'succeeded' || status === 'failed' || status === 'cancelled';
  const run = await tdb.db.run.create({
    data: {
      workspaceId,
      flowId: flows[flow],
      flowVersion: 1,
      status,
      triggerKind: 'manual',
      triggerNodeId: 'hook',
      createdAt,
      startedAt: createdAt,
      finishedAt: finished ? new Date(createdAt.getTime() + 1_000) : null,
    },
  });
  const trigger = await tdb.db.event.create({ data: { workspaceId, runId: run.id, nodeId: 'hook', payload } });
  const step = await tdb.db.nodeRun.create({
    data: { workspaceId, runId: run.id, nodeId: 'step', agentType: 'transform', inputEventId: trigger.id, status: 'succeeded', startedAt: createdAt },
  });
  await tdb.db.event.create({ data: { workspaceId, runId: run.id, nodeId: 'step', nodeRunId: step.id, payload } });
  planted.push({ id: run.id, label: `${flow} ${status} ${ageDays}d`, keep });
  return run.id;
}

beforeAll(async () => {
  tdb = await createTestDatabase('retention');
  ws = (await tdb.db.workspace.create({ data: { name: 'Mine', slug: 'mine' } })).id;
  other = (await tdb.db.workspace.create({ data: { name: 'Other', slug: 'other' } })).id;
  for (const key of Object.keys(flows) as Array<keyof typeof flows>) {
    flows[key] = (await tdb.db.flow.create({ data: { workspaceId: key === 'foreign' ? other : ws, name: key, graph: { nodes: [], edges: [] } } })).id;
  }
});

afterAll(async () => {
  await tdb?.drop();
});

describe('retention policies through tRPC', () => {
  it('sets and reads the workspace default and flow policies, with inheritance', async () => {
    const admin = createCaller(testContext(ws, { role: 'admin' }));
    const empty = await admin.monitoring.retention({});
    expect(empty).toEqual({ workspace: null, flow: null, effective: { keepDays: null, keepFailedDays: null, maxPayloadBytes: null } });

    await admin.monitoring.setRetention({ keepDays: 5, keepFailedDays: null, maxPayloadBytes: 4_096 });
    await admin.monitoring.setRetention({ keepDays: 7, keepFailedDays: 30, maxPayloadBytes: null });
    await admin.monitoring.setRetention({ flowId: flows.short, keepDays: 2, keepFailedDays: null, maxPayloadBytes: null });
    await admin.monitoring.setRetention({ flowId: flows.capped, keepDays: null, keepFailedDays: null, maxPayloadBytes: 2_000 });
    // Setting again updates in place (one row per scope).
    const view = await admin.monitoring.setRetention({ flowId: flows.short, keepDays: 2, keepFailedDays: null, maxPayloadBytes: null });
    expect(view).toEqual({
      workspace: { keepDays: 7, keepFailedDays: 30, maxPayloadBytes: null },
      flow: { keepDays: 2, keepFailedDays: null, maxPayloadBytes: null },
      effective: { keepDays: 2, keepFailedDays: 30, maxPayloadBytes: null },
    });
    expect((await admin.monitoring.retention({ flowId: flows.capped })).effective).toEqual({ keepDays: 7, keepFailedDays: 30, maxPayloadBytes: 2_000 });
    expect(await tdb.db.retentionPolicy.count({ where: { workspaceId: ws } })).toBe(3);
  });

  it('refuses viewers, bad values and other tenants’ flows', async () => {
    const viewer = createCaller(testContext(ws, { role: 'viewer' }));
    await expect(viewer.monitoring.setRetention({ keepDays: 1, keepFailedDays: null, maxPayloadBytes: null })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await viewer.monitoring.retention({})).workspace?.keepDays).toBe(7);
    const admin = createCaller(testContext(ws, { role: 'admin' }));
    await expect(admin.monitoring.setRetention({ keepDays: 0, keepFailedDays: null, maxPayloadBytes: null })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(admin.monitoring.setRetention({ keepDays: 1, keepFailedDays: null, maxPayloadBytes: 10 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(admin.monitoring.setRetention({ flowId: flows.foreign, keepDays: 1, keepFailedDays: null, maxPayloadBytes: null })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(admin.monitoring.retention({ flowId: flows.foreign })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await tdb.db.retentionPolicy.count({ where: { flowId: flows.foreign } })).toBe(0);
  });
});

describe('pruning', () => {
  it('deletes exactly what the policies say, in batches, and truncates large payloads', async () => {
    // Workspace default: 7 days, failed 30 days.
    await plant('inherits', 'succeeded', 8, false);
    await plant('inherits', 'succeeded', 6.9, true);
    await plant('inherits', 'cancelled', 10, false);
    await plant('inherits', 'failed', 10, true);
    await plant('inherits', 'failed', 31, false);
    await plant('inherits', 'running', 100, true);
    await plant('inherits', 'queued', 50, true);
    for (let i = 0; i < 5; i++) await plant('inherits', 'succeeded', 20 + i, false);
    // Flow policy: 2 days; failed inherits 30 days.
    await plant('short', 'succeeded', 3, false);
    await plant('short', 'succeeded', 1, true);
    await plant('short', 'failed', 20, true);
    await plant('short', 'failed', 40, false);
    // Flow policy: payload cap 2,000 bytes; days inherited.
    await plant('capped', 'succeeded', 8, false);
    const truncated = await plant('capped', 'succeeded', 1, true, big);
    const failedBig = await plant('capped', 'failed', 1, true, big);
    const small = await plant('capped', 'succeeded', 1, true, { fine: 'small' });
    // Another workspace without any policy: untouched however old.
    await plant('foreign', 'succeeded', 400, true, big);

    const result = await pruneRunData({ now, batchSize: 2, pauseMs: 0 });
    const gone = planted.filter((p) => !p.keep);
    expect(result.deletedRuns).toBe(gone.length);
    expect(result.truncatedEvents).toBe(2);
    expect(result.batches).toBeGreaterThan(5);

    const remaining = new Set((await tdb.db.run.findMany({ select: { id: true } })).map((r) => r.id));
    const wrong = planted.filter((p) => remaining.has(p.id) !== p.keep).map((p) => `${p.label}: ${p.keep ? 'deleted' : 'kept'}`);
    expect(wrong).toEqual([]);
    // Steps and events went with their runs.
    expect(await tdb.db.event.count({ where: { runId: { in: gone.map((g) => g.id) } } })).toBe(0);
    expect(await tdb.db.nodeRun.count({ where: { runId: { in: gone.map((g) => g.id) } } })).toBe(0);

    const events = await tdb.db.event.findMany({ where: { runId: truncated }, select: { payload: true } });
    const originalBytes = Buffer.byteLength(JSON.stringify(big).replace(/,/g, ', ').replace(/":/g, '": '));
    for (const e of events) {
      const p = e.payload as { $truncated: boolean; bytes: number; preview: string };
      expect(p.$truncated).toBe(true);
      expect(p.bytes).toBe(originalBytes);
      expect(p.preview.length).toBe(256);
      expect(p.preview.startsWith('{"note": "ünïcode ✓"')).toBe(true);
    }
    // Failed runs keep their payloads for "retry from the failed step"; small payloads stay.
    for (const id of [failedBig, small]) {
      for (const e of await tdb.db.event.findMany({ where: { runId: id }, select: { payload: true } })) expect(e.payload).not.toHaveProperty('$truncated');
    }

    // A second pass has nothing left to do.
    expect(await pruneRunData({ now, batchSize: 2, pauseMs: 0 })).toMatchObject({ deletedRuns: 0, truncatedEvents: 0 });
  });

  it('removing a policy (all fields empty) stops pruning', async () => {
    const admin = createCaller(testContext(ws, { role: 'admin' }));
    await admin.monitoring.setRetention({ keepDays: null, keepFailedDays: null, maxPayloadBytes: null });
    await admin.monitoring.setRetention({ flowId: flows.short, keepDays: null, keepFailedDays: null, maxPayloadBytes: null });
    await admin.monitoring.setRetention({ flowId: flows.capped, keepDays: null, keepFailedDays: null, maxPayloadBytes: null });
    expect(await tdb.db.retentionPolicy.count()).toBe(0);
    const id = await plant('inherits', 'succeeded', 365, true);
    expect(await pruneRunData({ now })).toMatchObject({ deletedRuns: 0 });
    expect(await tdb.db.run.count({ where: { id } })).toBe(1);
  });
});
