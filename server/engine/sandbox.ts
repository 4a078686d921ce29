import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { JsonValue } from '../agents/define-agent';

/**
 * Runs user JavaScript in QuickJS compiled to WebAssembly, inside a pool of worker threads.
 *
 * Why threads: QuickJS checks its time limit only every few thousand bytecode steps, and one
 * step can be a long native call (a JSON.parse of a big string in a loop ran for minutes in our
 * tests). In a thread, such code cannot block the worker's event loop, and the host can always
 * stop it by terminating the thread. The usual case (a plain loop) is stopped by QuickJS itself.
 */

export interface SandboxLimits {
  timeoutMs: number;
  /** Heap for the code; the engine's own static data and stack come on top of it. */
  memoryBytes: number;
  /** QuickJS stack limit. Keep at 256 KB: larger values overflow the host's stack first. */
  maxStackBytes: number;
  /** Size of the result as JSON, in characters. */
  maxOutputBytes: number;
  maxLogLines: number;
  maxLogLineLength: number;
}

export const DEFAULT_SANDBOX_LIMITS: Readonly<SandboxLimits> = {
  timeoutMs: 2_000,
  memoryBytes: 32 * 1024 * 1024,
  maxStackBytes: 256 * 1024,
  maxOutputBytes: 5 * 1024 * 1024,
  maxLogLines: 500,
  maxLogLineLength: 2_000,
};

/** Grace on top of the time limit before the host terminates a thread QuickJS did not stop. */
const WATCHDOG_GRACE_MS = 1_000;

export type SandboxFailure =
  | 'syntax' // the code does not parse
  | 'thrown' // the code threw
  | 'timeout'
  | 'memory'
  | 'recursion'
  | 'output' // result too large
  | 'result' // result not usable (a promise, not JSON)
  | 'crash' // the engine failed on this code
  | 'unavailable'; // the sandbox itself could not run: not the code's fault, worth a retry

