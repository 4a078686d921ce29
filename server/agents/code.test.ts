import { afterAll, describe, expect, it } from 'vitest';
import { codeAgent } from './code';
import { PermanentAgentError, type JsonObject } from './define-agent';
import { makeTestContext } from './test-context';
import { closeSandbox, runInSandbox, SandboxError } from '../engine/sandbox';

async function run(code: string, event: JsonObject = { a: 1 }) {
  const { ctx, logs } = makeTestContext(codeAgent, { code }, event);
  const events = await codeAgent.run(ctx);
  return { events, logs };
}

/** The error a run fails with; every failure caused by the code must be permanent. */
async function failure(code: string, event?: JsonObject): Promise<Error> {
  const err = await run(code, event).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PermanentAgentError);
  return err as Error;
}

afterAll(() => closeSandbox());

describe('code agent: events in, events out', () => {
  it('passes one returned object on', async () => {
    expect((await run('return { ...event, b: event.a + 1 };')).events).toEqual([{ a: 1, b: 2 }]);
  });

  it('emits every item of a returned list, wrapping non-objects', async () => {
    const { events } = await run("return [{ x: 1 }, 2, 'y', null, [1]];");
    expect(events).toEqual([{ x: 1 }, { value: 2 }, { value: 'y' }, { value: null }, { value: [1] }]);
  });

  it('emits nothing when the code returns nothing or null', async () => {
    expect((await run('if (event.a) return;')).events).toEqual([]);
    expect((await run('return null;')).events).toEqual([]);
    expect((await run('event.a = 2;')).events).toEqual([]);
  });

  it('wraps a primitive result', async () => {
    expect((await run('return 6 * 7;')).events).toEqual([{ value: 42 }]);
  });

  it('sends console output to the step logs', async () => {
    const { logs } = await run("console.log('hello', { a: 1 }, [2]); console.warn('careful'); console.error('bad'); return event;");
    expect(logs).toEqual(
      expect.arrayContaining([
        { level: 'info', message: 'hello {"a":1} [2]', data: undefined },
        { level: 'warn', message: 'careful', data: undefined },
        { level: 'error', message: 'bad', data: undefined },
      ]),
    );
  });

  it('keeps line numbers of the code in errors', async () => {
    expect((await failure('let a = 1;\nlet b = );\nreturn a;')).message).toMatch(/^The code has a syntax error on line 2: /);
    expect((await failure('const x = 1;\n\nthrow new Error("boom");')).message).toBe('The code threw an error on line 3: boom');
    expect((await failure('return event.missing.deep;')).message).toMatch(/line 1: TypeError: cannot read property 'deep' of undefined/);
    expect((await failure("throw 'plain text';")).message).toBe('The code threw an error: plain text');
  });

  it('refuses promises, since nothing is awaited', async () => {
    expect((await failure('return (async () => 1)();')).message).toMatch(/returned a promise/);
  });

  it('rejects empty code in the options', () => {
    expect(codeAgent.options.safeParse({ code: '  \n ' }).success).toBe(false);
    expect(codeAgent.options.safeParse({ code: 'return event;', extra: 1 }).success).toBe(false);
  });
});

