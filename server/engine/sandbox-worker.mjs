// The code agent's sandbox, running inside a worker thread (started by sandbox.ts).
//
// Plain JavaScript on purpose: a worker thread gets no TypeScript loader from tsx or vitest, and
// this file must load the same way in the worker process, the web app and the tests.
//
// Each task gets a brand-new QuickJS WebAssembly instance whose memory has a fixed size. That
// fixed size is the real memory limit: QuickJS's own limit (setMemoryLimit) only bounds single
// allocations in this build, not their total. A fresh instance also means nothing survives
// between runs, and a run that broke the engine (a WebAssembly trap) takes nothing with it.
import { parentPort, workerData } from 'node:worker_threads';
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } from 'quickjs-emscripten';

const PAGE = 64 * 1024;
/** Static data and the C stack of the QuickJS build, below its heap (measured: about 5.1 MB). */
const ENGINE_OVERHEAD_BYTES = 6 * 1024 * 1024;
const USER_FILE = 'code.js';

/** @type {WebAssembly.Module} compiled once by the parent, shared by every worker */
const wasmModule = workerData.wasmModule;

// Runs before the user's code: console → host, and the function that calls the user's code and
// turns its result into JSON inside the VM, so that no object crosses between the two worlds.
const PRELUDE = `(() => {
  const log = globalThis.__muninnLog;
  delete globalThis.__muninnLog;
  const { parse, stringify } = JSON;
  class ResultError extends Error {}
  ResultError.prototype.name = 'MuninnResultError';
  const show = (value) => {
    if (typeof value === 'string') return value;
    try {
      const json = stringify(value);
      if (json !== undefined) return json;
    } catch {}
    try { return String(value); } catch { return '[object]'; }
  };
  const write = (level) => (...args) => { log(level, args.map(show).join(' ')); };
  globalThis.console = { log: write('info'), info: write('info'), debug: write('info'), warn: write('warn'), error: write('error') };
  return (fn, input) => {
    const result = fn(parse(input));
    if (result !== null && (typeof result === 'object' || typeof result === 'function') && typeof result.then === 'function') {
      throw new ResultError('The code returned a promise (for example from an async function). Code runs without waiting, so return the result itself.');
    }
    if (result === undefined) return undefined;
    try {
      return stringify(result);
    } catch (e) {
      throw new ResultError('The result could not be turned into JSON: ' + (e && e.message));
    }
  };
})()`;

/**
 * @param {{ code: string, input: string, limits: { timeoutMs: number, memoryBytes: number, maxStackBytes: number,
 *   maxOutputBytes: number, maxLogLines: number, maxLogLineLength: number } }} task
 * @param {(line: { level: string, text: string }) => void} log sends one console line to the host
 */
async function runTask({ code, input, limits }, log) {
  const pages = Math.ceil((limits.memoryBytes + ENGINE_OVERHEAD_BYTES) / PAGE);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const QuickJS = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmModule, wasmMemory: memory }));

  const runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(limits.memoryBytes);
  runtime.setMaxStackSize(limits.maxStackBytes);
  const deadline = Date.now() + limits.timeoutMs;
  let interrupted = false;
  runtime.setInterruptHandler(() => (interrupted = interrupted || Date.now() > deadline));
  const ctx = runtime.newContext();
  const handles = [];
  const keep = (handle) => (handles.push(handle), handle);
  const failure = (error, phase) => ({ ok: false, error: classify(error, phase, { interrupted, memory }) });

  let logLines = 0;
  try {
    const logFn = keep(
      ctx.newFunction('log', (levelHandle, textHandle) => {
        if (++logLines > limits.maxLogLines) return;
        const level = ctx.getString(levelHandle);
        const text = ctx.getString(textHandle);
        log({ level, text: text.length > limits.maxLogLineLength ? `${text.slice(0, limits.maxLogLineLength)}…` : text });
      }),
    );
    ctx.setProp(ctx.global, '__muninnLog', logFn);
    const runner = keep(ctx.unwrapResult(ctx.evalCode(PRELUDE, 'muninn-prelude.js')));

    // The user's code is the body of a function. The opening is on line 1 so line numbers match.
    const compiled = ctx.evalCode(`(function (event) {${code}\n})`, USER_FILE);
    if (compiled.error) return failure(dumpError(ctx, keep(compiled.error)), 'compile');
    const fn = keep(compiled.value);

    const result = ctx.callFunction(runner, ctx.undefined, fn, keep(ctx.newString(input)));
    if (result.error) return failure(dumpError(ctx, keep(result.error)), 'run');
    const output = keep(result.value);
    if (ctx.typeof(output) === 'undefined') return { ok: true };
    const json = ctx.getString(output);
    if (json.length > limits.maxOutputBytes) return { ok: false, error: { kind: 'output' } };
    return { ok: true, output: json };
  } catch (error) {
    // A trap inside the engine, e.g. the host stack overflowing on deeply nested data.
    return failure({ name: error?.name ?? 'Error', message: String(error?.message ?? error), host: true }, 'run');
  } finally {
    // The instance is dropped either way. Disposing still releases the handles properly, and
    // after a trap it may fail, which is harmless here.
    try {
      for (const handle of handles.reverse()) if (handle.alive) handle.dispose();
      ctx.dispose();
      runtime.dispose();
    } catch {
      /* the whole instance is garbage now */
    }
    const dropped = logLines - limits.maxLogLines;
    if (dropped > 0) log({ level: 'warn', text: `${dropped} more console lines were left out.` });
  }
}

