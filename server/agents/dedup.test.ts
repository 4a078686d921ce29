import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { JsonObject, JsonValue } from './define-agent';
import { checkKey, compactKey, dedupAgent, parseDuration } from './dedup';
import { makeTestContext } from './test-context';
import { renderOptions } from '../engine/liquid';

/** Runs the agent like the engine: options rendered against each event, one memory for all calls. */
function node(rawOptions: JsonObject, dryRun = false) {
  const memory: { value: JsonValue | undefined } = { value: undefined };
  return {
    memory,
    async send(ev: JsonObject) {
      const { ctx, memory: m } = makeTestContext(dedupAgent, renderOptions(rawOptions, ev), ev, { memoryValue: memory.value, dryRun });
      const out = await dedupAgent.run(ctx);
      memory.value = m.value;
      return out;
    },
  };
}

describe('dedup options', () => {
  it('accepts the defaults, makes a JSON Schema and fills in lookback', () => {
    expect(dedupAgent.options.safeParse(dedupAgent.defaultOptions).success).toBe(true);
    expect(() => z.toJSONSchema(dedupAgent.options, { io: 'input' })).not.toThrow();
    expect(dedupAgent.options.parse({ key: 'x' }).lookback).toBe(100);
  });

  it('refuses bad options with readable messages', () => {
    const first = (o: unknown) => dedupAgent.options.safeParse(o).error?.issues[0]?.message;
    expect(first({ lookback: 0 })).toBe('Remember at least 1 key');
    expect(first({ lookback: 10_001 })).toBe('Remember at most 10,000 keys');
    expect(first({ lookback: 1.5 })).toBe('Enter a whole number');
    expect(first({ lookback: '5' })).toMatch(/how many recent keys/);
    expect(first({ window: 'soon' })).toBe('Write a duration like 30s, 10m, 2h or 7d');
    expect(dedupAgent.options.safeParse({ extra: 1 }).success).toBe(false);
  });

  it('parses durations', () => {
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration(' 30 s ')).toBe(30_000);
  });
});

describe('dedup agent', () => {
  it('lets a key through once, remembering it across runs', async () => {
    const n = node({ key: '{{ issue.key }}' });
    expect(await n.send({ issue: { key: 'A' }, v: 1 })).toEqual([{ issue: { key: 'A' }, v: 1 }]);
    expect(await n.send({ issue: { key: 'A' }, v: 2 })).toEqual([]);
    expect(await n.send({ issue: { key: 'B' } })).toHaveLength(1);
    expect(n.memory.value).toMatchObject([{ k: 'A' }, { k: 'B' }]);
  });

  it('treats numbers rendered from a key as keys too', async () => {
    const n = node({ key: '{{ id }}' });
    expect(await n.send({ id: 42 })).toHaveLength(1);
    expect(await n.send({ id: 42 })).toEqual([]);
  });

  it('compares whole events when the key is empty', async () => {
    const n = node({ key: '' });
    expect(await n.send({ a: 1 })).toHaveLength(1);
    expect(await n.send({ a: 1 })).toEqual([]);
    expect(await n.send({ a: 2 })).toHaveLength(1);
  });

  it('forgets the oldest keys beyond lookback', async () => {
    const n = node({ key: '{{ id }}', lookback: 2 });
    for (const id of ['a', 'b', 'c']) expect(await n.send({ id })).toHaveLength(1);
    expect(n.memory.value).toHaveLength(2);
    expect(await n.send({ id: 'c' })).toEqual([]);
    expect(await n.send({ id: 'a' })).toHaveLength(1);
  });

  it('does not remember anything in a dry run', async () => {
    const n = node({ key: '{{ id }}' }, true);
    expect(await n.send({ id: 1 })).toHaveLength(1);
    expect(n.memory.value).toBeUndefined();
    expect(await n.send({ id: 1 })).toHaveLength(1);
  });

  it('keeps memory small by hashing long keys', async () => {
    const n = node({ key: '' });
    await n.send({ text: 'x'.repeat(5_000) });
    expect(JSON.stringify(n.memory.value).length).toBeLessThan(120);
    expect(compactKey('short')).toBe('short');
    expect(compactKey('y'.repeat(65))).toMatch(/^sha256:/);
  });
});

describe('checkKey with a clock', () => {
  const settings = { lookback: 100, windowMs: parseDuration('10m') };
  const t0 = 1_700_000_000_000;

  it('forgets keys after the window, counted from the first time', () => {
    const first = checkKey(undefined, 'k', settings, t0);
    expect(first.isNew).toBe(true);
    const again = checkKey(first.seen, 'k', settings, t0 + 9 * 60_000);
    expect(again.isNew).toBe(false);
    // The duplicate did not refresh the time: 11 minutes after the first, the key passes again.
    const later = checkKey(again.seen, 'k', settings, t0 + 11 * 60_000);
    expect(later.isNew).toBe(true);
    expect(later.seen).toEqual([{ k: 'k', t: t0 + 11 * 60_000 }]);
  });

  it('trims expired keys from memory', () => {
    const a = checkKey(undefined, 'a', settings, t0);
    const b = checkKey(a.seen, 'b', settings, t0 + 11 * 60_000);
    expect(b.seen.map((e) => e.k)).toEqual(['b']);
  });

  it('starts afresh from memory it does not understand', () => {
    expect(checkKey({ junk: true }, 'a', settings, t0).isNew).toBe(true);
    expect(checkKey([{ k: 1 }, 'x'], 'a', settings, t0).seen).toEqual([{ k: 'a', t: t0 }]);
  });
});