describe('code agent: limits', () => {
  it('stops an endless loop', async () => {
    expect((await failure('while (true) {}')).message).toBe('The code ran longer than 2 seconds and was stopped.');
  });

  it('stops code that allocates without end', async () => {
    const err = await failure("let a = []; while (true) a.push('x'.repeat(1e6));");
    expect(err.message).toBe('The code used more than 32 MB of memory and was stopped.');
  });

  it('stops code that allocates small objects without end', async () => {
    const err = await failure('let a = []; while (true) a.push({ x: 1, y: [1, 2, 3] });');
    expect(err.message).toBe('The code used more than 32 MB of memory and was stopped.');
  });

  it('stops endless recursion', async () => {
    expect((await failure('function f() { f(); } f();')).message).toMatch(/^Too much recursion/);
  });

  it('survives deeply nested data without taking the host down', async () => {
    const err = await failure("return JSON.parse('['.repeat(100000));");
    expect(err.message).toMatch(/^Too much recursion/);
  });

  it('stops code stuck in long native calls, which QuickJS checks too rarely', async () => {
    const code = 'const s = JSON.stringify(Array.from({ length: 1e5 }, (_, i) => ({ i }))); while (true) JSON.parse(s);';
    const started = Date.now();
    await expect(runInSandbox({ code, input: {}, limits: { timeoutMs: 300 } })).rejects.toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('caps the size of the result', async () => {
    const pending = runInSandbox({ code: "return 'x'.repeat(2000);", input: {}, limits: { maxOutputBytes: 1000 } });
    await expect(pending).rejects.toBeInstanceOf(SandboxError);
    await expect(pending).rejects.toMatchObject({ kind: 'output' });
  });

  it('caps console output', async () => {
    const lines: string[] = [];
    await runInSandbox({
      code: 'for (let i = 0; i < 50; i++) console.log(i);',
      input: {},
      limits: { maxLogLines: 10 },
      onLog: (l) => lines.push(l.text),
    });
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toBe('40 more console lines were left out.');
  });

  it('stops when the step is cancelled', async () => {
    const controller = new AbortController();
    const pending = runInSandbox({ code: 'while (true) {}', input: {}, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('Run cancelled')), 50);
    await expect(pending).rejects.toThrow('Run cancelled');
  });
});

describe('code agent: sandbox escapes are contained', () => {
  // Each snippet tries a known way out of JavaScript sandboxes (vm2 / n8n advisories) and returns
  // what it reached. None of them may see the host's process, require, or files.
  const attempts: Array<[string, string]> = [
    ['constructor chain', "return { r: this.constructor.constructor('return typeof process')() };"],
    ['Function constructor', "return { r: Function('return typeof globalThis.process')() };"],
    ['event prototype chain', "return { r: event.constructor.constructor('return typeof process + typeof require')() };"],
    ['async function constructor', "return { r: (async () => {}).constructor.constructor('return typeof process')() };"],
    ['globals', 'return { r: [typeof process, typeof require, typeof module, typeof fetch, typeof std, typeof os, typeof Deno].join() };'],
    ['global prototype', "return { r: globalThis.__proto__.constructor.constructor('return typeof process')() };"],
    [
      'prepareStackTrace',
      `Error.prepareStackTrace = (e, frames) => frames;
       let s; try { null.x } catch (e) { s = e.stack }
       let reached = 'nothing';
       if (Array.isArray(s) && s[0] && s[0].getThis) { const t = s[0].getThis(); reached = typeof (t && t.process); }
       return { r: reached };`,
    ],
    ['console internals', "return { r: typeof console.log.constructor('return typeof process')() };"],
  ];

  it.each(attempts)('%s', async (_name, code) => {
    const { events } = await run(code);
    expect(JSON.stringify(events)).not.toMatch(/object|function/);
  });

  it('has no require', async () => {
    expect((await failure("return require('fs');")).message).toMatch(/'require' is not defined/);
  });

  it('cannot import modules', async () => {
    expect((await failure("return import('fs');")).message).toMatch(/returned a promise/);
    const { events } = await run("let m = 'none'; import('fs').then((x) => { m = x; }); return { m: String(m) };");
    expect(events).toEqual([{ m: 'none' }]);
  });

  it('cannot pollute the host', async () => {
    await run("Object.prototype.polluted = 'yes'; Array.prototype.push = null; JSON.parse = () => 1; return {};");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(typeof process.exit).toBe('function');
    expect(JSON.parse('{"ok":true}')).toEqual({ ok: true });
  });

  it('starts clean on every run', async () => {
    await run('globalThis.leftover = 1; Object.prototype.polluted = 1; return {};');
    expect((await run('return { leftover: typeof leftover, polluted: typeof ({}).polluted };')).events).toEqual([
      { leftover: 'undefined', polluted: 'undefined' },
    ]);
  });

  it('still runs normal code after all of that', async () => {
    expect((await run('return { doubled: event.a * 2 };', { a: 21 })).events).toEqual([{ doubled: 42 }]);
  });
});

describe('code agent: no leaks', () => {
  it('runs 200 times without growing memory much', async () => {
    const code = "const list = Array.from({ length: 1000 }, (_, i) => ({ i, s: 'x'.repeat(100) })); return { n: list.length };";
    for (let i = 0; i < 20; i++) await run(code);
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 200; i++) expect((await run(code)).events).toEqual([{ n: 1000 }]);
    const grownMb = (process.memoryUsage().rss - before) / 1024 / 1024;
    expect(grownMb).toBeLessThan(64);
  }, 60_000);
});