function dumpError(ctx, handle) {
  const value = ctx.dump(handle);
  if (value && typeof value === 'object') {
    const stack = typeof value.stack === 'string' ? value.stack : '';
    const where = typeof value.lineNumber === 'number' && value.fileName === USER_FILE ? value.lineNumber : undefined;
    const line = where ?? Number(stack.match(/code\.js:(\d+)/)?.[1] ?? NaN);
    return {
      name: typeof value.name === 'string' ? value.name : 'Error',
      message: typeof value.message === 'string' ? value.message : safeJson(value),
      line: Number.isFinite(line) ? line : undefined,
    };
  }
  const thrownValue = typeof value === 'string' ? value : value === undefined ? 'undefined' : safeJson(value);
  return { thrownValue, isNullish: value == null };
}

function safeJson(value) {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** True when the heap reached the top of the instance's memory: untouched memory is still zero. */
function memoryExhausted(memory) {
  const words = new BigUint64Array(memory.buffer);
  const lastMegabyte = words.length - (1024 * 1024) / 8;
  for (let i = words.length - 1; i >= lastMegabyte; i--) if (words[i] !== 0n) return true;
  return false;
}

function classify(error, phase, { interrupted, memory }) {
  if (interrupted) return { kind: 'timeout' };
  if (error.name === 'InternalError' && error.message === 'out of memory') return { kind: 'memory' };
  // Recursion in the code is an InternalError; in JSON.parse of deeply nested text a SyntaxError.
  if (error.message === 'stack overflow') return { kind: 'recursion' };
  // Out of memory so badly that not even the error object fits: QuickJS then throws null.
  if (error.isNullish && memoryExhausted(memory)) return { kind: 'memory' };
  if (error.host) {
    if (/call stack/i.test(error.message)) return { kind: 'recursion' };
    if (/memory/i.test(error.message)) return { kind: 'memory' };
    return { kind: 'crash', message: error.message };
  }
  if (phase === 'compile' && error.name === 'SyntaxError') return { kind: 'syntax', message: error.message, line: error.line };
  if (error.name === 'MuninnResultError') return { kind: 'result', message: error.message };
  if (error.thrownValue !== undefined) return { kind: 'thrown', message: error.thrownValue };
  return { kind: 'thrown', name: error.name, message: error.message, line: error.line };
}

// Console lines go to the host as they happen, so they survive even if the host has to stop a
// runaway task by terminating this thread.
parentPort.on('message', async (task) => {
  const log = (line) => parentPort.postMessage({ id: task.id, log: line });
  let outcome;
  try {
    outcome = await runTask(task, log);
  } catch (error) {
    outcome = { ok: false, error: { kind: 'crash', message: String(error?.message ?? error) } };
  }
  parentPort.postMessage({ id: task.id, outcome });
});
