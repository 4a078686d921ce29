import { z } from 'zod';
import { defineAgent, type AgentContext, type JsonObject, type JsonValue } from './define-agent';

export const MAX_DIGEST_COUNT = 1_000;
/** A batch larger than this is emitted early: it lives in one memory row and becomes one event. */
export const MAX_DIGEST_BYTES = 1_000_000;

const options = z
  .object({
    count: z
      .number({ error: 'Enter how many events to collect, e.g. 10' })
      .int('Enter a whole number')
      .min(1, 'Collect at least 1 event')
      .max(MAX_DIGEST_COUNT, `Collect at most ${MAX_DIGEST_COUNT.toLocaleString('en-US')} events`)
      .default(10)
      .describe('Emit the digest after this many events'),
    field: z
      .string()
      .trim()
      .min(1, 'Enter the name of the field that holds the events, e.g. events')
      .max(100, 'The field name is too long')
      .default('events')
      .describe('Name of the field that holds the collected events'),
  })
  .strict();

export type DigestOptions = z.output<typeof options>;

function readBatch(stored: JsonValue | undefined): JsonObject[] {
  const events = typeof stored === 'object' && stored !== null && !Array.isArray(stored) ? stored.events : undefined;
  return Array.isArray(events) ? (events.filter((e) => typeof e === 'object' && e !== null && !Array.isArray(e)) as JsonObject[]) : [];
}

function summary(events: JsonObject[], field: string): JsonObject {
  // `count` last, so a field named "count" cannot hide the number of events.
  return { [field]: events, count: events.length };
}

type FlushContext = Pick<AgentContext<DigestOptions>, 'options' | 'memory' | 'dryRun'>;

/**
 * Emits what has been collected so far, however few, and clears it. Not called by the agent
 * itself: the engine will call it on a schedule (time-window digests, e.g. "every morning") once
 * the scheduler supports agents with a timer. Returns [] when nothing was collected.
 */
export async function flushDigest(ctx: FlushContext): Promise<JsonObject[]> {
  const events = readBatch(await ctx.memory.get());
  if (events.length === 0) return [];
  if (!ctx.dryRun) await ctx.memory.set({ events: [] });
  return [summary(events, ctx.options.field)];
}

export const digestAgent = defineAgent({
  type: 'digest',
  name: 'Digest',
  category: 'Shape data',
  icon: 'Layers',
  summary: 'Collect events and emit them together as one.',
  description: `Collects incoming events and, once **count** of them have arrived, emits one event that
holds them all — handy for one summary email instead of fifty (Huginn's DigestAgent). Then it starts
collecting again.

The digest looks like \`{ "events": [ ...the collected events... ], "count": 10 }\`; **field**
changes the name \`events\`. Collected events are kept between runs. A batch that grows beyond
${MAX_DIGEST_BYTES / 1_000_000} MB is emitted early. Testing the node shows what it would emit without changing
what it has collected.

**Emits** one digest event every **count** events, nothing in between.`,
  exampleEvent: { events: [{ title: 'Printer on fire' }, { title: 'Coffee machine empty' }], count: 2 },
  options,
  defaultOptions: { count: 10, field: 'events' },
  capabilities: { receives: true, dryRun: true, stateful: true },
  async run(ctx) {
    const { count, field } = ctx.options;
    const batch = readBatch(await ctx.memory.get());
    const emitted: JsonObject[] = [];
    const nextSize = Buffer.byteLength(JSON.stringify([...batch, ctx.event]));
    if (batch.length > 0 && nextSize > MAX_DIGEST_BYTES) {
      ctx.log.warn(`The collected events reached ${MAX_DIGEST_BYTES / 1_000_000} MB, so ${batch.length} were emitted early.`);
      emitted.push(summary(batch.splice(0), field));
    }
    batch.push(ctx.event);
    if (batch.length >= count) {
      emitted.push(summary(batch.splice(0), field));
    } else {
      ctx.log.info(`Collected ${batch.length} of ${count} events.`);
    }
    if (!ctx.dryRun) await ctx.memory.set({ events: batch });
    return emitted;
  },
});
