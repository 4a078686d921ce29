import os from 'node:os';
import { monitoringKey, monitoringRedis } from './redis';

/**
 * Worker heartbeats. Each worker process writes a key with a TTL every few seconds (worker/
 * maintenance.ts) and records its id in an index sorted by time; the web reads both for
 * /api/metrics. A worker is alive while its key exists; the index remembers workers seen in the
 * last hour, so a dead worker still shows its last heartbeat for a while.
 */

const INDEX_RETENTION_MS = 60 * 60_000;

export interface WorkerHeartbeat {
  worker: string;
  lastSeen: Date;
  alive: boolean;
  info: { pid?: number; host?: string; startedAt?: string } | null;
}

/** Stable for the life of the process: the pod name on Kubernetes (HOSTNAME) plus the pid. */
export function defaultWorkerId(): string {
  return process.env.MUNINN_WORKER_ID ?? `${os.hostname()}-${process.pid}`;
}

const indexKey = () => monitoringKey('workers');
const workerKey = (id: string) => monitoringKey('worker', id);

export async function writeHeartbeat(workerId: string, ttlSeconds: number, info: WorkerHeartbeat['info'] = null, now = Date.now()): Promise<void> {
  await monitoringRedis()
    .multi()
    .set(workerKey(workerId), JSON.stringify({ ...info, at: now }), 'EX', ttlSeconds)
    .zadd(indexKey(), now, workerId)
    .zremrangebyscore(indexKey(), '-inf', now - INDEX_RETENTION_MS)
    .exec();
}

/** A worker shutting down cleanly says so, so it stops counting as alive at once. */
export async function removeHeartbeat(workerId: string): Promise<void> {
  await monitoringRedis().multi().del(workerKey(workerId)).zrem(indexKey(), workerId).exec();
}

export async function readHeartbeats(now = Date.now()): Promise<WorkerHeartbeat[]> {
  const redis = monitoringRedis();
  const flat = await redis.zrangebyscore(indexKey(), now - INDEX_RETENTION_MS, '+inf', 'WITHSCORES');
  const entries: Array<{ worker: string; at: number }> = [];
  for (let i = 0; i < flat.length; i += 2) entries.push({ worker: flat[i]!, at: Number(flat[i + 1]) });
  if (entries.length === 0) return [];
  const values = await redis.mget(entries.map((e) => workerKey(e.worker)));
  return entries.map((e, i) => {
    const raw = values[i];
    let info: WorkerHeartbeat['info'] = null;
    if (raw) {
      try {
        info = JSON.parse(raw) as WorkerHeartbeat['info'];
      } catch {
        info = null;
      }
    }
    return { worker: e.worker, lastSeen: new Date(e.at), alive: raw !== null && raw !== undefined, info };
  });
}
