// Production build of the worker: `tsx scripts/build-worker.ts [--if-stale]` (npm run build:worker).
//
// One ES module, dist/worker.mjs, with our sources bundled and packages left in node_modules (and
// dist/web-server.mjs, the web server of `npm start`, built the same way).
// Running it with plain `node` instead of through tsx saves memory (measured: about 15 MB idle,
// more at start-up): no TypeScript loader thread, no transpile at boot. Tests keep using tsx.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { needsWorkerBuild, WORKER_BUNDLE } from './lib/build';

/**
 * glibc's malloc raises its trim threshold after large frees, so memory that V8's optimizing
 * compiler needed once (Prisma's query compiler and QuickJS are WebAssembly) stayed in the worker
 * for good: about 60 MB measured under load. Fixed thresholds hand it back. glibc reads this at
 * process start, so it goes into the worker's environment; other C libraries ignore it. The same
 * value is in package.json ("worker") and deploy/Dockerfile.
 */
export const WORKER_GLIBC_TUNABLES = 'glibc.malloc.mmap_threshold=131072';

/**
 * Node options of a production worker. V8 lets the heap grow to up to 4× what survived the last
 * full collection before collecting again; under load that was ~110 MB of old space for ~40 MB
 * of live data. 1.5× kept the peak ~30 MB lower with no measurable loss of throughput. The same
 * flag is in package.json ("worker") and deploy/docker/entrypoint.sh.
 */
export const WORKER_NODE_ARGS: readonly string[] = ['--heap-growing-percent=50'];

/** The environment a production worker runs with: `env`, plus the malloc setting unless one is given. */
export function workerProcessEnv<T extends Record<string, string | undefined>>(env: T): T & { GLIBC_TUNABLES: string } {
  return { ...env, GLIBC_TUNABLES: env.GLIBC_TUNABLES ?? WORKER_GLIBC_TUNABLES };
}

/**
 * Builds into a private directory, then renames the files into dist/: several test files or
 * launchers may build at once, and none of them may start a half-written bundle.
 */
export function buildWorker(root: string): void {
  const outDir = path.join(root, path.dirname(WORKER_BUNDLE));
  const tmpDir = path.join(outDir, `.build-${process.pid}-${Date.now()}`);
  try {
    buildSync({
      absWorkingDir: root,
      entryPoints: {
        worker: 'worker/index.ts',
        // Loaded by the code sandbox as a thread, next to the bundle (sandbox.ts: new URL(…, import.meta.url)).
        'sandbox-worker': 'server/engine/sandbox-worker.mjs',
        // The production web server of `npm start` (Next.js stays a package; only our front is bundled).
        'web-server': 'scripts/web-server.ts',
      },
      outdir: tmpDir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      // Stack traces in logs stay readable with NODE_OPTIONS=--enable-source-maps (off by default: it costs memory).
      sourcemap: 'linked',
      logLevel: 'warning',
    });
    mkdirSync(outDir, { recursive: true });
    // The sandbox first: a worker that sees the new bundle must find the thread file it expects.
    for (const file of ['sandbox-worker.mjs.map', 'sandbox-worker.mjs', 'web-server.mjs.map', 'web-server.mjs', 'worker.mjs.map', 'worker.mjs']) {
      renameSync(path.join(tmpDir, file), path.join(outDir, file));
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

/** Builds when the bundle is missing or older than the sources; true when it built. */
export function ensureWorkerBuild(root: string): boolean {
  if (!needsWorkerBuild(root)) return false;
  buildWorker(root);
  return true;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const root = path.resolve(import.meta.dirname, '..');
  const ifStale = process.argv.includes('--if-stale');
  const started = performance.now();
  if (ifStale ? ensureWorkerBuild(root) : (buildWorker(root), true)) {
    console.log(`[build] ${WORKER_BUNDLE} built in ${Math.round(performance.now() - started)} ms`);
  }
}
