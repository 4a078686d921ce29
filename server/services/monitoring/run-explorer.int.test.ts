import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/server/testing/test-db';
import { listRunsAcrossFlows, type RunExplorerInput, type RunExplorerRow } from './run-explorer';
import type { RunStatus } from '@/server/generated/prisma/client';

let tdb: TestDatabase;
let ws: string;
let other: string;
let flowA: string;
let flowB: string;
let foreignFlow: string;

interface Seed {
  id: string;
  flowId: string;
  status: RunStatus;
  triggerKind: string;
  createdAt: Date;
  durationMs: number | null;
  words: string;
}
const seeds: Seed[] = [];
const base = Date.parse('2026-03-01T12:00:00.000Z');
const statuses: RunStatus[] = ['succeeded', 'failed', 'succeeded', 'running', 'cancelled', 'succeeded', 'queued', 'failed'];
const kinds = ['webhook', 'schedule', 'manual'];

beforeAll(async () => {
  tdb = await createTestDatabase('runexplorer');
  ws = (await tdb.db.workspace.create({ data: { name: 'Mine', slug: 'mine' } })).id;
  other = (await tdb.db.workspace.create({ data: { name: 'Other', slug: 'other' } })).id;
  const flow = (workspaceId: string, name: string) => tdb.db.flow.create({ data: { workspaceId, name, graph: { nodes: [], edges: [] } } }).then((f) => f.id);
  flowA = await flow(ws, 'Orders');
  flowB = await flow(ws, 'Invoices');
  foreignFlow = await flow(other, 'Theirs');

  for (let i = 0; i < 40; i++) {
    const status = statuses[i % statuses.length]!;
    const started = status !== 'queued';
    const finished = status === 'succeeded' || status === 'failed' || status === 'cancelled';
    // Every 5th pair shares a timestamp, so ordering must fall back to the id.
    const createdAt = new Date(base + Math.floor(i / 2) * 60_000 + (i % 5 === 0 ? 0 : (i % 2) * 1_000));
    const durationMs = finished ? ((i * 7_919) % 50) * 1_000 + (i % 3) : null;
    const seed: Seed = {
      id: randomUUID(),
      flowId: i % 3 === 0 ? flowB : flowA,
      status,
      triggerKind: kinds[i % kinds.length]!,
      createdAt,
      durationMs,
      words: i % 10 === 3 ? 'invoice overdue' : i % 10 === 7 ? 'customer Zebra-42 arrived' : 'nothing special',
    };
    seeds.push(seed);
    await tdb.db.run.create({
      data: {
        id: seed.id,
        workspaceId: ws,
        flowId: seed.flowId,
        flowVersion: 1,
        status,
        triggerKind: seed.triggerKind,
        triggerNodeId: 'hook',
        error: status === 'failed' ? 'Step "x" failed' : null,
        stepCount: i % 4,
        createdAt,
        startedAt: started ? new Date(createdAt.getTime() + 100) : null,
        finishedAt: finished ? new Date(createdAt.getTime() + 100 + durationMs!) : null,
      },
    });
    // The words sit in the second event (a step's output), not in the trigger.
    await tdb.db.event.createMany({
      data: [
        { workspaceId: ws, runId: seed.id, nodeId: 'hook', payload: { n: i } },
        { workspaceId: ws, runId: seed.id, nodeId: 'step', payload: { body: { text: seed.words, count: 1_000 + i } } },
      ],
    });
  }
  // Another tenant's run with the same words: never visible.
  const theirs = await tdb.db.run.create({
    data: { workspaceId: other, flowId: foreignFlow, flowVersion: 1, status: 'failed', triggerKind: 'webhook', triggerNodeId: 'hook', createdAt: new Date(base) },
  });
  await tdb.db.event.create({ data: { workspaceId: other, runId: theirs.id, nodeId: 'hook', payload: { text: 'invoice overdue Zebra-42' } } });
});

afterAll(async () => {
  await tdb?.drop();
});

const durationOf = (s: Seed) => s.durationMs;

/** Walks every page with the cursor and returns all rows. */
async function walk(input: RunExplorerInput, limit = 7): Promise<RunExplorerRow[]> {
  const rows: RunExplorerRow[] = [];
  let cursor: string | null | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const page = await listRunsAcrossFlows(ws, { ...input, limit, cursor });
    rows.push(...page.items);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (!page.nextCursor) return rows;
    cursor = page.nextCursor;
  }
  throw new Error('too many pages');
}

