import type { Redis } from 'ioredis';
import { createRedis } from '../../queue/connection';
import { queuePrefix } from '../../queue/queues';

/**
 * Redis for monitoring: one command connection per process (publishing run changes, counters,
 * heartbeats). Keys share the queue prefix, which is hash-tagged ({muninn}), so on a Redis
 * Cluster they all live in one slot and multi-key scripts and MGET work.
 */
const g = globalThis as unknown as { __muninnMonitoringRedis?: Redis };

export function monitoringRedis(): Redis {
  g.__muninnMonitoringRedis ??= createRedis('producer');
  return g.__muninnMonitoringRedis;
}

export async function closeMonitoringRedis(): Promise<void> {
  const redis = g.__muninnMonitoringRedis;
  g.__muninnMonitoringRedis = undefined;
  if (redis) await redis.quit().catch(() => redis.disconnect());
}

/** Channel of run/step change notifications. */
export function runEventsChannel(): string {
  return `${queuePrefix()}:run-events`;
}

/** A monitoring key, e.g. monitoringKey('metrics', 'runs') → "{muninn}:monitoring:metrics:runs". */
export function monitoringKey(...parts: string[]): string {
  return `${queuePrefix()}:monitoring:${parts.join(':')}`;
}
