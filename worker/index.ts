import { createServer } from 'node:http';
import { Worker } from 'bullmq';
import { env } from '../server/env';
import { db } from '../server/db';
import { createRedis } from '../server/queue/connection';
import { STEP_QUEUE, queuePrefix, closeQueues, type StepJobData } from '../server/queue/queues';
import { reconcileOutbox } from '../server/services/outbox';
import { releaseAllHeldRuns } from '../server/services/concurrency';
import { backoffStrategy, processStep } from './processors/step';
import { processScheduleTick } from './processors/schedule';
import { startMaintenance, stopMaintenance } from './maintenance';
import { SCHEDULE_QUEUE, closeScheduleQueue, reconcileSchedules, type ScheduleTick } from '../server/services/schedules';
import { checkEncryptionKeys } from '../server/crypto';
import { closeSandbox } from '../server/engine/sandbox';
import { closeAgentHttp } from '../server/engine/safe-http';

const settings = env();
// Fail at boot, not at the first credential, when production has no encryption key.
checkEncryptionKeys();
const drainSeconds = Number(process.env.WORKER_DRAIN_SECONDS ?? 30);
const healthPort = Number(process.env.WORKER_HEALTH_PORT ?? 9464);
const reconcileEveryMs = Number(process.env.WORKER_RECONCILE_MS ?? 5_000);
/** How long an outbox row may sit "enqueued" before we check that its job still exists in Redis. */
const vanishedAfterMs = Number(process.env.WORKER_RECONCILE_VANISHED_MS ?? 30_000);
/** A dead worker's jobs are handed to another after the lock lapses and the stall check runs. */
const lockDurationMs = Number(process.env.WORKER_LOCK_MS ?? 30_000);
const stalledIntervalMs = Number(process.env.WORKER_STALLED_MS ?? 15_000);

const connection = createRedis('worker');
const worker = new Worker<StepJobData>(STEP_QUEUE, processStep, {
  connection,
  prefix: queuePrefix(),
  concurrency: settings.WORKER_CONCURRENCY,
  autorun: true,
  settings: { backoffStrategy },
  // A step stalls when its worker dies (kill -9, OOM); BullMQ hands it to another worker.
  lockDuration: lockDurationMs,
  stalledInterval: stalledIntervalMs,
  maxStalledCount: 5,
});
worker.on('error', (err) => console.error(`[worker] ${err.message}`));

// Schedule ticks: BullMQ job schedulers create one job per tick; each becomes at most one run.
const scheduleConnection = createRedis('worker');
const scheduleWorker = new Worker<ScheduleTick>(SCHEDULE_QUEUE, processScheduleTick, {
  connection: scheduleConnection,
  prefix: queuePrefix(),
  concurrency: 4,
});
scheduleWorker.on('error', (err) => console.error(`[schedules] ${err.message}`));

// Heartbeats, retention pruning and alert evaluation.
startMaintenance();
worker.on('failed', (job, err) => {
  if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) console.warn(`[worker] step ${job.id} failed: ${err.message}`);
});

let ready = false;
let stopping = false;
worker.waitUntilReady().then(
  () => {
    ready = true;
    console.log(`[worker] ready: queue "${STEP_QUEUE}" (prefix ${queuePrefix()}), concurrency ${settings.WORKER_CONCURRENCY}`);
    // A Redis that restarted empty has lost the job schedulers: put them back at once.
    reconcileSchedules().catch((e: Error) => console.warn(`[worker] schedule reconciler: ${e.message}`));
  },
  (err: Error) => console.error(`[worker] could not connect to Redis: ${err.message}`),
);

// The reconciler: outbox rows that never reached Redis, or whose job vanished, are queued again.
let reconciling = false;
const reconciler = setInterval(() => {
  if (reconciling || stopping) return;
  reconciling = true;
  reconcileOutbox({ vanishedAfterMs })
    .then((r) => r.requeued && console.log(`[worker] reconciler re-queued ${r.requeued} step(s)`))
    // Runs waiting for a concurrency slot whose release was lost (a crash right after a run ended).
    .then(() => releaseAllHeldRuns())
    .then((r) => r.released && console.log(`[worker] reconciler started ${r.released} waiting run(s)`))
    .catch((e: Error) => console.warn(`[worker] reconciler: ${e.message}`))
    .finally(() => {
      reconciling = false;
    });
}, reconcileEveryMs);

// Schedules saved while Redis was unreachable (or lost with it) are put back in place.
const scheduleReconciler = setInterval(() => {
  if (stopping) return;
  reconcileSchedules().catch((e: Error) => console.warn(`[worker] schedule reconciler: ${e.message}`));
}, Number(process.env.WORKER_SCHEDULE_RECONCILE_MS ?? 60_000));

const health = createServer((req, res) => {
  if (req.url === '/healthz') {
    // Liveness stays green while draining: a restart now would only cut the drain short.
    res.writeHead(200, { 'content-type': 'text/plain' }).end(stopping ? 'draining' : 'ok');
  } else if (req.url === '/readyz') {
    const ok = ready && !stopping && !worker.closing;
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready' : 'not ready');
  } else {
    res.writeHead(404).end();
  }
});
health.on('error', (e: NodeJS.ErrnoException) => console.warn(`[worker] health endpoint not started: ${e.message}`));
if (healthPort > 0) health.listen(healthPort, '0.0.0.0');

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`[worker] ${signal}: finishing in-flight steps (up to ${drainSeconds}s)…`);
  clearInterval(reconciler);
  clearInterval(scheduleReconciler);
  const force = setTimeout(() => {
    console.error('[worker] drain took too long; exiting. Unfinished steps will be picked up again.');
    process.exit(1);
  }, drainSeconds * 1000);
  force.unref();
  try {
    await Promise.all([worker.close(), scheduleWorker.close()]);
    await stopMaintenance();
    await Promise.all([closeQueues(), closeScheduleQueue()]);
    connection.disconnect();
    scheduleConnection.disconnect();
    await Promise.allSettled([closeSandbox(), closeAgentHttp()]);
    await db().$disconnect();
  } finally {
    health.close();
    console.log('[worker] stopped');
    process.exit(0);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
