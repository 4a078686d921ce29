import { Redis, type RedisOptions } from 'ioredis';
import { env } from '../env';

/**
 * Redis connections. Workers need `maxRetriesPerRequest: null` (BullMQ's blocking commands);
 * producers in the web app fail fast instead so a request never hangs on a dead Redis.
 */
export function createRedis(kind: 'worker' | 'producer', url = env().REDIS_URL): Redis {
  const opts: RedisOptions =
    kind === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: false }
      : { maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 5_000 };
  const redis = new Redis(url, opts);
  redis.on('error', (err) => {
    // ioredis reconnects by itself; log once per distinct message rather than crash.
    logRedisError(err);
  });
  return redis;
}

let lastMessage = '';
function logRedisError(err: Error): void {
  if (err.message === lastMessage) return;
  lastMessage = err.message;
  console.error(`[redis] ${err.message}`);
}
