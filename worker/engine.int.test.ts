import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { runEnded, startWorker, type WorkerHandle } from '@/server/testing/worker-process';
import { startTestServer, type TestServer } from '@/server/testing/http-server';
import { setDb } from '@/server/db';
import { resetEnvCache } from '@/server/env';
import { closeQueues } from '@/server/queue/queues';
import { forgetDefaultWorkspace, defaultWorkspaceId } from '@/server/services/workspaces';
import { createFlow, getFlow } from '@/server/services/flows';
import { getRun, startRun } from '@/server/services/runs';
import { POST as webhookPost } from '@/app/api/hooks/[token]/route';

let tdb: TestDatabase;
let worker: WorkerHandle;
let api: TestServer;
let ws: string;

beforeAll(async () => {
  tdb = await createTestDatabase('engine');
  const prefix = testQueuePrefix('engine');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: prefix, MUNINN_ALLOWED_HOSTS: '127.0.0.1,localhost' });
  resetEnvCache();
  setDb(tdb.db);
  forgetDefaultWorkspace();
  ws = await defaultWorkspaceId();
  api = await startTestServer((req, res) => {
    if (req.url?.startsWith('/missing')) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such customer"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'Ada', path: req.url }));
  });
  worker = startWorker({ DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: prefix, MUNINN_ALLOWED_HOSTS: '127.0.0.1,localhost' });
});

afterAll(async () => {
  const code = await worker?.stop('SIGTERM');
  expect(code, worker?.output()).toBe(0);
  await closeQueues();
  await api?.close();
  await tdb?.drop();
});

function threeStepGraph(url: string) {
  return {
    nodes: [
      { id: 'hook', type: 'webhook', options: {} },
      { id: 'fetch', type: 'http_request', label: 'Fetch customer', options: { method: 'GET', url } },
      { id: 'greet', type: 'transform', options: { template: { greeting: 'Hello {{ body.name }}', ticket: '{{ body.path }}' } } },
    ],
    edges: [
      { source: 'hook', target: 'fetch' },
      { source: 'fetch', target: 'greet' },
    ],
  };
}

const finished = (runId: string) => runEnded(ws, runId);

describe('worker executes flows node by node', () => {
  it('runs a webhook → http_request → transform flow and keeps every step', async () => {
    const { id } = await createFlow(ws, { name: 'Greeter', graph: threeStepGraph(`${api.url}/customers/{{ ticket }}`) });
    const { webhooks } = await getFlow(ws, id, 'http://localhost');
    const token = webhooks[0]!.url.split('/').pop()!;

    const res = await webhookPost(
      new Request(`http://localhost/api/hooks/${token}`, { method: 'POST', body: JSON.stringify({ ticket: 'OPS-7' }), headers: { 'content-type': 'application/json' } }),
      { params: Promise.resolve({ token }) },
    );
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };

    const run = await finished(runId);
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.triggerKind).toBe('webhook');
    // Started when its first step started (recorded with the chain, no separate update needed).
    expect(run.startedAt).not.toBeNull();
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(run.steps.map((s) => s.nodeId)).toEqual(['hook', 'fetch', 'greet']);
    const [hook, fetchStep, greet] = run.steps;
    expect(hook!.input).toEqual({ ticket: 'OPS-7' });
    expect(fetchStep!.outputs[0]).toMatchObject({ status: 200, body: { name: 'Ada', path: '/customers/OPS-7' } });
    expect(greet!.outputs).toEqual([{ greeting: 'Hello Ada', ticket: '/customers/OPS-7' }]);
    // The HTTP call carried the step's idempotency key.
    const call = api.requests.find((r) => r.url === '/customers/OPS-7');
    const fetchRun = await tdb.db.nodeRun.findFirstOrThrow({ where: { runId, nodeId: 'fetch' } });
    expect(call?.headers['idempotency-key']).toBe(`${runId}:fetch:${fetchRun.inputEventId}`);
    // One NodeRun per step, and nothing left in the outbox.
    expect(await tdb.db.nodeRun.count({ where: { runId } })).toBe(3);
    expect(await tdb.db.pendingStep.count({ where: { runId } })).toBe(0);
    // The run is drawn with the flow as it was for this run, even after the flow changes.
    const { saveFlowGraph } = await import('@/server/services/flows');
    const current = await getFlow(ws, (await tdb.db.run.findUniqueOrThrow({ where: { id: runId } })).flowId, 'http://localhost');
    const graph = { ...current.graph, nodes: current.graph.nodes.filter((n) => n.id !== 'greet'), edges: current.graph.edges.filter((e) => e.target !== 'greet') };
    await saveFlowGraph(ws, { id: current.id, baseVersion: current.version, graph });
    expect((await getRun(ws, runId)).graph?.nodes.map((n) => n.id)).toEqual(['hook', 'fetch', 'greet']);
  });

  it('fails the step and the run with the reason when the HTTP call fails', async () => {
    const { id } = await createFlow(ws, { name: 'Broken', graph: threeStepGraph(`${api.url}/missing`) });
    const { runId } = await startRun(ws, { flowId: id, triggerKind: 'manual', nodeId: 'hook', payload: {} });
    const run = await finished(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/Step "Fetch customer" failed: GET 127\.0\.0\.1:\d+\/missing answered 404/);
    const failed = run.steps.find((s) => s.nodeId === 'fetch');
    expect(failed?.status).toBe('failed');
    // A 404 cannot succeed by retrying: one attempt only.
    expect(failed?.attempt).toBe(1);
    expect(run.steps.some((s) => s.nodeId === 'greet')).toBe(false);
  });

  it('refuses webhook calls for unknown tokens and inactive flows', async () => {
    const call = (token: string, body = '{}') =>
      webhookPost(new Request(`http://localhost/api/hooks/${token}`, { method: 'POST', body }), { params: Promise.resolve({ token }) });
    expect((await call('nope')).status).toBe(404);

    const { id } = await createFlow(ws, { name: 'Sleepy', graph: threeStepGraph(`${api.url}/x`) });
    const token = (await getFlow(ws, id, 'http://l')).webhooks[0]!.url.split('/').pop()!;
    expect((await call(token, 'not json')).status).toBe(400);
    await tdb.db.flow.update({ where: { id }, data: { active: false } });
    const res = await call(token);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/not found/);
  });
});
