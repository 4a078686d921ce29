import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineAgent, type JsonObject, type JsonValue } from './define-agent';
import { durationSchema, parseDuration } from './duration';

export { durationSchema, parseDuration };

/** A rendered key as text: text stays as it is, anything else (numbers, objects) as JSON. */
export function keyToString(key: JsonValue): string {
  return typeof key === 'string' ? key : JSON.stringify(key);
}

/**
 * A required key option. It is JSON, not text, because `{{ customer.id }}` renders to a number.
 * The engine leaves out an option whose template found nothing, so "missing" reads as "empty for
 * this event" as well as "not filled in".
 */
export function requiredKeySchema(example: string) {
  return z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.json()), z.record(z.string(), z.json())], {
    error: (iss) =>
      iss.input === undefined
        ? `Enter a key, e.g. ${example}. If you did, the field it uses is missing from this event`
        : 'The key must be text, a number or JSON',
  });
}

/** Long keys (whole events, URLs) are stored as a hash so memory stays small; collisions are negligible. */
const MAX_PLAIN_KEY = 64;
export function compactKey(key: string): string {
  return key.length <= MAX_PLAIN_KEY ? key : `sha256:${createHash('sha256').update(key).digest('base64url')}`;
}

export const MAX_LOOKBACK = 10_000;

// A type, not an interface, so it is assignable to JsonValue.
export type SeenKey = { k: string; t: number };

export interface DedupSettings {
  lookback: number;
  windowMs?: number;
}

function readSeen(stored: JsonValue | undefined): SeenKey[] {
  if (!Array.isArray(stored)) return [];
  return stored.filter(
    (e): e is SeenKey => typeof e === 'object' && e !== null && !Array.isArray(e) && typeof e.k === 'string' && typeof e.t === 'number',
  );
}

/**
 * The pure heart of the agent: is `key` new, and what to remember afterwards. Memory keeps the
 * `lookback` most recent keys, dropping those older than the window. A repeated key keeps its
 * first time, so with a window of 1h a key seen every 10 minutes passes once an hour.
 * `now` is a parameter so tests can move the clock.
 */
export function checkKey(stored: JsonValue | undefined, key: string, settings: DedupSettings, now = Date.now()): { isNew: boolean; seen: SeenKey[] } {
  const k = compactKey(key);
  const cutoff = settings.windowMs === undefined ? -Infinity : now - settings.windowMs;
  let seen = readSeen(stored).filter((e) => e.t > cutoff);
  seen = seen.slice(Math.max(0, seen.length - settings.lookback));
  if (seen.some((e) => e.k === k)) return { isNew: false, seen };
  seen.push({ k, t: now });
  return { isNew: true, seen: seen.slice(Math.max(0, seen.length - settings.lookback)) };
}

const options = z
  .object({
    key: z
      .json()
      .default('')
      .describe('What makes two events the same, e.g. {{ issue.key }}. Leave empty to compare whole events.'),
    lookback: z
      .number({ error: 'Enter how many recent keys to remember, e.g. 100' })
      .int('Enter a whole number')
      .min(1, 'Remember at least 1 key')
      .max(MAX_LOOKBACK, `Remember at most ${MAX_LOOKBACK.toLocaleString('en-US')} keys`)
      .default(100)
      .describe('How many recent keys to remember'),
    window: durationSchema.optional().describe('Forget keys after this long, e.g. 10m, 2h, 7d (optional)'),
  })
  .strict();

export const dedupAgent = defineAgent({
  type: 'dedup',
  name: 'De-duplicate',
  category: 'Memory',
  icon: 'CopyMinus',
  summary: 'Drop events that were already seen.',
  description: `Lets each event through once (Huginn's DeDuplicationAgent). The **key** says what makes two
events "the same", e.g. \`{{ issue.key }}\` or \`{{ email }}-{{ subject }}\`; leave it empty to
compare whole events.

The node remembers the most recent **lookback** keys (100 by default, up to
${MAX_LOOKBACK.toLocaleString('en-US')}). With a **window** such as \`10m\`, \`2h\` or \`7d\`, a key is
also forgotten once that much time has passed since it first went through, so the same key can pass
again later. Testing this node shows what it would do without changing what it remembers.

**Emits** the incoming event unchanged when its key is new, nothing when it is a duplicate.`,
  exampleEvent: { issue: { key: 'OPS-42', fields: { summary: 'Printer on fire' } } },
  options,
  defaultOptions: { key: '{{ id }}', lookback: 100 },
  capabilities: { receives: true, dryRun: true, stateful: true },
  async run(ctx) {
    const { key, lookback, window } = ctx.options;
    let keyText = key === null ? '' : keyToString(key as JsonValue);
    if (keyText === '') {
      if (key === null) ctx.log.warn('The key was empty for this event, so the whole event was compared.');
      keyText = JSON.stringify(ctx.event);
    }
    const settings: DedupSettings = { lookback, windowMs: window === undefined ? undefined : parseDuration(window) };
    const { isNew, seen } = checkKey(await ctx.memory.get(), keyText, settings);
    // A dry run shows the decision without teaching the node a key.
    if (isNew && !ctx.dryRun) await ctx.memory.set(seen);
    ctx.log.info(isNew ? 'New key: the event passed on.' : 'Already seen: the event was dropped.');
    return isNew ? [ctx.event as JsonObject] : [];
  },
});
