import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { runEnded, startWorker, waitFor, type WorkerHandle } from '@/server/testing/worker-process';
import { startTestServer, type TestServer } from '@/server/testing/http-server';
import { setDb } from '@/server/db';
import { resetEnvCache } from '@/server/env';
import { appError } from '@/server/testing/app-error';
import { closeQueues } from '@/server/queue/queues';
import { closeScheduleQueue } from '@/server/services/schedules';
import { forgetDefaultWorkspace, defaultWorkspaceId } from '@/server/services/workspaces';
import { createFlow, getFlow, setFlowActive } from '@/server/services/flows';
import { cancelRun, getRun, retryRunFromFailure, rerun, startRun } from '@/server/services/runs';
import { createCredential } from '@/server/services/credentials';
import { POST as webhookPost } from '@/app/api/hooks/[token]/route';

let tdb: TestDatabase;
let workers: WorkerHandle[] = [];
let api: TestServer;
let ws: string;
let prefix: string;
/** Per-path scripted answers: each request takes the next one; the last one repeats. */
const script = new Map<string, Array<{ status: number; headers?: Record<string, string>; body?: unknown }>>();

function workerEnv(extra: Record<string, string> = {}) {
  return { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: prefix, MUNINN_ALLOWED_HOSTS: '127.0.0.1', MUNINN_MAX_STEPS_PER_RUN: '25', ...extra };
}

beforeAll(async () => {
  tdb = await createTestDatabase('control');
  prefix = testQueuePrefix('control');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: prefix, MUNINN_ALLOWED_HOSTS: '127.0.0.1', MUNINN_MAX_PAYLOAD_BYTES: '50000' });
  resetEnvCache();
  setDb(tdb.db);
  forgetDefaultWorkspace();
  ws = await defaultWorkspaceId();
  api = await startTestServer((req, res) => {
    const answers = script.get(req.url ?? '') ?? [{ status: 200, body: { ok: true } }];
    const next = answers.length > 1 ? answers.shift()! : answers[0]!;
    res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers }).end(JSON.stringify(next.body ?? {}));
  });
  workers = [startWorker(workerEnv())];
});

afterAll(async () => {
  for (const w of workers) expect(await w.stop('SIGTERM'), w.output()).toBe(0);
  await closeQueues();
  await closeScheduleQueue();
  await api?.close();
  await tdb?.drop();
});

const finished = (runId: string, timeoutMs?: number) => runEnded(ws, runId, timeoutMs);

function httpFlow(path: string, retry?: Record<string, number>) {
  return {
    nodes: [
      { id: 'start', type: 'manual', options: {} },
      { id: 'call', type: 'http_request', label: 'Call API', options: { url: `${api.url}${path}` }, ...(retry ? { retry } : {}) },
      { id: 'after', type: 'transform', options: { template: { done: true } } },
    ],
    edges: [
      { source: 'start', target: 'call' },
      { source: 'call', target: 'after' },
    ],
  };
}

