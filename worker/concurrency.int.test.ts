import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { startWorker, waitFor, type WorkerHandle } from '@/server/testing/worker-process';
import { startTestServer, type TestServer } from '@/server/testing/http-server';
import { setDb } from '@/server/db';
import { resetEnvCache } from '@/server/env';
import { appError } from '@/server/testing/app-error';
import { closeQueues } from '@/server/queue/queues';
import { closeScheduleQueue } from '@/server/services/schedules';
import { forgetDefaultWorkspace, defaultWorkspaceId } from '@/server/services/workspaces';
import { createFlow, getFlow, setFlowActive } from '@/server/services/flows';
import { cancelRun, getRun, listRunsForFlow, retryRunFromFailure, startRun } from '@/server/services/runs';
import { flowLoad, setFlowConcurrency } from '@/server/services/concurrency';
import { reconcileOutbox } from '@/server/services/outbox';
import { listRunsAcrossFlows } from '@/server/services/monitoring/run-explorer';

/**
 * "Run at most N at a time": runs beyond a flow's limit wait (held in the outbox) and start in
 * order of arrival as slots free up. The slow step is an HTTP call to a local server that holds
 * requests open and counts how many it holds at once: the limit is checked where it matters.
 */
let tdb: TestDatabase;
let api: TestServer;
let ws: string;
let prefix: string;
let worker: WorkerHandle | undefined;

/** Requests the server holds right now, the most it held at once, and the order they came in. */
const seen = { inFlight: 0, max: 0, order: [] as string[] };
/** The `n`s that /gate-fail-once has already refused: it refuses each one once (400), after the gate opens. */
const refusedOnce = new Set<string>();
/** Requests to /gate (and /gate-fail-once) wait until the gate opens. */
let openGate: () => void = () => undefined;
let gate = Promise.resolve();
function closeGate() {
  gate = new Promise((resolve) => (openGate = resolve));
}

function workerEnv(extra: Record<string, string> = {}) {
  return { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: prefix, MUNINN_ALLOWED_HOSTS: '127.0.0.1', WORKER_CONCURRENCY: '8', ...extra };
}

beforeAll(async () => {
  tdb = await createTestDatabase('concurrency');
  prefix = testQueuePrefix('concurrency');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: prefix, MUNINN_ALLOWED_HOSTS: '127.0.0.1' });
  resetEnvCache();
  setDb(tdb.db);
  forgetDefaultWorkspace();
  ws = await defaultWorkspaceId();
  api = await startTestServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.inFlight++;
    seen.max = Math.max(seen.max, seen.inFlight);
    seen.order.push(url.searchParams.get('n') ?? '');
    res.on('close', () => seen.inFlight--);
    if (url.pathname === '/gate' || url.pathname === '/gate-fail-once') await gate;
    else await new Promise((r) => setTimeout(r, Number(url.searchParams.get('ms') ?? 0)));
    const n = url.searchParams.get('n') ?? '';
    if (url.pathname === '/gate-fail-once' && !refusedOnce.has(n)) {
      refusedOnce.add(n);
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"not yet"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});

afterAll(async () => {
  openGate();
  if (worker) expect(await worker.stop('SIGTERM'), worker.output()).toBe(0);
  await closeQueues();
  await closeScheduleQueue();
  await api?.close();
  await tdb?.drop();
});

function resetSeen() {
  Object.assign(seen, { inFlight: 0, max: 0, order: [] });
}

async function limitedFlow(name: string, limit: number, path: string) {
  const graph = {
    nodes: [
      { id: 'start', type: 'manual', options: {} },
      { id: 'call', type: 'http_request', label: 'Slow API', options: { url: `${api.url}${path}${path.includes('?') ? '&' : '?'}n={{ n }}` } },
    ],
    edges: [{ source: 'start', target: 'call' }],
  };
  const { id } = await createFlow(ws, { name, graph });
  await setFlowConcurrency(ws, id, limit);
  return id;
}

async function startMany(flowId: string, count: number, from = 0): Promise<string[]> {
  const ids: string[] = [];
  // One after another: "order of arrival" is then the order of this loop.
  for (let n = from; n < from + count; n++) ids.push((await startRun(ws, { flowId, triggerKind: 'manual', payload: { n } })).runId);
  return ids;
}

