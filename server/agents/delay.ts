import { z } from 'zod';
import { defineAgent } from './define-agent';
import { durationSchema, parseDuration } from './duration';

/** Longest hold: a delayed job waits in Redis, and a week covers the real cases. */
const MAX_DELAY_MS = 7 * 86_400_000;

const options = z
  .object({
    duration: durationSchema.describe('How long to hold each event, e.g. 30s, 10m, 2h or 1d (at most 7d)'),
  })
  .strict();

export const delayAgent = defineAgent({
  type: 'delay',
  name: 'Delay',
  category: 'Time',
  icon: 'Hourglass',
  summary: 'Hold each event for a while before passing it on.',
  description: `Waits before the next nodes receive the event (Huginn's DelayAgent): useful to give
another system time to catch up, or to send a reminder later. The wait survives restarts: the event
is kept in the queue, not in memory.

**Emits** the incoming event unchanged, after the delay.`,
  exampleEvent: { issue: { key: 'OPS-42' } },
  options,
  defaultOptions: { duration: '10m' },
  capabilities: { receives: true, dryRun: true },
  async run(ctx) {
    const ms = parseDuration(ctx.options.duration);
    if (ms > MAX_DELAY_MS) throw new Error('A delay can be at most 7 days.');
    ctx.log.info(`Holding the event for ${ctx.options.duration}.`);
    // The engine reads $delayMs and makes the next steps due later (see engine/directives.ts).
    return [ctx.dryRun ? ctx.event : { ...ctx.event, $delayMs: ms }];
  },
});
