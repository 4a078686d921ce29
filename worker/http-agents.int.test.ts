import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { runEnded, startWorker, waitFor, type WorkerHandle } from '@/server/testing/worker-process';
import { startTestServer, type TestServer } from '@/server/testing/http-server';
import { setDb } from '@/server/db';
import { resetEnvCache } from '@/server/env';
import { closeQueues } from '@/server/queue/queues';
import { forgetDefaultWorkspace, defaultWorkspaceId } from '@/server/services/workspaces';
import { createFlow, getFlow } from '@/server/services/flows';
import { startRun } from '@/server/services/runs';
import { POST as webhookPost } from '@/app/api/hooks/[token]/route';

let tdb: TestDatabase;
let worker: WorkerHandle;
let api: TestServer;
let ws: string;

/** A ticket API answering in numbered pages of two, the fourth page empty. */
const tickets = ['OPS-1', 'OPS-2', 'OPS-3', 'OPS-4', 'OPS-5'];

beforeAll(async () => {
  tdb = await createTestDatabase('http-agents');
  const prefix = testQueuePrefix('http-agents');
  const env = { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: prefix, MUNINN_ALLOWED_HOSTS: '127.0.0.1' };
  Object.assign(process.env, env);
  resetEnvCache();
  setDb(tdb.db);
  forgetDefaultWorkspace();
  ws = await defaultWorkspaceId();
  api = await startTestServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const page = Number(url.searchParams.get('page'));
    const slice = tickets.slice((page - 1) * 2, page * 2).map((key) => ({ key, status: url.searchParams.get('status') }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { tickets: slice } }));
  });
  worker = startWorker(env);
  // A webhook waits a bounded time for its answer: start timing only once the worker listens.
  await waitFor(async () => worker.output().includes('[worker] ready'), { what: 'the worker to start', timeoutMs: 50_000 });
});

afterAll(async () => {
  const code = await worker?.stop('SIGTERM');
  expect(code, worker?.output()).toBe(0);
  await closeQueues();
  await api?.close();
  await tdb?.drop();
});

const finished = (runId: string) => runEnded(ws, runId);

describe('HTTP agents through the worker', () => {
  it('answers a webhook with the status, headers and body of an HTTP response node', async () => {
    const graph = {
      nodes: [
        { id: 'hook', type: 'webhook', options: { respond: 'with_output', responseNode: 'reply', responseTimeoutSeconds: 30 } },
        { id: 'shape', type: 'transform', options: { template: { key: '{{ ticket }}', who: '{{ name | upcase }}' } } },
        {
          id: 'reply',
          type: 'http_response',
          options: { status: 201, headers: { 'X-Ticket': '{{ key }}', 'Set-Cookie': 'sid=stolen' }, body: 'Created {{ key }} for {{ who }}' },
        },
      ],
      edges: [
        { source: 'hook', target: 'shape' },
        { source: 'shape', target: 'reply' },
      ],
    };
    const { id } = await createFlow(ws, { name: 'Answer with a response node', graph });
    const token = (await getFlow(ws, id, 'http://x')).webhooks[0]!.url.split('/').pop()!;
    const res = await webhookPost(
      new Request(`http://x/api/hooks/${token}`, { method: 'POST', body: JSON.stringify({ ticket: 'OPS-9', name: 'Ada' }) }),
      { params: Promise.resolve({ token }) },
    );
    expect(await res.text()).toBe('Created OPS-9 for ADA');
    expect(res.status).toBe(201);
    expect(res.headers.get('x-ticket')).toBe('OPS-9');
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('content-security-policy')).toBe('sandbox');
  });

  it('follows numbered pages and emits one event per ticket, each handled by the next node', async () => {
    const graph = {
      nodes: [
        { id: 'start', type: 'manual', options: {} },
        {
          id: 'fetch',
          type: 'http_request',
          options: {
            url: `${api.url}/tickets`,
            query: { status: '{{ wanted }}' },
            pagination: { mode: 'page_number', pageParam: 'page', startPage: 1, maxPages: 10 },
            itemsPath: 'data.tickets',
          },
        },
        { id: 'label', type: 'transform', options: { template: { line: '{{ key }} is {{ status }}' } } },
      ],
      edges: [
        { source: 'start', target: 'fetch' },
        { source: 'fetch', target: 'label' },
      ],
    };
    const { id } = await createFlow(ws, { name: 'Paged tickets', graph });
    const before = api.requests.length;
    const { runId } = await startRun(ws, { flowId: id, triggerKind: 'manual', nodeId: 'start', payload: { wanted: 'open' } });
    const run = await finished(runId);
    expect(run.status, run.error ?? '').toBe('succeeded');

    const fetchStep = run.steps.find((s) => s.nodeId === 'fetch')!;
    // Events of one step share their commit time, so the stored order is not asserted.
    expect(fetchStep.outputs).toHaveLength(tickets.length);
    expect(fetchStep.outputs).toEqual(expect.arrayContaining(tickets.map((key) => ({ key, status: 'open' }))));
    const lines = run.steps.filter((s) => s.nodeId === 'label').flatMap((s) => s.outputs);
    expect(lines).toHaveLength(tickets.length);
    expect(lines).toEqual(expect.arrayContaining(tickets.map((key) => ({ line: `${key} is open` }))));

    // Four requests (the fourth page is empty), each with its own idempotency key.
    const calls = api.requests.slice(before);
    expect(calls.map((r) => r.url)).toEqual([1, 2, 3, 4].map((p) => `/tickets?status=open&page=${p}`));
    const stepKey = calls[0]!.headers['idempotency-key'] as string;
    expect(stepKey).toMatch(new RegExp(`^${runId}:fetch:`));
    expect(calls.slice(1).map((r) => r.headers['idempotency-key'])).toEqual([2, 3, 4].map((p) => `${stepKey}:page-${p}`));
  });
});
