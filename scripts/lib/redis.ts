// Redis for `npm start` when REDIS_URL is unset: one already on 6379, else a local redis-server
// we start (without persistence: a local convenience, not for production), else clear instructions.
import { accessSync, constants } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { freePort, probeRedis, waitFor } from './net';
import { say, startDaemon } from './processes';

export type LocalRedis = { url: string; stop: () => Promise<void> };

export const HOW_TO_GET_REDIS = `Muninn needs Redis and none answers on 127.0.0.1:6379. Either:
  - install it:  sudo apt-get install redis-server   (Debian/Ubuntu)
                 brew install redis                  (macOS)
    then run npm start again (it starts redis-server itself), or
  - run one:     docker run -d -p 6379:6379 redis:7
  - or point Muninn at yours: REDIS_URL=redis://host:6379 npm start`;

export async function startLocalRedis(dataDir: string, standardPort = 6379): Promise<LocalRedis> {
  const standard = await probeRedis('127.0.0.1', standardPort);
  if (standard === 'redis') return { url: `redis://127.0.0.1:${standardPort}`, stop: async () => {} };

  const binary = onPath('redis-server');
  if (!binary) throw new Error(HOW_TO_GET_REDIS);
  // The port answers, but not as a Redis we can use (another program, or one with a password).
  const port = standard === 'closed' ? standardPort : await freePort(standardPort + 1);
  if (standard === 'other') say('launcher', `port ${standardPort} is used by something that is not a usable Redis; starting redis-server on ${port}`);

  const dir = path.join(dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const logFile = path.join(dataDir, 'redis.log');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  const server = startDaemon('redis', binary, args, logFile);
  try {
    await waitFor('redis-server', async () => (await probeRedis('127.0.0.1', port)) === 'redis', 15_000, () =>
      server.exit ? `it exited (code ${server.exit.code}); see ${logFile}` : undefined,
    );
  } catch (err) {
    await server.stop('SIGKILL', 5_000);
    throw err;
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => server.stop('SIGTERM', 10_000) };
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
