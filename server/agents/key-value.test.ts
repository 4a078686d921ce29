import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { JsonObject, JsonValue } from './define-agent';
import { keyValueAgent, MAX_KV_ENTRIES } from './key-value';
import { makeTestContext } from './test-context';
import { renderOptions } from '../engine/liquid';

/** One node's memory shared by several runs, options rendered like the engine does. */
function store(initial?: JsonValue) {
  const memory: { value: JsonValue | undefined } = { value: initial };
  return {
    memory,
    async send(rawOptions: JsonObject, ev: JsonObject = {}, dryRun = false) {
      const { ctx, memory: m } = makeTestContext(keyValueAgent, renderOptions(rawOptions, ev), ev, { memoryValue: memory.value, dryRun });
      const out = await keyValueAgent.run(ctx);
      memory.value = m.value;
      return out;
    },
  };
}

describe('key_value options', () => {
  it('accepts the defaults and makes a JSON Schema', () => {
    expect(keyValueAgent.options.safeParse(keyValueAgent.defaultOptions).success).toBe(true);
    expect(() => z.toJSONSchema(keyValueAgent.options, { io: 'input' })).not.toThrow();
  });

  it('refuses bad options with readable messages', () => {
    const first = (o: unknown) => keyValueAgent.options.safeParse(o).error?.issues[0]?.message;
    expect(first({ operation: 'put', key: 'a' })).toBe('Choose get, set, delete or increment');
    expect(first({ operation: 'set', key: 'a' })).toBe('Enter the value to store');
    expect(first({ operation: 'get', key: 'a', output_field: '' })).toMatch(/Enter the field/);
    expect(keyValueAgent.options.safeParse({ operation: 'get', key: 'a', x: 1 }).success).toBe(false);
  });
});

describe('key_value agent', () => {
  it('sets, gets and deletes values across runs', async () => {
    const s = store();
    const ev = { customer: { id: 7, plan: 'pro' } };
    expect(await s.send({ operation: 'set', key: 'plan-{{ customer.id }}', value: '{{ customer.plan }}' }, ev)).toEqual([ev]);
    expect(s.memory.value).toEqual({ 'plan-7': 'pro' });
    expect(await s.send({ operation: 'get', key: 'plan-7', output_field: 'stored.plan' }, { a: 1 })).toEqual([{ a: 1, stored: { plan: 'pro' } }]);
    expect(await s.send({ operation: 'delete', key: 'plan-7' }, { a: 1 })).toEqual([{ a: 1 }]);
    expect(await s.send({ operation: 'get', key: 'plan-7' }, { a: 1 })).toEqual([{ a: 1, value: null }]);
  });

  it('stores structured values and numbers as keys', async () => {
    const s = store();
    await s.send({ operation: 'set', key: '{{ id }}', value: { tags: ['a'] } }, { id: 3 });
    expect(await s.send({ operation: 'get', key: '{{ id }}' }, { id: 3 })).toEqual([{ id: 3, value: { tags: ['a'] } }]);
  });

  it('increments counters by 1 or by a value', async () => {
    const s = store();
    expect(await s.send({ operation: 'increment', key: 'hits' })).toEqual([{ value: 1 }]);
    expect(await s.send({ operation: 'increment', key: 'hits', value: '{{ n }}', output_field: 'count' }, { n: 5 })).toEqual([{ n: 5, count: 6 }]);
    expect(await s.send({ operation: 'increment', key: 'hits', value: '-2' })).toEqual([{ value: 4 }]);
  });

  it('refuses to increment text or by text', async () => {
    const s = store({ name: 'Ada' });
    await expect(s.send({ operation: 'increment', key: 'name' })).rejects.toThrow(/not a number/);
    await expect(s.send({ operation: 'increment', key: 'n', value: 'lots' })).rejects.toThrow(/needs a number/);
  });

  it('refuses an empty key', async () => {
    await expect(store().send({ operation: 'get', key: '' })).rejects.toThrow(/key is empty/);
    const parsed = keyValueAgent.options.safeParse(renderOptions({ operation: 'get', key: '{{ missing }}' }, {}));
    expect(parsed.error?.issues[0]?.message).toMatch(/^Enter a key, e.g. \{\{ customer.id \}\}/);
    expect(keyValueAgent.options.safeParse({ operation: 'get' }).error?.issues[0]?.message).toMatch(/^Enter a key/);
  });

  it('does not write in a dry run', async () => {
    const s = store({ hits: 1 });
    expect(await s.send({ operation: 'increment', key: 'hits' }, {}, true)).toEqual([{ value: 2 }]);
    expect(s.memory.value).toEqual({ hits: 1 });
  });

  it('keeps a key named __proto__ as an ordinary entry', async () => {
    const s = store();
    await s.send({ operation: 'set', key: '__proto__', value: 1 });
    expect(JSON.stringify(s.memory.value)).toBe('{"__proto__":1}');
    expect(await s.send({ operation: 'get', key: '__proto__' })).toEqual([{ value: 1 }]);
  });

  it('caps the number of keys and the size of the store', async () => {
    const full = Object.fromEntries(Array.from({ length: MAX_KV_ENTRIES }, (_, i) => [`k${i}`, i]));
    const s = store(full);
    await expect(s.send({ operation: 'set', key: 'one-more', value: 1 })).rejects.toThrow(/already stores 10,000 keys/);
    await s.send({ operation: 'set', key: 'k1', value: 2 });
    await expect(store().send({ operation: 'set', key: 'big', value: 'x'.repeat(1_100_000) })).rejects.toThrow(/limit is 1 MB/);
  });
});
