import { z } from 'zod';
import { defineAgent, PermanentAgentError, type JsonObject, type JsonValue } from './define-agent';
import { keyToString, requiredKeySchema } from './dedup';
import { setPath } from './set-fields';

export const MAX_KV_ENTRIES = 10_000;
/** Size of the whole store as JSON; memory is one database row, loaded on every event. */
export const MAX_KV_BYTES = 1_000_000;
const MAX_KEY_LENGTH = 500;

/**
 * A Map, not the stored object itself: a key such as "__proto__" must be an ordinary entry.
 * Object.fromEntries writes keys as own properties, so it survives the way back to JSON.
 */
function readStore(stored: JsonValue | undefined): Map<string, JsonValue> {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return new Map();
  return new Map(Object.entries(stored));
}

function toNumber(v: JsonValue | undefined): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function checkLimits(store: Map<string, JsonValue>): JsonObject {
  if (store.size > MAX_KV_ENTRIES) {
    throw new PermanentAgentError(
      `This node already stores ${MAX_KV_ENTRIES.toLocaleString('en-US')} keys, the most it can hold. Delete keys you no longer need.`,
    );
  }
  const data = Object.fromEntries(store) as JsonObject;
  const bytes = Buffer.byteLength(JSON.stringify(data));
  if (bytes > MAX_KV_BYTES) {
    throw new PermanentAgentError(
      `Storing this would make the node's store ${(bytes / 1_000_000).toFixed(1)} MB; the limit is ${MAX_KV_BYTES / 1_000_000} MB. Store smaller values or delete keys.`,
    );
  }
  return data;
}

const options = z
  .object({
    operation: z
      .enum(['get', 'set', 'delete', 'increment'], { error: 'Choose get, set, delete or increment' })
      .describe('Get: read the value. Set: store a value. Delete: forget the key. Increment: add to a counter.'),
    key: requiredKeySchema('{{ customer.id }}').describe('Name of the entry, e.g. {{ customer.id }}'),
    value: z.json().optional().describe('Set: the value to store. Increment: how much to add (default 1).'),
    output_field: z
      .string()
      .min(1, 'Enter the field to put the value in, e.g. value')
      .default('value')
      .describe('Get and increment: the field of the event that receives the value, e.g. stored.total'),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.operation === 'set' && o.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'Enter the value to store' });
  });

export const keyValueAgent = defineAgent({
  type: 'key_value',
  name: 'Key-value store',
  category: 'Memory',
  icon: 'Database',
  summary: 'Remember values between runs: store, read, delete, count.',
  description: `A small store that this node keeps between runs, like a notebook: each entry has a **key**
and a value. The key can use Liquid, e.g. \`{{ customer.id }}\`, so every customer gets an entry.

- **set** stores **value** under the key (replacing what was there) and passes the event on unchanged.
- **get** passes the event on with the stored value added at **output_field** (\`value\` by
  default; dots make nested fields, e.g. \`stored.plan\`). A missing key gives \`null\`.
- **delete** forgets the key and passes the event on unchanged.
- **increment** adds **value** (1 by default) to a counter and passes the event on with the new
  count at **output_field**.

A node stores at most ${MAX_KV_ENTRIES.toLocaleString('en-US')} keys and ${MAX_KV_BYTES / 1_000_000} MB. The store belongs to this node:
another Key-value node has its own. Testing the node shows the result without changing the store.

**Emits** one event: the incoming event, with the value added for get and increment.`,
  exampleEvent: { customer: { id: 7 }, value: 3 },
  options,
  defaultOptions: { operation: 'get', key: '{{ id }}', output_field: 'value' },
  capabilities: { receives: true, dryRun: true, stateful: true },
  async run(ctx) {
    const { operation, value, output_field } = ctx.options;
    const key = ctx.options.key === null ? '' : keyToString(ctx.options.key as JsonValue);
    if (key === '') throw new PermanentAgentError('The key is empty for this event. Check that the field used in the key exists.');
    if (key.length > MAX_KEY_LENGTH) throw new PermanentAgentError(`The key is ${key.length} characters long; at most ${MAX_KEY_LENGTH} are allowed.`);

    const store = readStore(await ctx.memory.get());
    const save = async () => {
      const data = checkLimits(store);
      if (!ctx.dryRun) await ctx.memory.set(data);
    };
    const withField = (v: JsonValue): JsonObject => {
      const out = structuredClone(ctx.event);
      setPath(out, output_field, v);
      return out;
    };

    switch (operation) {
      case 'get': {
        const stored = store.get(key);
        if (stored === undefined) ctx.log.info(`Nothing is stored under "${key}"; ${output_field} is null.`);
        return [withField(stored ?? null)];
      }
      case 'set':
        if (value === undefined) throw new PermanentAgentError('Enter the value to store.');
        store.set(key, value as JsonValue);
        await save();
        return [ctx.event];
      case 'delete':
        ctx.log.info(store.delete(key) ? `Deleted "${key}".` : `Nothing was stored under "${key}".`);
        await save();
        return [ctx.event];
      case 'increment': {
        const by = value === undefined ? 1 : toNumber(value as JsonValue);
        if (by === undefined) throw new PermanentAgentError(`Increment needs a number to add, not ${JSON.stringify(value)}.`);
        const current = store.get(key);
        const base = current === undefined || current === null ? 0 : toNumber(current);
        if (base === undefined) throw new PermanentAgentError(`"${key}" holds ${JSON.stringify(current).slice(0, 60)}, which is not a number, so it cannot be incremented.`);
        const next = base + by;
        store.set(key, next);
        await save();
        return [withField(next)];
      }
    }
  },
});