export class SandboxError extends Error {
  constructor(
    readonly kind: SandboxFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

export interface SandboxLogLine {
  level: 'info' | 'warn' | 'error';
  text: string;
}

export interface RunInSandboxParams {
  /** The body of a function that receives `event`. */
  code: string;
  /** Passed to the code as `event`. */
  input: JsonValue;
  limits?: Partial<SandboxLimits>;
  onLog?: (line: SandboxLogLine) => void;
  signal?: AbortSignal;
}

/** Runs the code and returns what it returned (parsed from JSON), or undefined for nothing. */
export async function runInSandbox(params: RunInSandboxParams): Promise<JsonValue | undefined> {
  const limits = { ...DEFAULT_SANDBOX_LIMITS, ...params.limits };
  params.signal?.throwIfAborted();
  const worker = await pool.acquire();
  const output = await runOnWorker(worker, params, limits);
  if (output === undefined) return undefined;
  try {
    return JSON.parse(output) as JsonValue;
  } catch {
    // Only possible when the code replaced JSON.stringify with something odd.
    throw new SandboxError('result', 'The result of the code could not be read as JSON.');
  }
}

// ---------------------------------------------------------------------------------------------
// One task on one thread

interface WorkerReply {
  id: number;
  log?: SandboxLogLine;
  outcome?: { ok: true; output?: string } | { ok: false; error: FailureDetails };
}

interface FailureDetails {
  kind: SandboxFailure;
  name?: string;
  message?: string;
  line?: number;
}

let nextTaskId = 1;

function runOnWorker(worker: Worker, params: RunInSandboxParams, limits: SandboxLimits): Promise<string | undefined> {
  const id = nextTaskId++;
  return new Promise((resolve, reject) => {
    const finish = (healthy: boolean, settle: () => void) => {
      clearTimeout(watchdog);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      params.signal?.removeEventListener('abort', onAbort);
      if (healthy) pool.release(worker);
      else pool.discard(worker);
      settle();
    };
    const onMessage = (reply: WorkerReply) => {
      if (reply.id !== id) return;
      if (reply.log) return params.onLog?.(reply.log);
      const outcome = reply.outcome;
      if (!outcome) return;
      if (outcome.ok) finish(true, () => resolve(outcome.output));
      else finish(true, () => reject(new SandboxError(outcome.error.kind, describeFailure(outcome.error, params.code, limits))));
    };
    const onError = (err: Error & { code?: string }) => {
      const kind = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'unavailable';
      finish(false, () => reject(new SandboxError(kind, describeFailure({ kind, message: err.message }, params.code, limits))));
    };
    const onExit = () => onError(new Error('the sandbox thread stopped'));
    const onAbort = () => finish(false, () => reject(params.signal?.reason));
    // QuickJS stops ordinary loops itself; this catches code stuck inside one long native call.
    const watchdog = setTimeout(
      () => finish(false, () => reject(new SandboxError('timeout', describeFailure({ kind: 'timeout' }, params.code, limits)))),
      limits.timeoutMs + WATCHDOG_GRACE_MS,
    );

    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    params.signal?.addEventListener('abort', onAbort, { once: true });
    worker.postMessage({ id, code: params.code, input: JSON.stringify(params.input), limits });
  });
}

function describeFailure(f: FailureDetails, code: string, limits: SandboxLimits): string {
  const lines = code.split('\n').length;
  // "unexpected end of input" is reported on the closing line the sandbox adds after the code.
  const at = f.line !== undefined ? ` on line ${Math.min(f.line, lines)}` : '';
  switch (f.kind) {
    case 'syntax':
      return `The code has a syntax error${at}: ${f.message}.`;
    case 'thrown':
      return `The code threw an error${at}: ${f.name && f.name !== 'Error' ? `${f.name}: ` : ''}${f.message}`;
    case 'timeout':
      return `The code ran longer than ${formatSeconds(limits.timeoutMs)} and was stopped.`;
    case 'memory':
      return `The code used more than ${formatMegabytes(limits.memoryBytes)} of memory and was stopped.`;
    case 'recursion':
      return 'Too much recursion: functions called each other too deeply (for example a function that calls itself without end).';
    case 'output':
      return `The code returned more than ${formatMegabytes(limits.maxOutputBytes)} of data. Return fewer or smaller events.`;
    case 'result':
      return f.message ?? 'The result of the code could not be used.';
    case 'crash':
      return `The code stopped the sandbox unexpectedly (${f.message}).`;
    case 'unavailable':
      return `The code sandbox is not available right now (${f.message}). The step will be tried again.`;
  }
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${s} second${s === 1 ? '' : 's'}`;
}

function formatMegabytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

// ---------------------------------------------------------------------------------------------
// The thread pool

const require = createRequire(import.meta.url);

/**
 * Where quickjs-emscripten lives. Next.js's bundler rewrites `require.resolve` of a server
 * external into a placeholder ("[externals]/…"), so inside the web app (Test this node) the
 * package is looked up from the app's directory instead.
 */
function resolveQuickJS(): string {
  try {
    const found = require.resolve('quickjs-emscripten');
    if (path.isAbsolute(found)) return found;
  } catch {
    // fall through
  }
  return createRequire(path.join(process.cwd(), 'package.json')).resolve('quickjs-emscripten');
}

let wasmModule: Promise<WebAssembly.Module> | undefined;

/**
 * Compiled on first use and handed to every thread (a WebAssembly.Module can be shared), so a
 * worker whose flows have no code step never compiles QuickJS.
 */
function compileQuickJS(): Promise<WebAssembly.Module> {
  wasmModule ??= (async () => {
    const fromQuickJS = createRequire(resolveQuickJS());
    const bytes = await readFile(fromQuickJS.resolve('@jitl/quickjs-wasmfile-release-sync/wasm'));
    return WebAssembly.compile(bytes);
  })().catch((err: unknown) => {
    wasmModule = undefined; // a failed compile is tried again by the next step
    throw err;
  });
  return wasmModule;
}

/**
 * A thread idle this long is stopped. Each costs several MB (its own V8 heap, the QuickJS glue,
 * instances waiting for collection); restarting one takes about 0.1 s at the next code step.
 */
const IDLE_THREAD_MS = 30_000;

class WorkerPool {
  private live = new Set<Worker>();
  /** Threads being started count toward the limit: otherwise a burst of steps starts one each. */
  private starting = 0;
  private idle: Worker[] = [];
  private retireTimers = new Map<Worker, NodeJS.Timeout>();
  private waiting: Array<{ resolve: (w: Worker) => void; reject: (e: unknown) => void }> = [];

  constructor(
    private readonly maxSize: number,
    private readonly idleMs: number,
  ) {}

  /** Threads running or idle (for tests). */
  get size(): number {
    return this.live.size;
  }

  async acquire(): Promise<Worker> {
    const ready = this.idle.pop();
    if (ready) {
      this.cancelRetire(ready);
      return ready;
    }
    if (this.live.size + this.starting < this.maxSize) return this.spawn();
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  release(worker: Worker): void {
    if (!this.live.has(worker)) return;
    const next = this.waiting.shift();
    if (next) return next.resolve(worker);
    this.idle.push(worker);
    const timer = setTimeout(() => this.retire(worker), this.idleMs);
    timer.unref();
    this.retireTimers.set(worker, timer);
  }

  /** Drops a thread that may still be running user code, and replaces it for whoever waits. */
  discard(worker: Worker): void {
    this.forget(worker);
    void worker.terminate();
    const next = this.waiting.shift();
    if (next) this.spawn().then(next.resolve, next.reject);
  }

  async close(): Promise<void> {
    const idle = this.idle.splice(0);
    idle.forEach((w) => this.forget(w));
    await Promise.all(idle.map((w) => w.terminate()));
  }

  private retire(worker: Worker): void {
    this.forget(worker);
    void worker.terminate();
    // The compiled module (tens of MB of machine code) goes too once no thread uses it.
    if (this.live.size === 0 && this.starting === 0) wasmModule = undefined;
  }

  private cancelRetire(worker: Worker): void {
    clearTimeout(this.retireTimers.get(worker));
    this.retireTimers.delete(worker);
  }

  private forget(worker: Worker): void {
    this.cancelRetire(worker);
    this.live.delete(worker);
    this.idle = this.idle.filter((w) => w !== worker);
  }

  private async spawn(): Promise<Worker> {
    this.starting++;
    let worker: Worker;
    try {
      worker = new Worker(new URL('./sandbox-worker.mjs', import.meta.url), {
        workerData: { wasmModule: await compileQuickJS() },
        // Bounds the thread's own JavaScript heap; QuickJS's memory is sized per task.
        resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 },
      });
    } catch (err) {
      this.starting--;
      // Steps waiting for a thread must not wait for one that will never come: each tries itself.
      const next = this.waiting.shift();
      if (next) this.spawn().then(next.resolve, next.reject);
      throw new SandboxError('unavailable', `The code sandbox could not start (${(err as Error).message}). The step will be tried again.`);
    }
    this.starting--;
    this.live.add(worker);
    // A thread that dies while idle leaves the pool; during a task, the task's listeners report it.
    worker.on('error', () => undefined);
    worker.on('exit', () => this.forget(worker));
    worker.unref(); // an idle sandbox thread must not keep the process alive
    return worker;
  }
}

const pool = new WorkerPool(Math.max(1, Math.min(4, os.availableParallelism())), IDLE_THREAD_MS);

/** How many sandbox threads exist now (for tests). */
export function sandboxThreadCount(): number {
  return pool.size;
}

/** Stops idle sandbox threads (graceful shutdown, tests). */
export function closeSandbox(): Promise<void> {
  return pool.close();
}
