import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { setDb } from '@/server/db';
import { resetEnvCache } from '@/server/env';
import { closeQueues } from '@/server/queue/queues';
import { forgetDefaultWorkspace } from '@/server/services/workspaces';
import { POST as importFlow } from './flows/route';
import { GET as exportFlow } from './flows/[id]/route';
import { POST as startRun } from './flows/[id]/runs/route';
import { GET as getRun } from './runs/[id]/route';

const TOKEN = 'test-token-0123456789abcdef';
let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase('apiv1');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: testQueuePrefix('apiv1'), MUNINN_API_TOKEN: TOKEN });
  resetEnvCache();
  setDb(tdb.db);
  forgetDefaultWorkspace();
});
afterAll(async () => {
  await closeQueues();
  await tdb.drop();
});

function req(path: string, init: RequestInit & { token?: string | null } = {}): Request {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? TOKEN}`);
  return new Request(`http://localhost${path}`, { ...init, headers });
}
const params = <P>(p: P) => ({ params: Promise.resolve(p) });

const flow = {
  name: 'API flow',
  nodes: [
    { id: 'start', type: 'manual', options: {} },
    { id: 'keep', type: 'filter', options: { rules: [{ path: 'ok', op: 'eq', value: true }] } },
  ],
  edges: [{ source: 'start', target: 'keep' }],
};

describe('/api/v1', () => {
  it('refuses requests without a valid token', async () => {
    const none = await importFlow(req('/api/v1/flows', { method: 'POST', body: JSON.stringify(flow), token: null }), params({}));
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/Authorization: Bearer/);
    const wrong = await importFlow(req('/api/v1/flows', { method: 'POST', body: JSON.stringify(flow), token: 'x'.repeat(26) }), params({}));
    expect(wrong.status).toBe(401);
  });

  it('imports, exports and runs a flow', async () => {
    const created = await importFlow(req('/api/v1/flows', { method: 'POST', body: JSON.stringify(flow) }), params({}));
    expect(created.status).toBe(201);
    const { id, version } = (await created.json()) as { id: string; version: number };
    expect(version).toBe(1);

    const exported = await exportFlow(req(`/api/v1/flows/${id}`), params({ id }));
    expect(await exported.json()).toEqual(flow);

    const started = await startRun(req(`/api/v1/flows/${id}/runs`, { method: 'POST', body: JSON.stringify({ ok: true }) }), params({ id }));
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    const run = await getRun(req(`/api/v1/runs/${runId}`), params({ id: runId }));
    expect(run.status).toBe(200);
    const body = (await run.json()) as { status: string; steps: unknown[] };
    // No worker in this test: the run is accepted and waits in the queue.
    expect(body.status).toBe('queued');
    expect(body.steps).toEqual([]);
    expect(await tdb.db.pendingStep.count({ where: { runId } })).toBe(1);
  });

  it('answers 400 with errors per node and field for an invalid flow', async () => {
    const bad = { ...flow, nodes: [flow.nodes[0], { id: 'keep', type: 'filter', options: { rules: [] } }] };
    const res = await importFlow(req('/api/v1/flows', { method: 'POST', body: JSON.stringify(bad) }), params({}));
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { issues: Array<{ nodeId: string; field: string; message: string }> } };
    expect(error.issues).toEqual([expect.objectContaining({ nodeId: 'keep', field: 'rules', message: expect.stringMatching(/at least one rule/) })]);
  });

  it('answers 404 for unknown or malformed ids and 413 for oversized bodies', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await exportFlow(req(`/api/v1/flows/${unknown}`), params({ id: unknown }))).status).toBe(404);
    expect((await exportFlow(req('/api/v1/flows/not-an-id'), params({ id: 'not-an-id' }))).status).toBe(404);
    expect((await getRun(req(`/api/v1/runs/${unknown}`), params({ id: unknown }))).status).toBe(404);
    const huge = JSON.stringify({ name: 'x', nodes: [], edges: [], pad: 'x'.repeat(1_100_000) });
    expect((await importFlow(req('/api/v1/flows', { method: 'POST', body: huge }), params({}))).status).toBe(413);
  });
});
