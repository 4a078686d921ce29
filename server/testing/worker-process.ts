import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface WorkerHandle {
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const root = path.resolve(import.meta.dirname, '../..');

/** Starts a real worker process (`worker/index.ts`) with the given environment. */
export function startWorker(env: Record<string, string>): WorkerHandle {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'worker/index.ts'], {
    cwd: root,
    env: { ...process.env, WORKER_HEALTH_PORT: '0', WORKER_RECONCILE_MS: '1000', ...env },
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
