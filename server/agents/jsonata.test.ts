import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PermanentAgentError, type JsonObject } from './define-agent';
import { evaluateJsonata, jsonataAgent } from './jsonata';
import { makeTestContext } from './test-context';

const event: JsonObject = {
  customer: { name: 'Ada' },
  items: [
    { name: 'pen', price: 2 },
    { name: 'book', price: 12.5 },
    { name: 'lamp', price: 30 },
  ],
};

const run = async (options: unknown, ev: JsonObject = event) => {
  const { ctx, logs } = makeTestContext(jsonataAgent, options, ev);
  return { events: await jsonataAgent.run(ctx), logs };
};

describe('jsonata options', () => {
  it('accepts the defaults, makes a JSON Schema and keeps the expression out of Liquid', () => {
    expect(jsonataAgent.options.safeParse(jsonataAgent.defaultOptions).success).toBe(true);
    expect(() => z.toJSONSchema(jsonataAgent.options, { io: 'input' })).not.toThrow();
    expect(jsonataAgent.rawOptions).toEqual(['expression']);
  });

  it('explains syntax errors with their position when saving', () => {
    const r = jsonataAgent.options.safeParse({ expression: '$sum(items.price' });
    expect(r.error?.issues[0]?.path).toEqual(['expression']);
    expect(r.error?.issues[0]?.message).toBe('Expected ")" before end of expression, at character 16: $sum(items.price◀');
  });

  it('refuses other bad options', () => {
    expect(jsonataAgent.options.safeParse({ expression: '' }).error?.issues[0]?.message).toMatch(/Enter a JSONata expression/);
    expect(jsonataAgent.options.safeParse({ expression: 'a', mode: 'many' }).error?.issues[0]?.message).toBe('Choose "one" or "each"');
    expect(jsonataAgent.options.safeParse({ expression: 'a', extra: 1 }).success).toBe(false);
  });
});

describe('jsonata agent', () => {
  it('emits an object result as one event', async () => {
    const { events } = await run({ expression: '{ "total": $sum(items.price), "who": $uppercase(customer.name) }' });
    expect(events).toEqual([{ total: 44.5, who: 'ADA' }]);
  });

  it('wraps non-object results in mode one', async () => {
    expect((await run({ expression: 'items.name' })).events).toEqual([{ result: ['pen', 'book', 'lamp'] }]);
    expect((await run({ expression: '$count(items)' })).events).toEqual([{ result: 3 }]);
  });

  it('emits one event per item in mode each', async () => {
    const { events } = await run({ expression: 'items[price > 10]', mode: 'each' });
    expect(events).toEqual([
      { name: 'book', price: 12.5 },
      { name: 'lamp', price: 30 },
    ]);
    expect((await run({ expression: 'items.name', mode: 'each' })).events).toEqual([
      { value: 'pen', index: 0 },
      { value: 'book', index: 1 },
      { value: 'lamp', index: 2 },
    ]);
    // A single match is an object, not a list: still one event.
    expect((await run({ expression: 'items[price > 20]', mode: 'each' })).events).toEqual([{ name: 'lamp', price: 30 }]);
  });

  it('emits nothing when the expression finds nothing', async () => {
    const { events, logs } = await run({ expression: 'nothing.here' });
    expect(events).toEqual([]);
    expect(logs[0]?.message).toMatch(/found nothing/);
  });

  it('keeps Liquid-like braces as JSONata (the option is raw)', async () => {
    expect((await run({ expression: '{ "a": { "b": 1 } }' })).events).toEqual([{ a: { b: 1 } }]);
  });

  it('reports runtime errors with the position', async () => {
    await expect(run({ expression: '$nope(1)' })).rejects.toThrow(/Attempted to invoke a non-function, at character 6/);
    await expect(run({ expression: '$f := function($x) { $x }' })).rejects.toThrow(/returned a function/);
  });

  it('stops infinite loops, runaway recursion and huge lists', async () => {
    const started = Date.now();
    await expect(evaluateJsonata('($f := function($n) { $f($n + 1) }; $f(0))', {})).rejects.toThrow(PermanentAgentError);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(evaluateJsonata('$count([1..5000000])', {})).rejects.toThrow(/maximum sequence length/);
  });

  it('refuses catastrophic regexes but runs safe ones', async () => {
    await expect(evaluateJsonata('$match(s, /(a+)+b/)', { s: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' })).rejects.toThrow(/extremely long/);
    expect(await evaluateJsonata('$match(s, /O[A-Z]+-\\d+/).match', { s: 'see OPS-42' })).toBe('OPS-42');
  });

  it('caps the number of items in mode each', async () => {
    await expect(run({ expression: '[1..1001]', mode: 'each' }, {})).rejects.toThrow('The expression returned 1,001 items; at most 1,000 can be emitted at once.');
  });
});

describe('jsonata results with functions inside', () => {
  it('leaves functions out of the emitted data', async () => {
    expect(await evaluateJsonata('{ "a": 1, "f": function($x) { $x }, "g": $sum }', {})).toEqual({ a: 1 });
  });
});
