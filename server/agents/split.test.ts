import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { JsonObject } from './define-agent';
import { MAX_SPLIT_ITEMS, splitAgent } from './split';
import { makeTestContext } from './test-context';

const run = async (path: string, ev: JsonObject) => {
  const { ctx, logs } = makeTestContext(splitAgent, { path }, ev);
  return { events: await splitAgent.run(ctx), logs };
};

describe('split options', () => {
  it('accepts the defaults, makes a JSON Schema and keeps the path out of Liquid', () => {
    expect(splitAgent.options.safeParse(splitAgent.defaultOptions).success).toBe(true);
    expect(() => z.toJSONSchema(splitAgent.options, { io: 'input' })).not.toThrow();
    expect(splitAgent.rawOptions).toEqual(['path']);
  });

  it('refuses bad options', () => {
    expect(splitAgent.options.safeParse({ path: '' }).error?.issues[0]?.message).toMatch(/Enter the field/);
    expect(splitAgent.options.safeParse({}).success).toBe(false);
    expect(splitAgent.options.safeParse({ path: 'a', max: 3 }).success).toBe(false);
  });
});

describe('split agent', () => {
  it('emits object items as they are', async () => {
    const { events } = await run('body.items', { body: { items: [{ id: 1 }, { id: 2, name: 'b' }] } });
    expect(events).toEqual([{ id: 1 }, { id: 2, name: 'b' }]);
  });

  it('wraps other items as { value, index }', async () => {
    const { events } = await run('tags', { tags: ['a', 2, null, [1], { x: 1 }] });
    expect(events).toEqual([
      { value: 'a', index: 0 },
      { value: 2, index: 1 },
      { value: null, index: 2 },
      { value: [1], index: 3 },
      { x: 1 },
    ]);
  });

  it('emits nothing for an empty list, and says so', async () => {
    const { events, logs } = await run('items', { items: [] });
    expect(events).toEqual([]);
    expect(logs[0]?.message).toMatch(/empty/);
  });

  it('reads paths with positions', async () => {
    const { events } = await run('pages[1].rows', { pages: [{ rows: [] }, { rows: [{ r: 1 }] }] });
    expect(events).toEqual([{ r: 1 }]);
  });

  it('fails clearly when the field is missing or not a list', async () => {
    await expect(run('items', { body: {}, other: 1 })).rejects.toThrow(/no field "items".*body, other/);
    await expect(run('items', { items: 'abc' })).rejects.toThrow(/is text, not a list/);
    await expect(run('items', { items: { a: 1 } })).rejects.toThrow(/is an object, not a list/);
    await expect(run('items', { items: null })).rejects.toThrow(/null/);
  });

  it('refuses lists over the cap, naming the count', async () => {
    const items = Array.from({ length: MAX_SPLIT_ITEMS + 1 }, (_, i) => i);
    await expect(run('items', { items })).rejects.toThrow('The list at "items" has 1,001 items; at most 1,000 can be split at once.');
    const { events } = await run('items', { items: items.slice(0, MAX_SPLIT_ITEMS) });
    expect(events).toHaveLength(MAX_SPLIT_ITEMS);
  });
});