const heldRows = (flowId: string) => tdb.db.pendingStep.count({ where: { heldFlowId: flowId } });

async function allFinished(runIds: string[], timeoutMs = 60_000) {
  return waitFor(
    async () => {
      const runs = await Promise.all(runIds.map((id) => getRun(ws, id)));
      return runs.every((r) => ['succeeded', 'failed', 'cancelled'].includes(r.status)) ? runs : null;
    },
    { what: 'the runs to finish', timeoutMs },
  );
}

function ensureWorker(extra: Record<string, string> = {}) {
  worker ??= startWorker(workerEnv(extra));
  return worker;
}

/** No reconciler passes during a test: what starts waiting runs must be the end, cancel or change itself. */
const NO_RECONCILER = { WORKER_RECONCILE_MS: '600000' };

describe('starting runs of a limited flow (no worker yet: nothing finishes)', () => {
  it('lets exactly N in and holds the rest, even when triggers arrive all at once', async () => {
    const flowId = await limitedFlow('Burst', 3, '/slow?ms=1');
    const ids = await Promise.all(Array.from({ length: 20 }, (_, n) => startRun(ws, { flowId, triggerKind: 'manual', payload: { n } })));
    expect(new Set(ids.map((r) => r.runId)).size).toBe(20);
    expect(await heldRows(flowId)).toBe(17);
    expect(await flowLoad(flowId)).toEqual({ active: 3, waiting: 17 });
    // Held rows are not the reconciler's to hand over, however old they get.
    await reconcileOutbox({ unflushedAfterMs: 0 });
    expect(await tdb.db.pendingStep.count({ where: { run: { flowId }, enqueuedAt: { not: null } } })).toBe(3);
    // Waiting runs say so in plain words in the run history.
    const listed = await listRunsForFlow(ws, { flowId, limit: 100 });
    expect(listed.items.filter((r) => r.waiting)).toHaveLength(17);
    const waitingRun = await getRun(ws, listed.items.find((r) => r.waiting)!.id);
    expect(waitingRun.waiting).toBe('Waiting: 3 runs of this flow are already running.');
    // …and in the runs explorer across flows.
    const explored = await listRunsAcrossFlows(ws, { flowIds: [flowId], limit: 100 });
    expect(explored.items.filter((r) => r.waiting).map((r) => r.id).sort()).toEqual(listed.items.filter((r) => r.waiting).map((r) => r.id).sort());
    await setFlowActive(ws, flowId, false);
  });

  it('keeps a duplicate trigger to one run on a limited flow', async () => {
    const flowId = await limitedFlow('Dedup', 1, '/slow?ms=1');
    const a = await startRun(ws, { flowId, triggerKind: 'webhook', dedupKey: 'delivery-1' });
    const b = await startRun(ws, { flowId, triggerKind: 'webhook', dedupKey: 'delivery-1' });
    expect(b).toEqual({ runId: a.runId, duplicate: true });
    expect(await tdb.db.run.count({ where: { flowId } })).toBe(1);
    await setFlowActive(ws, flowId, false);
  });

  it('refuses a limit outside 1–1000 in words a person understands', async () => {
    const flowId = await limitedFlow('Bad limit', 2, '/slow?ms=1');
    for (const bad of [0, -1, 1.5, 1001]) {
      const err = await appError(setFlowConcurrency(ws, flowId, bad));
      expect(err.code).toBe('VALIDATION');
      expect(err.message).toMatch(/whole number from 1 to 1000/);
    }
    expect((await getFlow(ws, flowId, 'http://x')).maxConcurrentRuns).toBe(2);
    await setFlowConcurrency(ws, flowId, null);
    expect((await getFlow(ws, flowId, 'http://x')).maxConcurrentRuns).toBeNull();
  });
});

