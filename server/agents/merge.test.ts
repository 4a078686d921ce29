import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { JsonObject, JsonValue } from './define-agent';
import { addToMerge, FROM_FIELD, MAX_PENDING_KEYS, mergeAgent } from './merge';
import { makeTestContext } from './test-context';
import { renderOptions } from '../engine/liquid';

function node(rawOptions: JsonObject, dryRun = false) {
  const memory: { value: JsonValue | undefined } = { value: undefined };
  let lastLogs: Array<{ message: string }> = [];
  return {
    memory,
    async send(from: string | undefined, ev: JsonObject) {
      const delivered = from === undefined ? ev : { ...ev, [FROM_FIELD]: from };
      const { ctx, memory: m, logs } = makeTestContext(mergeAgent, renderOptions(rawOptions, delivered), delivered, { memoryValue: memory.value, dryRun });
      const out = await mergeAgent.run(ctx);
      memory.value = m.value;
      lastLogs = logs;
      return out;
    },
    logs: () => lastLogs,
  };
}

describe('merge options', () => {
  it('accepts the defaults and makes a JSON Schema', () => {
    expect(mergeAgent.options.safeParse(mergeAgent.defaultOptions).success).toBe(true);
    expect(() => z.toJSONSchema(mergeAgent.options, { io: 'input' })).not.toThrow();
  });

  it('refuses bad options with readable messages', () => {
    const first = (o: unknown) => mergeAgent.options.safeParse(o).error?.issues[0]?.message;
    expect(first({ key: 'a', inputs: 1 })).toBe('Merge needs at least 2 inputs');
    expect(first({ key: 'a', inputs: 11 })).toBe('Merge can wait for at most 10 inputs');
    expect(first({ key: 'a', window: '1 week' })).toBe('Write a duration like 30s, 10m, 2h or 7d');
    expect(mergeAgent.options.safeParse({ key: 'a', extra: 1 }).success).toBe(false);
  });
});

describe('merge agent', () => {
  it('emits one merged event when every input has sent the key', async () => {
    const n = node({ key: '{{ order.id }}', inputs: 2 });
    expect(await n.send('shop', { order: { id: 'A-17', total: 40 } })).toEqual([]);
    expect(await n.send('shop', { order: { id: 'B-1', total: 5 } })).toEqual([]);
    const out = await n.send('bank', { order: { id: 'A-17' }, paid: true });
    expect(out).toEqual([{ key: 'A-17', items: { shop: { order: { id: 'A-17', total: 40 } }, bank: { order: { id: 'A-17' }, paid: true } } }]);
    // A-17 is done; B-1 still waits.
    expect(Object.keys((n.memory.value as { pending: JsonObject }).pending)).toEqual(['B-1']);
  });

  it('waits for N different inputs; a repeat from one input replaces its event', async () => {
    const n = node({ key: '{{ id }}', inputs: 3 });
    await n.send('a', { id: 1, v: 1 });
    const again = await n.send('a', { id: 1, v: 2 });
    expect(again).toEqual([]);
    expect(n.logs().some((l) => /replaces/.test(l.message))).toBe(true);
    await n.send('b', { id: 1 });
    const out = await n.send('c', { id: 1 });
    expect(out[0]).toEqual({ key: 1, items: { a: { id: 1, v: 2 }, b: { id: 1 }, c: { id: 1 } } });
  });

  it('fails clearly without $from or with an empty key', async () => {
    await expect(node({ key: '{{ id }}' }).send(undefined, { id: 1 })).rejects.toThrow(/which connection/);
    await expect(node({ key: '' }).send('a', { id: 1 })).rejects.toThrow(/key is empty/);
    // A key whose field is missing is left out by the engine's rendering: the schema explains it.
    const parsed = mergeAgent.options.safeParse(renderOptions({ key: '{{ missing }}' }, { id: 1 }));
    expect(parsed.error?.issues[0]?.message).toMatch(/^Enter a key, e.g. \{\{ order.id \}\}. If you did, the field it uses is missing/);
  });

  it('does not remember anything in a dry run', async () => {
    const n = node({ key: '{{ id }}' }, true);
    await n.send('a', { id: 1 });
    expect(n.memory.value).toBeUndefined();
  });
});

describe('addToMerge with a clock', () => {
  const t0 = 1_700_000_000_000;
  const settings = { inputs: 2, windowMs: 60_000 };

  it('gives up on keys older than the window', () => {
    const first = addToMerge(undefined, { key: 'k', from: 'a', event: { x: 1 } }, settings, t0);
    const late = addToMerge(first.state, { key: 'k', from: 'b', event: { y: 1 } }, settings, t0 + 61_000);
    expect(late.merged).toBeUndefined();
    expect(late.expired).toBe(1);
    const inTime = addToMerge(first.state, { key: 'k', from: 'b', event: { y: 1 } }, settings, t0 + 59_000);
    expect(inTime.merged).toEqual({ key: 'k', items: { a: { x: 1 }, b: { y: 1 } } });
  });

  it('drops the oldest unfinished keys beyond the cap', () => {
    let state: JsonValue | undefined;
    for (let i = 0; i < MAX_PENDING_KEYS; i++) state = addToMerge(state, { key: `k${i}`, from: 'a', event: {} }, { inputs: 2 }, t0 + i).state;
    const over = addToMerge(state, { key: 'new', from: 'a', event: {} }, { inputs: 2 }, t0 + MAX_PENDING_KEYS);
    expect(over.evicted).toBe(1);
    const keys = Object.keys((over.state as { pending: JsonObject }).pending);
    expect(keys).toHaveLength(MAX_PENDING_KEYS);
    expect(keys).not.toContain('k0');
    expect(keys).toContain('new');
  });

  it('keeps a source id named __proto__ as an ordinary entry', () => {
    const a = addToMerge(undefined, { key: 'k', from: '__proto__', event: { x: 1 } }, { inputs: 2 }, t0);
    const b = addToMerge(JSON.parse(JSON.stringify(a.state)), { key: 'k', from: 'b', event: {} }, { inputs: 2 }, t0);
    expect(JSON.stringify(b.merged)).toBe('{"key":"k","items":{"__proto__":{"x":1},"b":{}}}');
  });
});
