import { db } from '../db';
import { newSecret, sha256 } from './secrets';
import { SESSION_IDLE_MS, SESSION_MAX_MS } from './http';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

export interface ResolvedSession {
  /** sha256 of the cookie value: the row id. Never the token itself. */
  id: string;
  user: SessionUser;
  expiresAt: Date;
}

/** Starts a session; returns the token for the cookie (the database keeps only its hash). */
export async function createSession(userId: string, info: { ip?: string; userAgent?: string | null } = {}): Promise<{ token: string; expiresAt: Date }> {
  const token = newSecret();
  const expiresAt = new Date(Date.now() + SESSION_IDLE_MS);
  await db().session.create({
    data: { id: sha256(token), userId, expiresAt, ip: info.ip ?? null, userAgent: info.userAgent?.slice(0, 300) ?? null },
  });
  // Housekeeping rides along with sign-ins now and then, so no extra scheduler is needed.
  if (Math.random() < 0.05) void deleteExpiredAuthRows().catch((e: Error) => console.warn('[auth] cleanup:', e.message));
  return { token, expiresAt };
}

/** How often the sliding expiry is written (not on every request). */
const TOUCH_EVERY_MS = 3600_000;

/** The signed-in user for a cookie value, or null (unknown, expired, malformed). */
export async function resolveSession(token: string | undefined): Promise<ResolvedSession | null> {
  if (!token || token.length > 200) return null;
  const id = sha256(token);
  const row = await db().session.findUnique({
    where: { id },
    select: { id: true, expiresAt: true, createdAt: true, lastSeenAt: true, user: { select: { id: true, email: true, name: true } } },
  });
  const now = Date.now();
  if (!row) return null;
  if (row.expiresAt.getTime() <= now) {
    await db().session.deleteMany({ where: { id } });
    return null;
  }
  let expiresAt = row.expiresAt;
  if (now - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    expiresAt = new Date(Math.min(now + SESSION_IDLE_MS, row.createdAt.getTime() + SESSION_MAX_MS));
    await db().session.updateMany({ where: { id }, data: { lastSeenAt: new Date(now), expiresAt } });
  }
  return { id: row.id, user: row.user, expiresAt };
}

export async function deleteSession(token: string | undefined): Promise<void> {
  if (!token) return;
  await db().session.deleteMany({ where: { id: sha256(token) } });
}

/** "Sign out everywhere", and after a password change. Returns how many sessions ended. */
export async function deleteAllSessions(userId: string, except?: string): Promise<number> {
  const { count } = await db().session.deleteMany({ where: { userId, ...(except ? { id: { not: except } } : {}) } });
  return count;
}

/** Housekeeping: expired sessions, used or expired reset links, attempt counters nobody used for a day. */
export async function deleteExpiredAuthRows(): Promise<void> {
  const now = new Date();
  const dayAgo = new Date(now.getTime() - 24 * 3600_000);
  await db().session.deleteMany({ where: { expiresAt: { lt: now } } });
  await db().passwordReset.deleteMany({ where: { OR: [{ expiresAt: { lt: now } }, { usedAt: { not: null } }] } });
  await db().authThrottle.deleteMany({ where: { windowStart: { lt: dayAgo }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] } });
}
