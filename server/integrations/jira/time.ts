/**
 * Time in JIRA's two dialects. Issue timestamps come as "2024-01-15T10:23:45.123+0100" (absolute).
 * JQL date literals ("2024-01-15 10:23") have minute precision and are read in the time zone of
 * the user the query runs as (their profile setting), not in UTC — so a poller must format its
 * cursor in that zone, or it skips (or repeats) hours of changes.
 */

/** Milliseconds since the epoch of a JIRA timestamp, or NaN. Accepts "+0100" and "+01:00". */
export function parseJiraTime(value: unknown): number {
  if (typeof value !== 'string' || !value) return NaN;
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return Date.parse(normalised);
}

function wallClock(ms: number, timeZone: string): { y: string; m: string; d: string; h: string; min: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour'), min: get('minute') };
}

/** Offset of a zone from UTC at an instant, in minutes (Berlin in winter: 60). */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(Number(w.y), Number(w.m) - 1, Number(w.d), Number(w.h), Number(w.min));
  return Math.round((asUtc - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * A JQL lower bound ("yyyy-MM-dd HH:mm", floored to the minute) in the user's zone that is never
 * later than `ms`. Around a daylight-saving change a wall-clock time can be ambiguous; there the
 * bound moves back two hours, which only means re-reading a few issues that are then skipped.
 */
export function jqlLowerBound(ms: number, timeZone: string): string {
  let at = ms;
  if (zoneOffsetMinutes(ms, timeZone) !== zoneOffsetMinutes(ms - 2 * 3_600_000, timeZone)) at -= 2 * 3_600_000;
  const w = wallClock(at, timeZone);
  return `${w.y}-${w.m}-${w.d} ${w.h}:${w.min}`;
}
