import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { startWorker, waitFor, type WorkerHandle } from '@/server/testing/worker-process';
import { setDb } from '@/server/db';
import { resetEnvCache } from '@/server/env';
import { closeQueues } from '@/server/queue/queues';
import { forgetDefaultWorkspace, defaultWorkspaceId } from '@/server/services/workspaces';
import { createFlow } from '@/server/services/flows';
import { startRun } from '@/server/services/runs';

/**
 * Redis is a queue, not the record: when it restarts empty (no persistence), every accepted run
 * still finishes, because the outbox in Postgres knows what was due and the reconciler queues
 * it again. A private redis-server is used so the shared one is never touched.
 */
let tdb: TestDatabase;
let worker: WorkerHandle;
let redis: ChildProcess | undefined;
let port: number;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
}

async function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => (socket.end(), resolve(true)));
        socket.once('error', () => resolve(false));
      }),
    { what: 'redis-server to listen', timeoutMs: 10_000 },
  );
}

async function killRedis(): Promise<void> {
  if (!redis || redis.exitCode !== null) return;
  const exited = new Promise((r) => redis!.once('exit', r));
  redis.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  tdb = await createTestDatabase('redisrestart');
  const env = { DATABASE_URL: tdb.url, REDIS_URL: `redis://127.0.0.1:${port}`, MUNINN_QUEUE_PREFIX: testQueuePrefix('redisrestart') };
  Object.assign(process.env, env);
  resetEnvCache();
  setDb(tdb.db);
  forgetDefaultWorkspace();
  worker = startWorker({ ...env, WORKER_RECONCILE_MS: '500', WORKER_RECONCILE_VANISHED_MS: '2000' });
});

afterAll(async () => {
  await worker?.stop('SIGTERM');
  await closeQueues();
  await killRedis();
  await tdb?.drop();
});

describe('Redis restarts empty', () => {
  it('finishes every accepted run, including those accepted while Redis was down', async () => {
    const ws = await defaultWorkspaceId();
    const graph = {
      nodes: [
        { id: 'start', type: 'manual', options: {} },
        { id: 'hold', type: 'delay', options: { duration: '3s' } },
        { id: 'after', type: 'transform', options: { template: { n: '{{ n }}' } } },
      ],
      edges: [
        { source: 'start', target: 'hold' },
        { source: 'hold', target: 'after' },
      ],
    };
    const { id: flowId } = await createFlow(ws, { name: 'Survives Redis', graph });
    const before: string[] = [];
    for (let n = 0; n < 20; n++) before.push((await startRun(ws, { flowId, triggerKind: 'manual', payload: { n } })).runId);
    // Wait until the delayed steps sit in Redis, then lose Redis with everything in it.
    await waitFor(async () => (await tdb.db.pendingStep.count({ where: { nodeId: 'after', enqueuedAt: { not: null } } })) === 20, {
      what: 'the delayed steps to be queued',
    });
    await killRedis();

    // Accepted while Redis is down: committed to Postgres, handed to Redis later.
    const during = (await startRun(ws, { flowId, triggerKind: 'manual', payload: { n: 99 } })).runId;
    expect(await tdb.db.pendingStep.count({ where: { runId: during, enqueuedAt: null } })).toBe(1);

    await startRedis();
    await waitFor(async () => (await tdb.db.run.count({ where: { flowId, status: 'succeeded' } })) === 21, {
      what: 'all 21 runs to succeed after Redis came back',
      timeoutMs: 45_000,
      intervalMs: 250,
    });
    expect(await tdb.db.nodeRun.count({ where: { run: { flowId } } })).toBe(21 * 3);
    expect(worker.output()).toMatch(/reconciler re-queued/);
  }, 90_000);
});
