/**
 * Source convention (the engine implements it): an event delivered to a Merge node carries a
 * reserved top-level field `"$from": "<upstream node id>"`, set by the engine from the edge it
 * travelled. AgentContext does not expose the upstream node, and Merge needs it to tell its inputs
 * apart. Merge removes `$from` from the events it stores and emits.
 */
import { z } from 'zod';
import { defineAgent, PermanentAgentError, type JsonObject, type JsonValue } from './define-agent';
import { compactKey, durationSchema, keyToString, parseDuration, requiredKeySchema } from './dedup';

export const FROM_FIELD = '$from';
/** Unfinished merges kept at once; beyond this the oldest are dropped (with a warning). */
export const MAX_PENDING_KEYS = 1_000;
export const MAX_PENDING_BYTES = 2_000_000;

type Pending = { key: JsonValue; t: number; items: JsonObject };

export interface MergeSettings {
  inputs: number;
  windowMs?: number;
}

export interface MergeResult {
  /** The merged event, when this event completed its key. */
  merged?: JsonObject;
  /** What to remember: unfinished merges by compacted key. */
  state: JsonObject;
  expired: number;
  evicted: number;
  replaced: boolean;
}

function readPending(stored: JsonValue | undefined): Map<string, Pending> {
  const pending = typeof stored === 'object' && stored !== null && !Array.isArray(stored) ? stored.pending : undefined;
  const out = new Map<string, Pending>();
  if (typeof pending !== 'object' || pending === null || Array.isArray(pending)) return out;
  for (const [k, v] of Object.entries(pending)) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
    if (typeof v.t !== 'number' || typeof v.items !== 'object' || v.items === null || Array.isArray(v.items)) continue;
    out.set(k, { key: v.key ?? null, t: v.t, items: v.items });
  }
  return out;
}

function toState(pending: Map<string, Pending>): JsonObject {
  // fromEntries keeps keys such as "__proto__" as ordinary fields.
  return { pending: Object.fromEntries([...pending].map(([k, p]) => [k, { key: p.key, t: p.t, items: p.items }])) as JsonObject };
}

/**
 * The pure heart of the agent: add one event from one source, expire old partial merges, and say
 * whether the key is now complete. `now` is a parameter so tests can move the clock.
 */
export function addToMerge(
  stored: JsonValue | undefined,
  input: { key: JsonValue; from: string; event: JsonObject },
  settings: MergeSettings,
  now = Date.now(),
): MergeResult {
  const pending = readPending(stored);
  let expired = 0;
  if (settings.windowMs !== undefined) {
    for (const [k, p] of pending) {
      if (p.t <= now - settings.windowMs) {
        pending.delete(k);
        expired += 1;
      }
    }
  }

  const k = compactKey(keyToString(input.key));
  const entry = pending.get(k) ?? { key: input.key, t: now, items: {} };
  const items = new Map(Object.entries(entry.items));
  const replaced = items.has(input.from);
  items.set(input.from, input.event);

  if (items.size >= settings.inputs) {
    pending.delete(k);
    return { merged: { key: entry.key, items: Object.fromEntries(items) as JsonObject }, state: toState(pending), expired, evicted: 0, replaced };
  }

  pending.set(k, { ...entry, items: Object.fromEntries(items) as JsonObject });
  // Bound memory: drop the oldest unfinished merges first (Map keeps insertion order, but a
  // replaced entry keeps its first time, so sort by time).
  let evicted = 0;
  const byAge = [...pending].sort((a, b) => a[1].t - b[1].t);
  let state = toState(pending);
  while (byAge.length > 0 && (pending.size > MAX_PENDING_KEYS || Buffer.byteLength(JSON.stringify(state)) > MAX_PENDING_BYTES)) {
    const [oldest] = byAge.shift()!;
    if (oldest === k) continue;
    pending.delete(oldest);
    evicted += 1;
    state = toState(pending);
  }
  return { state, expired, evicted, replaced };
}

const options = z
  .object({
    key: requiredKeySchema('{{ order.id }}').describe('What the events to merge have in common, e.g. {{ order.id }}'),
    inputs: z
      .number({ error: 'Enter how many inputs to wait for, e.g. 2' })
      .int('Enter a whole number')
      .min(2, 'Merge needs at least 2 inputs')
      .max(10, 'Merge can wait for at most 10 inputs')
      .default(2)
      .describe('How many different incoming connections must deliver an event with the key'),
    window: durationSchema.optional().describe('Give up on a key after this long, e.g. 10m, 2h, 7d (optional)'),
  })
  .strict();

export const mergeAgent = defineAgent({
  type: 'merge',
  name: 'Merge',
  category: 'Shape data',
  icon: 'Merge',
  summary: 'Wait for matching events from several branches and join them.',
  description: `Joins events that arrive on different incoming connections but belong together, e.g. an
order from the shop and its payment from the bank. The **key** says what they share, e.g.
\`{{ order.id }}\`. When events with the same key have arrived from **inputs** different
connections, one merged event is emitted, with each connection's event under the id of the node it
came from:

\`{ "key": "A-17", "items": { "shop": { ... }, "bank": { ... } } }\`

Until then the events wait in the node's memory. If one connection sends the same key twice, the
newer event replaces the older. With a **window** such as \`1h\`, a key still incomplete after that
long is given up. At most ${MAX_PENDING_KEYS.toLocaleString('en-US')} incomplete keys wait at once; beyond that the oldest are dropped.

**Emits** one merged event when every input has arrived for a key, nothing before.`,
  exampleEvent: { key: 'A-17', items: { shop: { order: { id: 'A-17', total: 40 } }, bank: { payment: { ref: 'A-17', amount: 40 } } } },
  options,
  defaultOptions: { key: '{{ id }}', inputs: 2 },
  capabilities: { receives: true, dryRun: true, stateful: true },
  async run(ctx) {
    const { key, inputs, window } = ctx.options;
    const { [FROM_FIELD]: from, ...event } = ctx.event;
    if (typeof from !== 'string' || from === '') {
      throw new PermanentAgentError(
        'Merge could not tell which connection this event came from. It only works with events delivered by connected nodes (not in a test with a hand-written event).',
      );
    }
    if (key === null || key === '') throw new PermanentAgentError('The key is empty for this event. Check that the field used in the key exists.');

    const settings: MergeSettings = { inputs, windowMs: window === undefined ? undefined : parseDuration(window) };
    const result = addToMerge(await ctx.memory.get(), { key: key as JsonValue, from, event }, settings);
    if (result.expired > 0) ctx.log.info(`${result.expired} incomplete merge(s) ran out of time and were dropped.`);
    if (result.evicted > 0) ctx.log.warn(`Too many incomplete merges: the ${result.evicted} oldest were dropped.`);
    if (result.replaced) ctx.log.info(`"${from}" sent this key again; the newer event replaces the older.`);
    if (!ctx.dryRun) await ctx.memory.set(result.state);
    if (!result.merged) ctx.log.info('Waiting for the other inputs.');
    return result.merged ? [result.merged] : [];
  },
});
