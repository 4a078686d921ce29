import cronParser from 'cron-parser';
import { z } from 'zod';
import { defineAgent } from './define-agent';

/** Huginn-style simple choices, as intervals in milliseconds. */
export const everyChoices = {
  '1m': 60_000,
  '5m': 300_000,
  '10m': 600_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '6h': 21_600_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
} as const;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const options = z
  .object({
    mode: z.enum(['every', 'daily', 'cron']).default('every').describe('How to repeat: at a fixed interval, every day at a time, or a cron expression'),
    every: z
      .enum(Object.keys(everyChoices) as [keyof typeof everyChoices, ...Array<keyof typeof everyChoices>])
      .default('1h')
      .describe('Interval (for "every")'),
    time: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use a 24-hour time like 09:00')
      .default('09:00')
      .describe('Time of day, 24-hour (for "daily")'),
    cron: z
      .string()
      .default('0 9 * * 1-5')
      .refine((c) => {
        try {
          cronParser.parseExpression(c);
          return true;
        } catch {
          return false;
        }
      }, 'This is not a valid cron expression (for example "0 9 * * 1-5" means 09:00 on weekdays)')
      .describe('Cron expression (for "cron"), e.g. 0 9 * * 1-5'),
    timezone: z.string().default('UTC').refine(isTimeZone, 'Unknown time zone; use a name like Europe/Paris or America/New_York').describe('Time zone'),
  })
  .strict();

export type ScheduleOptions = z.output<typeof options>;

/** The BullMQ repeat options of a schedule node. */
export function repeatOptionsOf(o: ScheduleOptions): { every: number } | { pattern: string; tz: string } {
  if (o.mode === 'every') return { every: everyChoices[o.every] };
  if (o.mode === 'daily') {
    const [h, m] = o.time.split(':');
    return { pattern: `${Number(m)} ${Number(h)} * * *`, tz: o.timezone };
  }
  return { pattern: o.cron, tz: o.timezone };
}

export const scheduleAgent = defineAgent({
  type: 'schedule',
  name: 'Schedule',
  category: 'Triggers',
  icon: 'Clock',
  summary: 'Start the flow at regular times: every few minutes, daily, or by cron.',
  description: `Starts a run on a timetable while the flow is **active**.

- **every**: at a fixed interval (every 5 minutes, every hour, …)
- **daily**: once a day at a time in your time zone
- **cron**: a cron expression for anything else, e.g. \`0 9 * * 1-5\` (09:00 on weekdays)

Each tick starts exactly one run, however many workers are running.

**Emits** \`{ "scheduledAt": "2026-01-05T09:00:00.000Z" }\`.`,
  exampleEvent: { scheduledAt: '2026-01-05T09:00:00.000Z' },
  options,
  defaultOptions: { mode: 'every', every: '1h', timezone: 'UTC' },
  capabilities: { receives: false, trigger: 'schedule', dryRun: true, inline: true },
  async run(ctx) {
    return [{ scheduledAt: new Date().toISOString(), ...ctx.event }];
  },
});
