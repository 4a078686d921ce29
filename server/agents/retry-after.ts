/** Retry-After is seconds or an HTTP date; missing or odd values fall back to a sane wait. */
export function retryAfterMs(header: string | null, opts: { maxMs?: number; fallbackMs?: number } = {}): number {
  const { maxMs = 15 * 60_000, fallbackMs = 30_000 } = opts;
  if (header) {
    const seconds = Number(header);
    if (header.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, maxMs);
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.min(Math.max(date - Date.now(), 0), maxMs);
  }
  return fallbackMs;
}
