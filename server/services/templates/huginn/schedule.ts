import { everyChoices, scheduleAgent } from '../../../agents/schedule';

export interface MappedSchedule {
  options: Record<string, string>;
  /** In words, for the report: "every 5 minutes", "daily at 09:00". */
  label: string;
  notes: string[];
}

const TZ_NOTE = 'Huginn ran schedules in its own time zone; this one runs in UTC. Change the time zone of the Schedule node if needed.';

function cron(pattern: string, label: string, notes: string[] = []): MappedSchedule {
  return { options: { mode: 'cron', cron: pattern, timezone: 'UTC' }, label, notes };
}

/**
 * A Huginn agent schedule ("every_5m", "every_1h", "midnight", "9am", "noon", "never") as the
 * options of a Muninn Schedule node; null when the agent is not scheduled.
 */
export function mapHuginnSchedule(schedule: string | null | undefined): MappedSchedule | null | { unknown: string } {
  const s = (schedule ?? '').trim().toLowerCase();
  if (!s || s === 'never') return null;
  const every = /^every_(\d+)([mhd])$/.exec(s);
  if (every) {
    const n = Number(every[1]);
    const unit = every[2] as 'm' | 'h' | 'd';
    const key = `${n}${unit}`;
    const unitWord = { m: 'minute', h: 'hour', d: 'day' }[unit];
    const words = n === 1 ? `every ${unitWord}` : `every ${n} ${unitWord}s`;
    if (Object.hasOwn(everyChoices, key)) return { options: { mode: 'every', every: key }, label: words, notes: [] };
    if (unit === 'm' && n < 60) return cron(`*/${n} * * * *`, words, 60 % n ? [`Huginn ran it ${words}; the cron restarts the count every hour.`] : []);
    if (unit === 'h' && n < 24) return cron(`0 */${n} * * *`, words, 24 % n ? [`Huginn ran it ${words}; the cron restarts the count every day at midnight.`] : []);
    if (unit === 'd' && n === 7) return cron('0 0 * * 1', 'weekly, Mondays at 00:00', ['Huginn ran it every 7 days counted from when the agent started; this runs every Monday at 00:00 UTC.']);
    if (unit === 'd' && n < 31) return cron(`0 0 */${n} * *`, words, [`Huginn ran it ${words}; this cron counts days within each month.`]);
    return { unknown: schedule! };
  }
  let hour: number | undefined;
  if (s === 'midnight') hour = 0;
  else if (s === 'noon') hour = 12;
  else {
    const m = /^(\d{1,2})(am|pm)$/.exec(s);
    if (m && Number(m[1]) >= 1 && Number(m[1]) <= 12) hour = (Number(m[1]) % 12) + (m[2] === 'pm' ? 12 : 0);
  }
  if (hour === undefined) return { unknown: schedule! };
  const time = `${String(hour).padStart(2, '0')}:00`;
  return { options: { mode: 'daily', time, timezone: 'UTC' }, label: `daily at ${time}`, notes: [TZ_NOTE] };
}

const TIMEZONE_WORD = /^(?:[A-Za-z_]+\/[A-Za-z_/+-]+|UTC|GMT|Etc\/[A-Za-z0-9+-]+)$/;

/**
 * A SchedulerAgent's cron ("0 9 * * 1-5", optionally with a leading seconds field and a trailing
 * time zone, as rufus-scheduler reads it) as Schedule node options; undefined when invalid.
 */
export function mapHuginnCron(expression: string): MappedSchedule | undefined {
  const words = expression.trim().split(/\s+/).filter(Boolean);
  let timezone = 'UTC';
  const notes: string[] = [];
  if (words.length && TIMEZONE_WORD.test(words[words.length - 1]!)) timezone = words.pop()!;
  else notes.push(TZ_NOTE);
  if (words.length === 6) {
    const seconds = words.shift()!;
    if (seconds !== '0') notes.push(`The seconds field "${seconds}" was dropped: schedules run at most once a minute.`);
  }
  if (words.length !== 5) return undefined;
  const options = { mode: 'cron', cron: words.join(' '), timezone };
  if (!scheduleAgent.options.safeParse(options).success) return undefined;
  return { options, label: `cron ${options.cron}${timezone !== 'UTC' ? ` (${timezone})` : ''}`, notes };
}

/** Roughly how long a schedule waits between ticks, as a Delay duration ("12h", "1d"). */
export function scheduleAsDuration(schedule: string | null | undefined): string | undefined {
  const s = (schedule ?? '').trim().toLowerCase();
  const every = /^every_(\d+)([mhd])$/.exec(s);
  if (every) return `${every[1]}${every[2]}`;
  if (s === 'midnight' || s === 'noon' || /^\d{1,2}(am|pm)$/.test(s)) return '1d';
  return undefined;
}