describe('retries', () => {
  it('retries transient failures with backoff and keeps every attempt in the step history', async () => {
    script.set('/flaky', [{ status: 503 }, { status: 500 }, { status: 200, body: { fine: 1 } }]);
    const { id } = await createFlow(ws, { name: 'Flaky', graph: httpFlow('/flaky', { attempts: 4, backoffMs: 100, maxDelayMs: 400 }) });
    const { runId } = await startRun(ws, { flowId: id, triggerKind: 'manual' });
    const run = await finished(runId);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const call = run.steps.find((s) => s.nodeId === 'call')!;
    expect(call.attempt).toBe(3);
    expect(call.attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(call.attempts[0]!.error).toMatch(/503/);
    expect(api.requests.filter((r) => r.url === '/flaky')).toHaveLength(3);
  });

  it('fails at once on an error retrying cannot fix', async () => {
    script.set('/bad', [{ status: 400, body: { error: 'summary is required' } }]);
    const { id } = await createFlow(ws, { name: 'Bad request', graph: httpFlow('/bad', { attempts: 5, backoffMs: 100 }) });
    const run = await finished((await startRun(ws, { flowId: id, triggerKind: 'manual' })).runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/Step "Call API" failed: .*400.*summary is required/);
    expect(api.requests.filter((r) => r.url === '/bad')).toHaveLength(1);
  });

  it('waits as long as a 429 Retry-After asks', async () => {
    script.set('/limited', [{ status: 429, headers: { 'retry-after': '2' } }, { status: 200 }]);
    const { id } = await createFlow(ws, { name: 'Rate limited', graph: httpFlow('/limited', { attempts: 3, backoffMs: 100 }) });
    const run = await finished((await startRun(ws, { flowId: id, triggerKind: 'manual' })).runId);
    expect(run.status).toBe('succeeded');
    const calls = api.requests.filter((r) => r.url === '/limited');
    expect(calls).toHaveLength(2);
    const times = (await tdb.db.nodeRun.findFirstOrThrow({ where: { runId: run.id, nodeId: 'call' } })).attempts as Array<{ finishedAt: string }>;
    const retryStarted = run.steps.find((s) => s.nodeId === 'call')!.startedAt.getTime();
    expect(retryStarted - Date.parse(times[0]!.finishedAt)).toBeGreaterThanOrEqual(1_900);
  });
});

describe('guards', () => {
  it('stops a run that exceeds the step budget', async () => {
    const graph = {
      nodes: [
        { id: 'start', type: 'manual', options: {} },
        { id: 'each', type: 'split', options: { path: 'items' } },
        { id: 'shape', type: 'transform', options: { template: { n: '{{ value }}' } } },
      ],
      edges: [
        { source: 'start', target: 'each' },
        { source: 'each', target: 'shape' },
      ],
    };
    const { id } = await createFlow(ws, { name: 'Too many', graph });
    const run = await finished((await startRun(ws, { flowId: id, triggerKind: 'manual', payload: { items: Array.from({ length: 40 }, (_, i) => i) } })).runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/step budget/);
    expect(run.steps.length).toBeLessThan(40);
  });

  it('refuses an oversized trigger payload with a clear message, before anything is stored', async () => {
    const { id } = await createFlow(ws, { name: 'Big', graph: httpFlow('/x') });
    const before = await tdb.db.run.count();
    const err = await appError(startRun(ws, { flowId: id, triggerKind: 'manual', payload: { blob: 'x'.repeat(60_000) } }));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.message).toMatch(/limit is 0\.1 MB|limit is 0\.05 MB|limit/);
    expect(await tdb.db.run.count()).toBe(before);
  });
});

describe('control', () => {
  it('cancels a running run: waiting steps are dropped', async () => {
    const graph = {
      nodes: [
        { id: 'start', type: 'manual', options: {} },
        { id: 'wait', type: 'delay', options: { duration: '30s' } },
        { id: 'later', type: 'transform', options: { template: { late: true } } },
      ],
      edges: [
        { source: 'start', target: 'wait' },
        { source: 'wait', target: 'later' },
      ],
    };
    const { id } = await createFlow(ws, { name: 'Slow', graph });
    const { runId } = await startRun(ws, { flowId: id, triggerKind: 'manual' });
    await waitFor(async () => (await getRun(ws, runId)).steps.some((s) => s.nodeId === 'wait'), { what: 'the delay step' });
    const pending = await tdb.db.pendingStep.findFirstOrThrow({ where: { runId } });
    expect(pending.nodeId).toBe('later');
    expect(pending.availableAt.getTime()).toBeGreaterThan(Date.now() + 20_000);
    await cancelRun(ws, runId);
    const run = await getRun(ws, runId);
    expect(run.status).toBe('cancelled');
    expect(await tdb.db.pendingStep.count({ where: { runId } })).toBe(0);
    expect((await appError(cancelRun(ws, runId))).message).toMatch(/already been cancelled/);
  });

  it('retries a failed run from its failed step, reusing earlier steps', async () => {
    script.set('/later-ok', [{ status: 422, body: { error: 'not yet' } }, { status: 200, body: { ok: 'now' } }]);
    const { id } = await createFlow(ws, { name: 'Retry from step', graph: httpFlow('/later-ok', { attempts: 1 }) });
    const { runId } = await startRun(ws, { flowId: id, triggerKind: 'manual', payload: { n: 1 } });
    expect((await finished(runId)).status).toBe('failed');
    const retried = await retryRunFromFailure(ws, runId);
    expect(retried.steps).toBe(1);
    const run = await finished(runId);
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.steps.map((s) => s.nodeId)).toEqual(['start', 'call', 'after']);
    expect(await tdb.db.nodeRun.count({ where: { runId, nodeId: 'start' } })).toBe(1);
    expect(run.steps.find((s) => s.nodeId === 'call')!.outputs[0]).toMatchObject({ body: { ok: 'now' } });
  });

  it('re-runs with the same trigger event as a new run', async () => {
    const { id } = await createFlow(ws, { name: 'Rerun', graph: httpFlow('/ok') });
    const first = await finished((await startRun(ws, { flowId: id, triggerKind: 'manual', payload: { who: 'Ada' } })).runId);
    const { runId } = await rerun(ws, first.id);
    const second = await finished(runId);
    expect(second.id).not.toBe(first.id);
    expect(second.rerunOf).toBe(first.id);
    expect(second.steps[0]!.input).toEqual({ who: 'Ada' });
  });

  it('deactivating a flow cancels its queued runs and refuses its webhooks', async () => {
    const graph = { nodes: [{ id: 'hook', type: 'webhook', options: {} }], edges: [] };
    const { id } = await createFlow(ws, { name: 'Deactivate me', graph });
    // Queue a run where no worker listens, so it stays queued.
    await closeQueues();
    Object.assign(process.env, { MUNINN_QUEUE_PREFIX: `${prefix}-idle` });
    resetEnvCache();
    const { runId } = await startRun(ws, { flowId: id, triggerKind: 'manual' });
    await closeQueues();
    Object.assign(process.env, { MUNINN_QUEUE_PREFIX: prefix });
    resetEnvCache();
    expect((await getRun(ws, runId)).status).toBe('queued');
    const { cancelledRuns } = await setFlowActive(ws, id, false);
    expect(cancelledRuns).toBe(1);
    expect((await getRun(ws, runId)).status).toBe('cancelled');
    const token = (await getFlow(ws, id, 'http://x')).webhooks[0]!.url.split('/').pop()!;
    const res = await webhookPost(new Request(`http://x/api/hooks/${token}`, { method: 'POST', body: '{}' }), { params: Promise.resolve({ token }) });
    expect(res.status).toBe(404);
  });
});

