import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { JsonObject, JsonValue } from './define-agent';
import { digestAgent, flushDigest, MAX_DIGEST_BYTES } from './digest';
import { makeTestContext } from './test-context';

function node(options: JsonObject, dryRun = false) {
  const memory: { value: JsonValue | undefined } = { value: undefined };
  const context = (ev: JsonObject = {}) => makeTestContext(digestAgent, options, ev, { memoryValue: memory.value, dryRun });
  return {
    memory,
    async send(ev: JsonObject) {
      const { ctx, memory: m } = context(ev);
      const out = await digestAgent.run(ctx);
      memory.value = m.value;
      return out;
    },
    async flush() {
      const { ctx, memory: m } = context();
      const out = await flushDigest(ctx);
      memory.value = m.value;
      return out;
    },
  };
}

describe('digest options', () => {
  it('accepts the defaults, makes a JSON Schema and fills in count and field', () => {
    expect(digestAgent.options.safeParse(digestAgent.defaultOptions).success).toBe(true);
    expect(() => z.toJSONSchema(digestAgent.options, { io: 'input' })).not.toThrow();
    expect(digestAgent.options.parse({})).toEqual({ count: 10, field: 'events' });
  });

  it('refuses bad options with readable messages', () => {
    const first = (o: unknown) => digestAgent.options.safeParse(o).error?.issues[0]?.message;
    expect(first({ count: 0 })).toBe('Collect at least 1 event');
    expect(first({ count: 1001 })).toBe('Collect at most 1,000 events');
    expect(first({ count: 2.5 })).toBe('Enter a whole number');
    expect(first({ field: '  ' })).toMatch(/Enter the name/);
    expect(digestAgent.options.safeParse({ every: '1h' }).success).toBe(false);
  });
});

describe('digest agent', () => {
  it('emits one summary every count events, then starts again', async () => {
    const n = node({ count: 3 });
    expect(await n.send({ i: 1 })).toEqual([]);
    expect(await n.send({ i: 2 })).toEqual([]);
    expect(await n.send({ i: 3 })).toEqual([{ events: [{ i: 1 }, { i: 2 }, { i: 3 }], count: 3 }]);
    expect(n.memory.value).toEqual({ events: [] });
    expect(await n.send({ i: 4 })).toEqual([]);
    expect(n.memory.value).toEqual({ events: [{ i: 4 }] });
  });

  it('uses the chosen field name', async () => {
    const n = node({ count: 1, field: 'issues' });
    expect(await n.send({ k: 'A' })).toEqual([{ issues: [{ k: 'A' }], count: 1 }]);
  });

  it('does not change what it collected in a dry run', async () => {
    const n = node({ count: 2 }, true);
    expect(await n.send({ i: 1 })).toEqual([]);
    expect(n.memory.value).toBeUndefined();
  });

  it('emits early when the batch grows too big', async () => {
    const n = node({ count: 10 });
    const big = { text: 'x'.repeat(MAX_DIGEST_BYTES / 2) };
    expect(await n.send(big)).toEqual([]);
    expect(await n.send({ ...big, n: 2 })).toEqual([{ events: [big], count: 1 }]);
    expect(n.memory.value).toEqual({ events: [{ ...big, n: 2 }] });
  });

  it('flushes what was collected on demand, and nothing when empty', async () => {
    const n = node({ count: 5 });
    await n.send({ i: 1 });
    await n.send({ i: 2 });
    expect(await n.flush()).toEqual([{ events: [{ i: 1 }, { i: 2 }], count: 2 }]);
    expect(await n.flush()).toEqual([]);
    expect(await n.send({ i: 3 })).toEqual([]);
    expect(n.memory.value).toEqual({ events: [{ i: 3 }] });
  });
});
