import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { JsonObject } from './define-agent';
import { ROUTE_FIELD, switchAgent } from './switch';
import { makeTestContext } from './test-context';

const routes = [
  { name: 'urgent', rules: [{ path: 'priority', op: 'in', value: ['High', 'Highest'] }] },
  {
    name: 'bugs',
    match: 'any',
    rules: [
      { path: 'labels', op: 'contains', value: 'bug' },
      { match: 'all', rules: [{ path: 'type', op: 'eq', value: 'defect' }, { path: 'count', op: 'gte', value: 1 }] },
    ],
  },
];

const run = async (options: unknown, ev: JsonObject) => {
  const { ctx, logs } = makeTestContext(switchAgent, options, ev);
  return { events: await switchAgent.run(ctx), logs };
};

describe('switch options', () => {
  it('accepts the defaults and makes a JSON Schema', () => {
    expect(switchAgent.options.safeParse(switchAgent.defaultOptions).success).toBe(true);
    expect(() => z.toJSONSchema(switchAgent.options, { io: 'input' })).not.toThrow();
  });

  it('refuses bad options with readable messages', () => {
    const first = (o: unknown) => switchAgent.options.safeParse(o).error?.issues[0];
    expect(first({ routes: [] })?.message).toBe('Add at least one route');
    expect(first({ routes: [{ name: '', rules: [{ path: 'a', op: 'exists' }] }] })?.message).toMatch(/Give the route a name/);
    expect(first({ routes: [{ name: 'a', rules: [] }] })?.message).toBe('Add at least one rule');
    const dup = first({ routes: [routes[0], { ...routes[0] }] });
    expect(dup?.message).toMatch(/Two routes are named "urgent"/);
    expect(dup?.path).toEqual(['routes', 1, 'name']);
    expect(first({ routes: [{ name: 'r', rules: [{ path: 'a', op: 'regex', value: '(x+)+' }] }] })?.path).toEqual(['routes', 0, 'rules', 0, 'value']);
    expect(switchAgent.options.safeParse({ routes, other: 1 }).success).toBe(false);
  });
});

describe('switch agent', () => {
  it('sends the event down the first matching route, marked with $route', async () => {
    const ev = { priority: 'High', labels: ['bug'] };
    const { events } = await run({ routes }, ev);
    expect(events).toEqual([{ ...ev, [ROUTE_FIELD]: 'urgent' }]);
    expect(ev).not.toHaveProperty(ROUTE_FIELD);
  });

  it('checks routes in order, including nested groups', async () => {
    expect((await run({ routes }, { priority: 'Low', labels: ['bug'] })).events[0]?.$route).toBe('bugs');
    expect((await run({ routes }, { type: 'defect', count: 2 })).events[0]?.$route).toBe('bugs');
  });

  it('uses the fallback, or drops the event without one', async () => {
    expect((await run({ routes, fallback: 'other' }, { priority: 'Low' })).events).toEqual([{ priority: 'Low', $route: 'other' }]);
    const { events, logs } = await run({ routes }, { priority: 'Low' });
    expect(events).toEqual([]);
    expect(logs[0]?.message).toMatch(/no route/);
  });
});