describe('signed webhooks', () => {
  const secret = 'whsec_' + Buffer.from('a-very-secret-signing-key-32byte').toString('base64');
  function sign(id: string, ts: number, body: string, key = secret) {
    const sig = createHmac('sha256', Buffer.from(key.slice(6), 'base64')).update(`${id}.${ts}.${body}`).digest('base64');
    return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}`, 'content-type': 'application/json' };
  }

  it('accepts a signed request once, and refuses forged, stale and replayed ones', async () => {
    const { id: credId } = await createCredential(ws, { type: 'webhook_secret', name: 'Sender secret', data: { secret } });
    const graph = { nodes: [{ id: 'hook', type: 'webhook', options: { signature: 'standard_webhooks', secret: credId } }], edges: [] };
    const { id } = await createFlow(ws, { name: 'Signed', graph });
    const token = (await getFlow(ws, id, 'http://x')).webhooks[0]!.url.split('/').pop()!;
    const post = (headers: Record<string, string>, body: string) =>
      webhookPost(new Request(`http://x/api/hooks/${token}`, { method: 'POST', body, headers }), { params: Promise.resolve({ token }) });
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ order: 42 });

    const ok = await post(sign('msg_1', now, body), body);
    expect(ok.status).toBe(202);
    const { runId } = (await ok.json()) as { runId: string };

    const replay = await post(sign('msg_1', now, body), body);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ runId, duplicate: true });

    const forged = await post(sign('msg_2', now, body, 'whsec_' + Buffer.from('wrong-key').toString('base64')), body);
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(/does not match the secret/);

    const tampered = await post(sign('msg_3', now, body), JSON.stringify({ order: 43 }));
    expect(tampered.status).toBe(401);

    const stale = await post(sign('msg_4', now - 3_600, body), body);
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: { message: string } }).error.message).toMatch(/too old/);

    const unsigned = await post({ 'content-type': 'application/json' }, body);
    expect(unsigned.status).toBe(401);

    expect(await tdb.db.run.count({ where: { flowId: id } })).toBe(1);
  });

  it('answers 413 for an oversized body', async () => {
    const graph = { nodes: [{ id: 'hook', type: 'webhook', options: {} }], edges: [] };
    const { id } = await createFlow(ws, { name: 'Big body', graph });
    const token = (await getFlow(ws, id, 'http://x')).webhooks[0]!.url.split('/').pop()!;
    const res = await webhookPost(new Request(`http://x/api/hooks/${token}`, { method: 'POST', body: JSON.stringify({ x: 'y'.repeat(60_000) }) }), {
      params: Promise.resolve({ token }),
    });
    expect(res.status).toBe(413);
  });

  it('can answer with the output of a node', async () => {
    const graph = {
      nodes: [
        { id: 'hook', type: 'webhook', options: { respond: 'with_output', responseNode: 'answer', responseTimeoutSeconds: 15 } },
        { id: 'answer', type: 'transform', options: { template: { greeting: 'Hello {{ name }}' } } },
      ],
      edges: [{ source: 'hook', target: 'answer' }],
    };
    const { id } = await createFlow(ws, { name: 'Sync answer', graph });
    const token = (await getFlow(ws, id, 'http://x')).webhooks[0]!.url.split('/').pop()!;
    const res = await webhookPost(new Request(`http://x/api/hooks/${token}`, { method: 'POST', body: JSON.stringify({ name: 'Ada' }) }), {
      params: Promise.resolve({ token }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ greeting: 'Hello Ada' });
  });
});

