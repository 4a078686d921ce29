import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { defaultWorkerId, removeHeartbeat, writeHeartbeat } from '../server/services/monitoring/heartbeat';
import { alertsDirtyKey } from '../server/services/monitoring/events';
import { evaluateAlerts } from '../server/services/monitoring/alerts';
import { pruneRunData } from '../server/services/monitoring/retention';
import { closeMonitoringRedis, monitoringKey, monitoringRedis } from '../server/services/monitoring/redis';

/**
 * The worker's monitoring loops:
 * - heartbeat: a key with a TTL in Redis, read by /api/metrics (muninn_workers_alive);
 * - alerts, soon after runs end: flows whose runs ended (publishRunChange adds them to a Redis
 *   set) are popped — each by one worker — and their rules evaluated;
 * - alerts, periodically (every 30 s): every rule, for conditions that change with time alone
 *   ("no success for 2 h", a sliding error rate), plus retries of undelivered notices;
 * - retention, periodically (every 10 min): deletes and truncates run data by policy.
 * The periodic passes take a Redis lock so that with N workers one of them does each pass.
 *
 * worker/index.ts calls startMaintenance() once the queues are up and awaits stopMaintenance() on
 * shutdown, before closing database and Redis connections.
 */

export interface MaintenanceOptions {
  workerId?: string;
  heartbeatMs?: number;
  /** How often ended runs are looked for. */
  dirtyFlowsMs?: number;
  alertsMs?: number;
  retentionMs?: number;
}

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

interface Loop {
  timer: NodeJS.Timeout;
  running?: Promise<unknown>;
}

interface State {
  workerId: string;
  loops: Loop[];
  stopping: boolean;
}

let state: State | undefined;

/** Runs `work` every `everyMs`, never overlapping itself; errors are logged, not thrown. */
function every(name: string, everyMs: number, work: () => Promise<unknown>, runNow = false): Loop {
  const loop: Loop = { timer: undefined as unknown as NodeJS.Timeout };
  const tick = () => {
    if (loop.running || state?.stopping) return;
    loop.running = work()
      .catch((e: Error) => console.warn(`[maintenance] ${name}: ${e.message}`))
      .finally(() => {
        loop.running = undefined;
      });
  };
  loop.timer = setInterval(tick, everyMs);
  loop.timer.unref();
  if (runNow) tick();
  return loop;
}

/** Runs `work` only if no other worker holds the lock `name`; the lock expires after `ttlMs`. */
async function withLock(name: string, ttlMs: number, work: () => Promise<unknown>): Promise<void> {
  const key = monitoringKey('lock', name);
  const token = randomUUID();
  const got = await monitoringRedis().set(key, token, 'PX', ttlMs, 'NX');
  if (got !== 'OK') return;
  try {
    await work();
  } finally {
    // Release only our own lock (it may have expired and been taken by another worker).
    await monitoringRedis()
      .eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1, key, token)
      .catch(() => undefined);
  }
}

export function startMaintenance(opts: MaintenanceOptions = {}): void {
  if (state) return;
  const workerId = opts.workerId ?? defaultWorkerId();
  const heartbeatMs = opts.heartbeatMs ?? num('WORKER_HEARTBEAT_MS', 10_000);
  const alertsMs = opts.alertsMs ?? num('WORKER_ALERTS_MS', 30_000);
  const retentionMs = opts.retentionMs ?? num('WORKER_RETENTION_MS', 10 * 60_000);
  const dirtyFlowsMs = opts.dirtyFlowsMs ?? num('WORKER_ALERTS_DIRTY_MS', 1_000);
  const info = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  state = { workerId, loops: [], stopping: false };

  state.loops.push(
    // Three missed beats and the worker counts as dead.
    every('heartbeat', heartbeatMs, () => writeHeartbeat(workerId, Math.ceil((heartbeatMs * 3) / 1000), info), true),
    every('alerts after runs', dirtyFlowsMs, async () => {
      const flowIds = (await monitoringRedis().spop(alertsDirtyKey(), 200)) ?? [];
      if (flowIds.length) await evaluateAlerts({ flowIds });
    }),
    every('alerts', alertsMs, () => withLock('alerts', Math.max(alertsMs, 60_000), () => evaluateAlerts({ retryDeliveries: true })), true),
    every('retention', retentionMs, () =>
      withLock('retention', Math.max(retentionMs, 15 * 60_000), async () => {
        const r = await pruneRunData({ shouldStop: () => state?.stopping ?? true });
        if (r.deletedRuns || r.truncatedEvents) console.log(`[maintenance] retention deleted ${r.deletedRuns} run(s), truncated ${r.truncatedEvents} payload(s)`);
      }),
    ),
  );
}

/** Stops the loops, waits for passes in flight, and removes this worker's heartbeat. */
export async function stopMaintenance(): Promise<void> {
  const s = state;
  if (!s) return;
  s.stopping = true;
  for (const loop of s.loops) clearInterval(loop.timer);
  await Promise.allSettled(s.loops.map((l) => l.running));
  await removeHeartbeat(s.workerId).catch(() => undefined);
  await closeMonitoringRedis();
  state = undefined;
}