describe('with a worker', () => {
  beforeAll(() => void ensureWorker(NO_RECONCILER));

  it('never runs more than the limit at once, and runs every waiting run in order of arrival', async () => {
    resetSeen();
    const flowId = await limitedFlow('Two at a time', 2, '/slow?ms=300');
    const runIds = await startMany(flowId, 8);
    expect(await heldRows(flowId)).toBeGreaterThanOrEqual(5);
    const runs = await allFinished(runIds);
    expect(runs.map((r) => r.status)).toEqual(Array(8).fill('succeeded'));
    expect(seen.max).toBe(2);
    expect(seen.order).toHaveLength(8);
    // Two slots: a run may overtake the one right before it (they start together), never more.
    seen.order.forEach((n, position) => expect(Math.abs(Number(n) - position), seen.order.join(',')).toBeLessThanOrEqual(1));
    expect(await tdb.db.pendingStep.count({ where: { run: { flowId } } })).toBe(0);
  });

  it('starts waiting runs at once when the limit is raised, and all of them when it is removed', async () => {
    resetSeen();
    closeGate();
    const flowId = await limitedFlow('Raise', 1, '/gate');
    const runIds = await startMany(flowId, 6);
    await waitFor(async () => seen.inFlight === 1, { what: 'the first run to call the API' });
    expect(await heldRows(flowId)).toBe(5);

    expect((await setFlowConcurrency(ws, flowId, 3)).released).toBe(2);
    await waitFor(async () => seen.inFlight === 3, { what: 'two more runs to call the API' });
    expect(await heldRows(flowId)).toBe(3);

    expect((await setFlowConcurrency(ws, flowId, null)).released).toBe(3);
    await waitFor(async () => seen.inFlight === 6, { what: 'every run to call the API' });
    openGate();
    const runs = await allFinished(runIds);
    expect(runs.map((r) => r.status)).toEqual(Array(6).fill('succeeded'));
    expect(seen.max).toBe(6);
  });

  it('cancels waiting runs when the flow is switched off; the run under way finishes', async () => {
    resetSeen();
    closeGate();
    const flowId = await limitedFlow('Switch off', 1, '/gate');
    const [first, ...waiting] = await startMany(flowId, 4);
    await waitFor(async () => seen.inFlight === 1, { what: 'the first run to call the API' });

    const { cancelledRuns } = await setFlowActive(ws, flowId, false);
    expect(cancelledRuns).toBe(3);
    expect(await tdb.db.pendingStep.count({ where: { runId: { in: waiting } } })).toBe(0);
    openGate();
    const runs = await allFinished([first!, ...waiting]);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'cancelled', 'cancelled', 'cancelled']);
    expect(runs[1]!.error).toMatch(/switched off/);
    // Nothing waiting was handed over on the way: only the first run ever called the API.
    expect(seen.order).toEqual(['0']);
    expect(await tdb.db.pendingStep.count({ where: { run: { flowId } } })).toBe(0);
  });

  it('starts the next waiting run when a user cancels the one under way', async () => {
    resetSeen();
    closeGate();
    const flowId = await limitedFlow('Cancel frees a slot', 1, '/gate');
    const [first, second] = await startMany(flowId, 2);
    await waitFor(async () => seen.inFlight === 1, { what: 'the first run to call the API' });
    await cancelRun(ws, first!);
    await waitFor(async () => seen.order.length === 2, { what: 'the waiting run to start' });
    openGate();
    const runs = await allFinished([first!, second!]);
    expect(runs.map((r) => r.status)).toEqual(['cancelled', 'succeeded']);
  });
});