function expected(filter: (s: Seed) => boolean, sort: 'createdAt' | 'duration', order: 'asc' | 'desc'): string[] {
  const key = (s: Seed) => (sort === 'createdAt' ? s.createdAt.getTime() : durationOf(s)!);
  const list = seeds.filter(filter).filter((s) => sort === 'createdAt' || s.durationMs !== null);
  list.sort((a, b) => key(a) - key(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (order === 'desc') list.reverse();
  return list.map((s) => s.id);
}

describe('runs explorer', () => {
  it('returns the row shape the UI needs', async () => {
    const page = await listRunsAcrossFlows(ws, { limit: 1 });
    const row = page.items[0]!;
    const seed = seeds.find((s) => s.id === row.id)!;
    expect(Object.keys(row).sort()).toEqual(
      ['createdAt', 'durationMs', 'error', 'finishedAt', 'flowId', 'flowName', 'id', 'startedAt', 'status', 'stepCount', 'triggerKind', 'waiting'].sort(),
    );
    expect(row.flowName).toBe(seed.flowId === flowA ? 'Orders' : 'Invoices');
    expect(row.durationMs).toBe(seed.durationMs);
    expect(row.createdAt).toBeInstanceOf(Date);
    expect(page.nextCursor).toBeTruthy();
  });

  it.each([
    ['createdAt', 'desc'],
    ['createdAt', 'asc'],
    ['duration', 'desc'],
    ['duration', 'asc'],
  ] as const)('pages through every run by %s %s with the cursor, none twice, none missed', async (sort, order) => {
    const rows = await walk({ sort, order });
    expect(rows.map((r) => r.id)).toEqual(expected(() => true, sort, order));
  });

  it('filters by flow, status, trigger kind and time range, together', async () => {
    const from = new Date(base + 5 * 60_000);
    const to = new Date(base + 15 * 60_000);
    const rows = await walk({ flowIds: [flowA], statuses: ['succeeded', 'failed'], triggerKinds: ['webhook', 'manual'], from, to }, 3);
    const want = expected(
      (s) =>
        s.flowId === flowA &&
        (s.status === 'succeeded' || s.status === 'failed') &&
        (s.triggerKind === 'webhook' || s.triggerKind === 'manual') &&
        s.createdAt >= from &&
        s.createdAt < to,
      'createdAt',
      'desc',
    );
    expect(want.length).toBeGreaterThan(2);
    expect(rows.map((r) => r.id)).toEqual(want);
  });

  it('filters by duration (finished runs only)', async () => {
    const rows = await walk({ durationMinMs: 10_000, durationMaxMs: 30_000 }, 4);
    const want = expected((s) => s.durationMs !== null && s.durationMs >= 10_000 && s.durationMs <= 30_000, 'createdAt', 'desc');
    expect(rows.map((r) => r.id)).toEqual(want);
    expect(rows.every((r) => r.durationMs! >= 10_000 && r.durationMs! <= 30_000)).toBe(true);
  });

  it('finds runs by words anywhere in their events, in this workspace only', async () => {
    const overdue = await walk({ search: 'overdue' }, 3);
    expect(overdue.map((r) => r.id)).toEqual(expected((s) => s.words.includes('overdue'), 'createdAt', 'desc'));
    // Case-insensitive, all words must be there, phrases, and numbers inside payloads.
    expect((await walk({ search: 'INVOICE Overdue' })).length).toBe(overdue.length);
    expect(await walk({ search: 'invoice -overdue' })).toEqual([]);
    expect((await walk({ search: '"customer zebra-42"' })).map((r) => r.id)).toEqual(expected((s) => s.words.includes('Zebra-42'), 'createdAt', 'desc'));
    const n = seeds.findIndex((s) => s.words === 'nothing special');
    expect((await listRunsAcrossFlows(ws, { search: String(1_000 + n) })).items.map((r) => r.id)).toEqual([seeds[n]!.id]);
    // Search combines with filters.
    expect((await walk({ search: 'overdue', statuses: ['failed'] })).map((r) => r.id)).toEqual(
      expected((s) => s.words.includes('overdue') && s.status === 'failed', 'createdAt', 'desc'),
    );
    // Only punctuation: no search at all rather than an error.
    expect((await listRunsAcrossFlows(ws, { search: '!!!', limit: 100 })).items.length).toBe(40);
  });

  it("never shows another workspace's runs, even when asked for its flow", async () => {
    expect((await listRunsAcrossFlows(ws, { flowIds: [foreignFlow] })).items).toEqual([]);
    expect((await listRunsAcrossFlows(other, { limit: 100 })).items.map((r) => r.flowId)).toEqual([foreignFlow]);
    expect((await listRunsAcrossFlows(other, { search: 'overdue' })).items).toHaveLength(1);
  });

  it('refuses a cursor from another sort order or a forged one', async () => {
    const { nextCursor } = await listRunsAcrossFlows(ws, { limit: 2 });
    await expect(listRunsAcrossFlows(ws, { limit: 2, sort: 'duration', cursor: nextCursor })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(listRunsAcrossFlows(ws, { cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const forged = Buffer.from(JSON.stringify({ s: 'createdAt', o: 'desc', v: "2026'; DROP TABLE", id: randomUUID() })).toString('base64url');
    await expect(listRunsAcrossFlows(ws, { cursor: forged })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
