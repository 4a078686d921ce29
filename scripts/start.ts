// `npm start` (production build) and `npm run dev` (--dev: next dev, worker reloads on change).
// Runs the whole of Muninn on one machine: PostgreSQL and Redis (embedded/local unless
// DATABASE_URL/REDIS_URL are set), migrations, then the web app and the worker as child
// processes. Ctrl-C or SIGTERM stops the apps first, then the databases; if an app dies,
// everything stops and the launcher exits non-zero.
import { createRequire } from 'node:module';
import path from 'node:path';
import { applyMigrations } from '@/prisma/migrate';
import { devKey, devKeyPath } from '@/server/crypto';
import { buildWorker, WORKER_NODE_ARGS, workerProcessEnv } from './build-worker';
import { needsBuild, needsWorkerBuild, WEB_SERVER_BUNDLE, WORKER_BUNDLE } from './lib/build';
import { canConnect, isPortFree, waitFor } from './lib/net';
import { startEmbeddedPostgres } from './lib/postgres';
import { killGroup, say, startApp, type Managed } from './lib/processes';
import { startLocalRedis } from './lib/redis';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.join(root, '.data');
const dev = process.argv.includes('--dev');
const resolveIn = (pkg: string, file: string) =>
  path.join(path.dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), file);
const nextBin = resolveIn('next', 'dist/bin/next');
const tsxBin = resolveIn('tsx', 'dist/cli.mjs');

const apps: Managed[] = [];
/** Started databases, stopped in reverse order after the apps. */
const services: Array<{ name: string; stop: () => Promise<void> }> = [];
let stopping: Promise<void> | undefined;

async function main(): Promise<void> {
  const started = performance.now();
  process.chdir(root); // the apps' paths (worker/index.ts, dist/, .next) are relative to the repo
  const webPort = Number(process.env.PORT ?? 3000);
  if (!(await isPortFree(webPort))) throw new Error(`Port ${webPort} is in use. Stop what uses it, or choose another: PORT=3001 npm start`);

  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    say('launcher', 'DATABASE_URL is not set: starting the embedded PostgreSQL (data in .data/postgres)');
    const pgPort = Number(process.env.MUNINN_PG_PORT ?? 54329);
    const postgres = await startEmbeddedPostgres(dataDir, pgPort, process.env.MUNINN_PG_PORT !== undefined);
    services.push({ name: 'PostgreSQL', stop: postgres.stop });
    databaseUrl = postgres.url;
  }

  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startLocalRedis(dataDir);
    services.push({ name: 'Redis', stop: redis.stop });
    redisUrl = redis.url;
  }

  const applied = await applyMigrations(databaseUrl);
  say('launcher', applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    PORT: String(webPort),
    NEXT_TELEMETRY_DISABLED: '1',
  };
  if (!env.MUNINN_ENCRYPTION_KEY) {
    // The embedded default, like the database: a key generated once into .data/. Fine on a laptop;
    // a real installation sets MUNINN_ENCRYPTION_KEY (the worker refuses production without one).
    env.MUNINN_ENCRYPTION_KEY = devKey().trim();
    say('launcher', `MUNINN_ENCRYPTION_KEY is not set: credentials are encrypted with the key in ${path.relative(root, devKeyPath())} (for this machine only)`);
  }
  if (!dev && needsBuild(root)) {
    say('launcher', 'building the web app (next build); this takes a few minutes the first time');
    const build = track(startApp('build', process.execPath, [nextBin, 'build'], env));
    await build.exited;
    if (build.exit?.code !== 0) throw new Error('next build failed; see the [build] lines above');
  }
  if (!dev && needsWorkerBuild(root)) {
    say('launcher', `building the worker and the web server (${WORKER_BUNDLE}, ${WEB_SERVER_BUNDLE})`);
    buildWorker(root);
  }

  // Production: Next.js behind our own HTTP server, which answers webhooks itself (scripts/web-server.ts).
  const webArgs = dev ? [nextBin, 'dev', '--port', String(webPort)] : [WEB_SERVER_BUNDLE];
  const web = track(startApp('web', process.execPath, webArgs, env));
  const workerEnv = workerProcessEnv({ ...env, NODE_ENV: process.env.NODE_ENV ?? (dev ? 'development' : 'production') });
  // Production runs the bundle with plain node (less memory); development the sources, reloaded on change.
  track(startApp('worker', process.execPath, dev ? [tsxBin, 'watch', 'worker/index.ts'] : [...WORKER_NODE_ARGS, WORKER_BUNDLE], workerEnv));

  await waitFor('the web app', () => canConnect('127.0.0.1', webPort), 120_000, () => (web.exit ? 'it exited' : undefined));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write('\n');
  say('launcher', `Muninn is running${dev ? ' (development)' : ''}:  http://localhost:${webPort}   (ready in ${seconds} s; Ctrl-C stops it)`);
  say('launcher', `database ${redact(databaseUrl)}   redis ${redisUrl}`);
  process.stdout.write('\n');
}

/** Registers an app so that shutdown stops it, and so that its death stops everything. */
function track(app: Managed): Managed {
  apps.push(app);
  void app.exited.then(() => {
    if (stopping || app.name === 'build') return;
    const how = app.exit?.signal ? `was killed (${app.exit.signal})` : `exited with code ${app.exit?.code}`;
    void shutdown(1, `${app.name} ${how}`);
  });
  return app;
}

function shutdown(code: number, reason: string): Promise<void> {
  stopping ??= (async () => {
    say('launcher', reason);
    if (apps.some((app) => !app.exit) || services.length) say('launcher', 'stopping…');
    await Promise.all(apps.map((app) => app.stop('SIGTERM', 30_000)));
    for (const service of services.reverse()) {
      await service.stop().catch((err: Error) => say('launcher', `could not stop ${service.name}: ${err.message}`));
    }
    say('launcher', 'stopped');
    process.exit(code);
  })();
  return stopping;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

let firstSignalAt = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // Another Ctrl-C while stopping: do not wait for the apps any longer. (Within a second it is
    // more likely the same Ctrl-C relayed by npm or tsx.)
    if (stopping && Date.now() - firstSignalAt > 1_000) for (const app of apps) killGroup(app.child, 'SIGKILL');
    firstSignalAt ||= Date.now();
    void shutdown(0, signal === 'SIGINT' ? 'Ctrl-C' : signal);
  });
}
process.on('uncaughtException', (err) => void shutdown(1, `launcher error: ${err.stack ?? err.message}`));
// Apps run in their own process groups; never leave them behind, whatever happens to us.
process.on('exit', () => {
  for (const app of apps) killGroup(app.child, 'SIGTERM');
});

main().catch((err: unknown) => shutdown(1, `could not start Muninn: ${err instanceof Error ? err.message : String(err)}`));
