/**
 * A step's retry policy as people edit it: tries in all, the first wait and the longest wait, in
 * seconds. The engine's defaults and bounds come from the server (agents.retryPolicy), so the
 * form says what applies when nothing is set and refuses what a save would refuse.
 */
import { formatDuration } from '../ui/format';

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
  maxDelayMs: number;
}
export type RetryField = keyof RetryPolicy;
export type RetryBounds = Record<RetryField, { min: number; max: number }>;

export const retryFields: RetryField[] = ['attempts', 'backoffMs', 'maxDelayMs'];

/** Reads the bounds from the JSON Schema of a node's `retry` (minimum/maximum of each field). */
export function boundsFromSchema(schema: unknown): RetryBounds {
  const props = ((schema as { properties?: Record<string, { minimum?: number; maximum?: number }> } | undefined)?.properties ?? {});
  const bound = (field: RetryField, min: number, max: number) => ({ min: props[field]?.minimum ?? min, max: props[field]?.maximum ?? max });
  return { attempts: bound('attempts', 1, 10), backoffMs: bound('backoffMs', 100, 3_600_000), maxDelayMs: bound('maxDelayMs', 100, 86_400_000) };
}

/** "5 min", "24 hours": bounds read better in the largest whole unit. */
export function friendlyDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} hour${ms === 3_600_000 ? '' : 's'}`;
  return formatDuration(ms);
}

const seconds = (ms: number) => (ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 });

/** What the person sees in a field: tries as is, waits in seconds. */
export function toText(field: RetryField, value: number | undefined): string {
  if (value === undefined) return '';
  return field === 'attempts' ? String(value) : String(value / 1000);
}

export type ParsedRetry = { ok: true; value: number | undefined } | { ok: false; message: string };

/** Text typed into a field → the stored value (milliseconds for waits), or why it cannot be used. Empty means "the default". */
export function parseRetryText(field: RetryField, text: string, bounds: RetryBounds): ParsedRetry {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return { ok: true, value: undefined };
  const { min, max } = bounds[field];
  const number = Number(trimmed);
  if (field === 'attempts') {
    if (!/^\d+$/.test(trimmed) || number < min || number > max) return { ok: false, message: `Enter a whole number of tries from ${min} to ${max}.` };
    return { ok: true, value: number };
  }
  const ms = Math.round(number * 1000);
  if (!/^\d+(\.\d+)?$/.test(trimmed) || ms < min || ms > max) {
    return { ok: false, message: `Enter a number of seconds from ${seconds(min)} to ${seconds(max)} (${friendlyDuration(max)}).` };
  }
  return { ok: true, value: ms };
}

/** The policy that applies: the node's own values over the defaults. */
export function effectivePolicy(own: Partial<RetryPolicy> | undefined, defaults: RetryPolicy): RetryPolicy {
  return { ...defaults, ...Object.fromEntries(Object.entries(own ?? {}).filter(([, v]) => v !== undefined)) };
}

/** The waits between tries, as the engine spaces them before jitter: doubling, capped. */
export function waits(policy: RetryPolicy): number[] {
  return Array.from({ length: Math.max(0, policy.attempts - 1) }, (_, i) => Math.min(policy.maxDelayMs, policy.backoffMs * 2 ** i));
}

/** One sentence saying what happens when the step fails. */
export function describeRetry(policy: RetryPolicy): string {
  const between = waits(policy);
  if (between.length === 0) return 'If this step fails, it is not tried again: the run stops there as failed.';
  const shown = between.slice(0, 3).map(friendlyDuration);
  const list = between.length > 3 ? `${shown.join(', ')} …` : shown.join(', ');
  return `If this step fails with an error that may pass (a timeout, a busy server), Muninn tries it again up to ${between.length} more time${between.length === 1 ? '' : 's'}, waiting about ${list} between tries. Errors that retrying cannot fix (wrong settings, a refused request) fail at once.`;
}

/** Removes unset fields; no policy at all when every field is unset, so the flow keeps using the defaults. */
export function compactPolicy(policy: Partial<Record<RetryField, number | undefined>>): Partial<RetryPolicy> | undefined {
  const entries = Object.entries(policy).filter(([, v]) => v !== undefined);
  return entries.length ? (Object.fromEntries(entries) as Partial<RetryPolicy>) : undefined;
}
