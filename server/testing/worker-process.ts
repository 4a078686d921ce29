import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ensureWorkerBuild, WORKER_NODE_ARGS, workerProcessEnv } from '@/scripts/build-worker';
import { WORKER_BUNDLE } from '@/scripts/lib/build';
import { getRun } from '@/server/services/runs';

export interface WorkerHandle {
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const root = path.resolve(import.meta.dirname, '../..');

export interface StartWorkerOptions {
  /**
   * Runs the production bundle (dist/worker.mjs, rebuilt first when the sources are newer) the
   * way `npm start` and the image do, instead of the sources through tsx. Default: the
   * MUNINN_TEST_COMPILED_WORKER=1 environment variable, so a test suite can be run against it.
   */
  compiled?: boolean;
}

/** Starts a real worker process (`worker/index.ts`) with the given environment. */
export function startWorker(env: Record<string, string>, options: StartWorkerOptions = {}): WorkerHandle {
  const compiled = options.compiled ?? process.env.MUNINN_TEST_COMPILED_WORKER === '1';
  if (compiled) ensureWorkerBuild(root);
  const args = compiled ? [...WORKER_NODE_ARGS, WORKER_BUNDLE] : ['--import', 'tsx', 'worker/index.ts'];
  const procEnv = { ...process.env, WORKER_HEALTH_PORT: '0', WORKER_RECONCILE_MS: '1000', ...env };
  const proc = spawn(process.execPath, args, {
    cwd: root,
    env: compiled ? workerProcessEnv(procEnv) : procEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return {
    proc,
    output: () => out,
    stop(signal = 'SIGTERM') {
      return new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
        proc.once('exit', (code) => resolve(code));
        proc.kill(signal);
      });
    },
  };
}

/** Polls until `fn` returns a truthy value, or fails with the last value seen. */
export async function waitFor<T>(fn: () => Promise<T>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 20_000, intervalMs = 100, what = 'condition' } = opts;
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`Timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

/** Waits until run `runId` has ended (succeeded, failed or cancelled) and returns it as the run page shows it. */
export function runEnded(workspaceId: string, runId: string, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const run = await getRun(workspaceId, runId);
      return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : null;
    },
    { what: `run ${runId} to finish`, timeoutMs },
  );
}
