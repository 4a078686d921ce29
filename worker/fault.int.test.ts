import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { startWorker, waitFor, type WorkerHandle } from '@/server/testing/worker-process';
import { startTestServer, type TestServer } from '@/server/testing/http-server';
import { setDb } from '@/server/db';
import { resetEnvCache } from '@/server/env';
import { closeQueues } from '@/server/queue/queues';
import { forgetDefaultWorkspace, defaultWorkspaceId } from '@/server/services/workspaces';
import { createFlow } from '@/server/services/flows';
import { startRun } from '@/server/services/runs';

/**
 * The promise of the engine, tested by force: while thousands of events flow through a 3-step
 * flow across 3 worker processes, a random worker is killed with SIGKILL every few seconds and
 * restarted. Afterwards every accepted event has a succeeded run, no step ran twice to success,
 * and the HTTP sink (which honours Idempotency-Key like a real API) saw each effect once.
 */
const EVENTS = Number(process.env.FAULT_TEST_EVENTS ?? 2_000);
const WORKERS = 3;

let tdb: TestDatabase;
let sink: TestServer;
let prefix: string;
const workers: WorkerHandle[] = [];
/** Idempotency-Key → number of requests carrying it. An effect happens on the first one only. */
const effects = new Map<string, number>();

function workerEnv() {
  return {
    DATABASE_URL: tdb.url,
    MUNINN_QUEUE_PREFIX: prefix,
    MUNINN_ALLOWED_HOSTS: '127.0.0.1',
    WORKER_CONCURRENCY: '8',
    WORKER_LOCK_MS: '4000',
    WORKER_STALLED_MS: '2000',
    WORKER_RECONCILE_MS: '1000',
    WORKER_RECONCILE_VANISHED_MS: '5000',
    DATABASE_POOL_SIZE: '10',
  };
}

beforeAll(async () => {
  tdb = await createTestDatabase('fault');
  prefix = testQueuePrefix('fault');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: prefix });
  resetEnvCache();
  setDb(tdb.db);
  forgetDefaultWorkspace();
  sink = await startTestServer((req, res) => {
    const key = String(req.headers['idempotency-key'] ?? '');
    effects.set(key, (effects.get(key) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ stored: key }));
  });
  for (let i = 0; i < WORKERS; i++) workers.push(startWorker(workerEnv()));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGTERM')));
  await closeQueues();
  await sink?.close();
  await tdb?.drop();
});

describe('kill -9 under load', () => {
  it(`loses nothing and duplicates nothing with ${EVENTS} events and workers dying`, async () => {
    const ws = await defaultWorkspaceId();
    const graph = {
      nodes: [
        { id: 'in', type: 'webhook', options: {} },
        { id: 'send', type: 'http_request', options: { method: 'POST', url: `${sink.url}/orders`, body: { order: '{{ n }}' } }, retry: { attempts: 10, backoffMs: 200 } },
        { id: 'done', type: 'transform', options: { template: { order: '{{ body.stored }}' } } },
      ],
      edges: [
        { source: 'in', target: 'send' },
        { source: 'send', target: 'done' },
      ],
    };
    const { id: flowId } = await createFlow(ws, { name: 'Fault test', graph });

    let killing = process.env.FAULT_TEST_NO_KILL !== '1';
    const started = Date.now();
    const progress = setInterval(() => {
      void Promise.all([tdb.db.run.count({ where: { flowId, status: 'succeeded' } }), tdb.db.pendingStep.count()]).then(([done, pending]) =>
        console.log(`[fault] ${Math.round((Date.now() - started) / 1000)}s: ${done} runs succeeded, ${pending} steps pending, ${kills} kills`),
      );
    }, 10_000);
    let kills = 0;
    const killer = (async () => {
      while (killing) {
        await new Promise((r) => setTimeout(r, 3_000 + Math.random() * 2_000));
        if (!killing) break;
        const i = Math.floor(Math.random() * workers.length);
        await workers[i]!.stop('SIGKILL');
        kills++;
        workers[i] = startWorker(workerEnv());
      }
    })();

    const accepted: string[] = [];
    for (let n = 0; n < EVENTS; n += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, EVENTS - n) }, (_, j) => startRun(ws, { flowId, triggerKind: 'webhook', nodeId: 'in', payload: { n: n + j } })),
      );
      accepted.push(...batch.map((b) => b.runId));
    }
    expect(accepted).toHaveLength(EVENTS);

    // Keep killing for a while after the last event, then let the survivors finish.
    await waitFor(async () => (await tdb.db.run.count({ where: { flowId, status: 'succeeded' } })) >= EVENTS * 0.6, {
      what: 'most runs to finish',
      timeoutMs: 600_000,
      intervalMs: 500,
    });
    killing = false;
    await killer;
    await waitFor(async () => (await tdb.db.run.count({ where: { flowId, status: 'succeeded' } })) === EVENTS, {
      what: `all ${EVENTS} runs to succeed (${kills} workers killed)`,
      timeoutMs: 300_000,
      intervalMs: 500,
    });

    clearInterval(progress);
    if (process.env.FAULT_TEST_NO_KILL !== '1') expect(kills).toBeGreaterThan(0);
    expect(await tdb.db.run.count({ where: { flowId, status: { not: 'succeeded' } } })).toBe(0);
    expect(await tdb.db.pendingStep.count()).toBe(0);
    // Exactly one NodeRun per step, all succeeded, and three per run.
    expect(await tdb.db.nodeRun.count({ where: { run: { flowId } } })).toBe(EVENTS * 3);
    expect(await tdb.db.nodeRun.count({ where: { run: { flowId }, status: { not: 'succeeded' } } })).toBe(0);
    // Each event exists once: the trigger event, and one emitted by each of the three steps.
    expect(await tdb.db.event.count({ where: { run: { flowId } } })).toBe(EVENTS * 4);
    // The sink saw one effect per run: a key per send step, each belonging to a run we accepted.
    const keys = [...effects.keys()];
    expect(keys).toHaveLength(EVENTS);
    const runIds = new Set(accepted);
    expect(keys.every((k) => runIds.has(k.split(':')[0]!))).toBe(true);
    const resent = [...effects.values()].filter((c) => c > 1).length;
    console.log(`[fault] ${EVENTS} runs, ${kills} workers killed, ${resent} requests re-sent after a kill and absorbed by Idempotency-Key`);
  }, 960_000);
});
