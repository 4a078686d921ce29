import { db } from '../db';

/**
 * Counting attempts in Postgres (one row per key, atomic increments), so limits hold across every
 * web process and survive restarts. Keys: "signin:account:<email>", "signin:ip:<ip>", ….
 */
export interface Limit {
  /** Attempts allowed within the window before the key is locked. */
  max: number;
  windowMs: number;
  lockMs: number;
}

export const LIMITS = {
  /** Wrong passwords for one account: 5 in 15 minutes locks it for 15 minutes. */
  signInAccount: { max: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  /** Wrong passwords from one address, whatever the account. */
  signInIp: { max: 30, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  /** New accounts from one address. */
  signUpIp: { max: 10, windowMs: 3600_000, lockMs: 3600_000 },
  /** Reset links asked for one account, and from one address. */
  resetAccount: { max: 3, windowMs: 3600_000, lockMs: 3600_000 },
  resetIp: { max: 10, windowMs: 3600_000, lockMs: 3600_000 },
} satisfies Record<string, Limit>;

/** When the key is locked, until when; else null. */
export async function lockedUntil(key: string): Promise<Date | null> {
  const row = await db().authThrottle.findUnique({ where: { key }, select: { lockedUntil: true } });
  return row?.lockedUntil && row.lockedUntil.getTime() > Date.now() ? row.lockedUntil : null;
}

/** Counts one attempt; returns the lock end when this attempt reached the limit. */
export async function countAttempt(key: string, limit: Limit): Promise<{ count: number; lockedUntil: Date | null; justLocked: boolean }> {
  const now = new Date();
  const row = await db().authThrottle.upsert({
    where: { key },
    create: { key, count: 1, windowStart: now },
    update: { count: { increment: 1 } },
  });
  let count = row.count;
  if (now.getTime() - row.windowStart.getTime() > limit.windowMs) {
    // The window is over: start a new one, unless a concurrent attempt already did.
    await db().authThrottle.updateMany({ where: { key, windowStart: row.windowStart }, data: { count: 1, windowStart: now } });
    count = 1;
  }
  if (count >= limit.max) {
    const until = new Date(now.getTime() + limit.lockMs);
    await db().authThrottle.update({ where: { key }, data: { lockedUntil: until, count: 0, windowStart: now } });
    return { count, lockedUntil: until, justLocked: true };
  }
  return { count, lockedUntil: null, justLocked: false };
}

export async function clearAttempts(key: string): Promise<void> {
  await db().authThrottle.deleteMany({ where: { key } });
}

/** "14:05" (UTC is what the server knows; the page shows it with the zone). */
export function formatLockEnd(until: Date): string {
  const minutes = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));
  return minutes === 1 ? 'in about a minute' : `in about ${minutes} minutes`;
}