describe('routing and memory through the worker', () => {
  it('routes by switch outputs and drops duplicates with dedup memory', async () => {
    const graph = {
      nodes: [
        { id: 'start', type: 'manual', options: {} },
        { id: 'seen', type: 'dedup', options: { key: '{{ id }}' } },
        {
          id: 'route',
          type: 'switch',
          options: { routes: [{ name: 'big', rules: [{ path: 'amount', op: 'gt', value: 100 }] }], fallback: 'small' },
        },
        { id: 'tagBig', type: 'set_fields', options: { fields: { size: 'big' } } },
        { id: 'tagSmall', type: 'set_fields', options: { fields: { size: 'small' } } },
      ],
      edges: [
        { source: 'start', target: 'seen' },
        { source: 'seen', target: 'route' },
        { source: 'route', target: 'tagBig', sourceHandle: 'big' },
        { source: 'route', target: 'tagSmall', sourceHandle: 'small' },
      ],
    };
    const { id } = await createFlow(ws, { name: 'Route', graph });
    const runs: Array<Awaited<ReturnType<typeof finished>>> = [];
    for (const payload of [{ id: 1, amount: 500 }, { id: 2, amount: 5 }, { id: 1, amount: 500 }]) {
      runs.push(await finished((await startRun(ws, { flowId: id, triggerKind: 'manual', payload })).runId));
    }
    const last = (run: (typeof runs)[number]) => run.steps.at(-1)!;
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(last(runs[0]!).nodeId).toBe('tagBig');
    expect(last(runs[0]!).outputs[0]).toEqual({ id: 1, amount: 500, size: 'big' });
    expect(last(runs[1]!).nodeId).toBe('tagSmall');
    // The third event repeats id 1: dedup drops it, so the run ends after the dedup step.
    expect(runs[2]!.steps.map((s) => s.nodeId)).toEqual(['start', 'seen']);
    expect(runs[2]!.steps[1]!.outputs).toEqual([]);
  });
});

describe('schedules', () => {
  it('starts exactly one run per tick with two workers, and stops when the flow is deactivated', async () => {
    workers.push(startWorker(workerEnv()));
    const graph = { nodes: [{ id: 'tick', type: 'schedule', options: { mode: 'cron', cron: '*/2 * * * * *' } }], edges: [] };
    const { id } = await createFlow(ws, { name: 'Every 2 seconds', graph });
    await waitFor(async () => (await tdb.db.run.count({ where: { flowId: id, status: 'succeeded' } })) >= 3, { what: '3 scheduled runs', timeoutMs: 20_000 });
    await setFlowActive(ws, id, false);
    const countAtStop = await tdb.db.run.count({ where: { flowId: id } });
    await new Promise((r) => setTimeout(r, 4_500));
    const runs = await tdb.db.run.findMany({ where: { flowId: id }, select: { triggerKind: true, events: { where: { nodeRunId: null }, select: { payload: true } } } });
    expect(runs.length).toBeLessThanOrEqual(countAtStop + 1);
    const ticks = runs.map((r) => (r.events[0]!.payload as { scheduledAt: string }).scheduledAt);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(runs.every((r) => r.triggerKind === 'schedule')).toBe(true);
  });
});
