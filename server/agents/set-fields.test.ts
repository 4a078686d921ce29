import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { JsonObject } from './define-agent';
import { deletePath, setFieldsAgent, setPath } from './set-fields';
import { makeTestContext } from './test-context';
import { renderOptions } from '../engine/liquid';

const event: JsonObject = { customer: { id: 7, name: 'Ada' }, items: [{ id: 1 }, { id: 2 }], status: 'new', debug: true };

const run = async (options: unknown, ev: JsonObject = event) => {
  const { ctx } = makeTestContext(setFieldsAgent, options, ev);
  return setFieldsAgent.run(ctx);
};

describe('set_fields options', () => {
  it('accepts the defaults and makes a JSON Schema', () => {
    expect(setFieldsAgent.options.safeParse(setFieldsAgent.defaultOptions).success).toBe(true);
    expect(() => z.toJSONSchema(setFieldsAgent.options, { io: 'input' })).not.toThrow();
  });

  it('refuses bad options', () => {
    expect(setFieldsAgent.options.safeParse({}).success).toBe(false);
    expect(setFieldsAgent.options.safeParse({ fields: {}, keep: 'some' }).error?.issues[0]?.message).toBe('Choose "all" or "only_set"');
    expect(setFieldsAgent.options.safeParse({ fields: {}, remove: [''] }).error?.issues[0]?.message).toMatch(/path of the field/);
    expect(setFieldsAgent.options.safeParse({ fields: {}, other: 1 }).success).toBe(false);
  });
});

describe('set_fields agent', () => {
  it('sets and overwrites fields by path, keeping the rest', async () => {
    const [out] = await run({ fields: { 'customer.name': 'Ada Lovelace', 'customer.address.city': 'London', status: 'done', 'items[1].id': 20 } });
    expect(out).toEqual({
      customer: { id: 7, name: 'Ada Lovelace', address: { city: 'London' } },
      items: [{ id: 1 }, { id: 20 }],
      status: 'done',
      debug: true,
    });
  });

  it('does not change the incoming event', async () => {
    const before = structuredClone(event);
    await run({ fields: { 'customer.name': 'x' }, remove: ['items[0]'] });
    expect(event).toEqual(before);
  });

  it('emits only the set fields with keep: only_set', async () => {
    expect(await run({ fields: { 'who.name': 'Ada', n: 1 }, keep: 'only_set' })).toEqual([{ who: { name: 'Ada' }, n: 1 }]);
  });

  it('removes fields after setting', async () => {
    const [out] = await run({ fields: { 'meta.seen': true }, remove: ['debug', 'items[0]', 'customer.id', 'nope.deeper'] });
    expect(out).toEqual({ customer: { name: 'Ada' }, items: [{ id: 2 }], status: 'new', meta: { seen: true } });
  });

  it('works with values rendered by Liquid, keeping types', async () => {
    const rendered = renderOptions({ fields: { total: '{{ items.size }}', label: 'Customer {{ customer.name }}' } }, event);
    const [out] = await run(rendered);
    expect(out).toMatchObject({ total: 2, label: 'Customer Ada' });
  });

  it('fails clearly on impossible paths', async () => {
    await expect(run({ fields: { 'items.name': 'x' } })).rejects.toThrow(/use a position/);
    await expect(run({ fields: { 'items[5]': 'x' } })).rejects.toThrow(/past the end/);
    await expect(run({ fields: { '__proto__.polluted': 'x' } })).rejects.toThrow(/not allowed/);
    await expect(run({ fields: { '.': 'x' } })).rejects.toThrow(/empty/);
  });
});

describe('setPath / deletePath', () => {
  it('replaces a text field on the way by an object and appends to lists', () => {
    const o: JsonObject = { a: 'text', list: [1] };
    setPath(o, 'a.b', 1);
    setPath(o, 'list[1]', 2);
    expect(o).toEqual({ a: { b: 1 }, list: [1, 2] });
  });

  it('ignores missing paths when deleting', () => {
    const o: JsonObject = { a: 1 };
    deletePath(o, 'b.c');
    deletePath(o, 'a.b');
    expect(o).toEqual({ a: 1 });
  });
});
