const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

const steps: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.35],
  ['month', 12],
  ['year', Infinity],
];

/** "3 minutes ago", "yesterday". */
export function formatRelative(date: Date, now: number = Date.now()): string {
  let value = (date.getTime() - now) / 1000;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) {
      if (unit === 'second' && Math.abs(value) < 10) return 'just now';
      return relative.format(Math.round(value), unit);
    }
    value /= size;
  }
  return dateTime.format(date);
}

export function formatDateTime(date: Date): string {
  return dateTime.format(date);
}

/** "420 ms", "3.2 s", "2 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