describe('retrying a failed run from its failed steps', () => {
  beforeAll(() => void ensureWorker(NO_RECONCILER));

  /** Two calls side by side; each event says which path they call, so runs of one flow can behave differently. */
  async function twoCallFlow(name: string, limit: number) {
    const call = (id: string) => ({ id, type: 'http_request', options: { url: `${api.url}/{{ route }}?n={{ n }}-${id}` } });
    const graph = {
      nodes: [{ id: 'start', type: 'manual', options: {} }, call('left'), call('right')],
      edges: [{ source: 'start', target: 'left' }, { source: 'start', target: 'right' }],
    };
    const { id } = await createFlow(ws, { name, graph });
    await setFlowConcurrency(ws, id, limit);
    return id;
  }

  const start = async (flowId: string, route: string, n: string) => (await startRun(ws, { flowId, triggerKind: 'manual', payload: { route, n } })).runId;

  it('waits its turn behind the run under way, then goes before runs that came after it', async () => {
    resetSeen();
    closeGate();
    const flowId = await twoCallFlow('Retry waits', 1);
    // Both calls are under way when the gate opens and both are refused: two failed steps.
    const failed = await start(flowId, 'gate-fail-once', 'A');
    await waitFor(async () => seen.inFlight === 2, { what: "both of the first run's calls" });
    openGate();
    expect((await allFinished([failed]))[0]!.status).toBe('failed');
    expect(await tdb.db.nodeRun.count({ where: { runId: failed, status: 'failed' } })).toBe(2);

    closeGate();
    const busy = await start(flowId, 'gate', 'B');
    await waitFor(async () => seen.inFlight === 2, { what: "the busy run's calls" });
    expect(await retryRunFromFailure(ws, failed)).toEqual({ runId: failed, steps: 2 });
    const waiting = await getRun(ws, failed);
    expect(waiting.status).toBe('queued');
    expect(waiting.waiting).toBe('Waiting: 1 run of this flow is already running.');
    expect(await heldRows(flowId)).toBe(2);
    // One waiting run, however many of its steps wait with it.
    expect(await flowLoad(flowId)).toEqual({ active: 1, waiting: 1 });
    const later = await start(flowId, 'slow', 'C');
    expect(await flowLoad(flowId)).toEqual({ active: 1, waiting: 2 });

    openGate();
    const runs = await allFinished([failed, busy, later]);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // One run at a time (two calls each): the retried run's calls came after the busy run's, before the later run's.
    expect(seen.max).toBe(2);
    const order = seen.order.map((n) => n[0]).join('');
    expect(order).toBe('AABBAACC');
    expect(await tdb.db.pendingStep.count({ where: { run: { flowId } } })).toBe(0);
  });

  it('goes straight back to running when the flow has room', async () => {
    resetSeen();
    const flowId = await twoCallFlow('Retry with room', 1);
    const failed = await start(flowId, 'gate-fail-once', 'D');
    expect((await allFinished([failed]))[0]!.status).toBe('failed');
    await retryRunFromFailure(ws, failed);
    expect((await getRun(ws, failed)).status).not.toBe('queued');
    expect(await heldRows(flowId)).toBe(0);
    expect((await allFinished([failed]))[0]!.status).toBe('succeeded');
  });
});

describe('crashes', () => {
  it('a waiting run whose release was lost is started by the reconciler of a worker that starts later', async () => {
    if (worker) expect(await worker.stop('SIGTERM'), worker.output()).toBe(0);
    worker = undefined;
    resetSeen();
    const flowId = await limitedFlow('Lost release', 1, '/slow?ms=1');
    const [first, second] = await startMany(flowId, 2);
    expect(await heldRows(flowId)).toBe(1);
    // What a worker that died right after recording the first run's end leaves behind: the run
    // ended (its step recorded) but nobody released the waiting one.
    await tdb.db.$transaction([
      tdb.db.pendingStep.deleteMany({ where: { runId: first } }),
      tdb.db.run.update({ where: { id: first }, data: { status: 'succeeded', pendingSteps: 0, finishedAt: new Date() } }),
    ]);
    ensureWorker();
    const [, run] = await allFinished([first!, second!], 30_000);
    expect(run!.status).toBe('succeeded');
    expect(seen.order).toEqual(['1']);
  });

  it('a waiting run survives its worker being killed mid-run (kill -9), and runs after a restart', async () => {
    if (worker) expect(await worker.stop('SIGTERM'), worker.output()).toBe(0);
    const fast = { WORKER_LOCK_MS: '2000', WORKER_STALLED_MS: '1000' };
    worker = startWorker(workerEnv(fast));
    resetSeen();
    closeGate();
    const flowId = await limitedFlow('Killed', 1, '/gate');
    const [first, second] = await startMany(flowId, 2);
    await waitFor(async () => seen.inFlight === 1, { what: 'the first run to call the API' });
    await worker.stop('SIGKILL');
    worker = startWorker(workerEnv(fast));
    openGate();
    const runs = await allFinished([first!, second!], 60_000);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    // The first run's call was repeated after the crash; the waiting run came strictly after it.
    expect(seen.order.at(-1)).toBe('1');
    expect(seen.max).toBe(1);
  });
});
