import { randomBytes } from 'node:crypto';
import { db } from '../db';
import { env } from '../env';
import { AppError } from '../errors';
import { audit, type Actor } from '../services/audit';
import { defaultWorkspaceId } from '../services/workspaces';
import { acceptInvitation, isEmail, normalizeEmail } from '../services/members';
import { sendSystemMail } from './mail';
import { burnPasswordCheck, hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords';
import { newSecret, sha256 } from './secrets';
import { createSession, deleteAllSessions } from './sessions';
import { clearAttempts, countAttempt, formatLockEnd, LIMITS, lockedUntil } from './throttle';

/**
 * Accounts: sign-up, sign-in with lockout, password reset, sign-out everywhere. Route handlers in
 * app/api/auth/* call these and set the cookie; nothing here knows about HTTP.
 */
export interface ClientInfo {
  ip: string;
  userAgent?: string | null;
}

export interface SignedIn {
  token: string;
  expiresAt: Date;
  user: { id: string; email: string; name: string };
  /** The workspace to open first (first account: the default one; invitation: the invited one). */
  workspaceId: string | null;
}

const RESET_MINUTES = 60;

function field(fieldName: string, message: string): AppError {
  return new AppError('VALIDATION', message, [{ field: fieldName, message }]);
}

function tooMany(until: Date, what: string): AppError {
  return new AppError('TOO_MANY_REQUESTS', `${what} Try again ${formatLockEnd(until)}.`);
}

/** Is there no account yet? The sign-up page then says "Create the first account". */
export async function isFirstRun(): Promise<boolean> {
  return (await db().user.count()) === 0;
}

/**
 * Creates an account. The very first account becomes owner of the default workspace, so flows
 * made before sign-in existed keep an owner. Later accounts get a workspace of their own, unless
 * they sign up through an invitation (`invite`), in which case they join that workspace.
 */
export async function signUp(
  input: { email: string; name: string; password: string; invite?: string },
  client: ClientInfo,
): Promise<SignedIn> {
  const email = normalizeEmail(input.email ?? '');
  const name = (input.name ?? '').trim().replace(/\s+/g, ' ');
  if (!isEmail(email)) throw field('email', 'Enter a valid email address, like ada@example.com.');
  if (!name || name.length > 100) throw field('name', 'Enter your name (up to 100 characters).');
  const problem = passwordProblem(input.password ?? '', email);
  if (problem) throw field('password', problem);

  const ipLock = await lockedUntil(`signup:ip:${client.ip}`);
  if (ipLock) throw tooMany(ipLock, 'Too many accounts were created from your network.');
  await countAttempt(`signup:ip:${client.ip}`, LIMITS.signUpIp);

  const passwordHash = await hashPassword(input.password);
  const defaultWs = await defaultWorkspaceId();
  const created = await db().$transaction(async (tx) => {
    // One "first account" even if two people submit the form at the same moment.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('muninn:first-account'))`;
    const first = (await tx.user.count()) === 0;
    if (!first && !input.invite && env().MUNINN_ALLOW_SIGNUP === 'false') {
      throw new AppError('FORBIDDEN', 'New accounts need an invitation on this Muninn. Ask an admin of your workspace to invite you.');
    }
    if (await tx.user.findUnique({ where: { email }, select: { id: true } })) {
      throw new AppError('CONFLICT', 'An account with this email already exists. Sign in instead, or reset your password.', [
        { field: 'email', message: 'Already has an account.' },
      ]);
    }
    const user = await tx.user.create({ data: { email, name, passwordHash }, select: { id: true, email: true, name: true } });
    let workspaceId: string | null = null;
    let workspaceLabel = '';
    if (first) {
      await tx.membership.create({ data: { workspaceId: defaultWs, userId: user.id, role: 'owner' } });
      workspaceId = defaultWs;
    } else if (!input.invite) {
      const ws = await tx.workspace.create({
        data: { name: `${name.split(' ')[0]}'s workspace`, slug: `ws-${randomBytes(5).toString('hex')}`, memberships: { create: { userId: user.id, role: 'owner' } } },
        select: { id: true, name: true },
      });
      workspaceId = ws.id;
      workspaceLabel = ws.name;
    }
    return { user, workspaceId, workspaceLabel, first };
  });
  const actor: Actor = { userId: created.user.id, label: created.user.email, ip: client.ip };
  if (created.workspaceId && !created.first) {
    await audit({ workspaceId: created.workspaceId, actor }, 'workspace.created', { type: 'workspace', id: created.workspaceId, label: created.workspaceLabel });
  }
  if (created.first) await audit({ workspaceId: created.workspaceId, actor }, 'member.joined', { type: 'member', id: created.user.id, label: email }, { role: 'owner', firstAccount: true });
  let workspaceId = created.workspaceId;
  if (input.invite) {
    try {
      workspaceId = (await acceptInvitation(input.invite, created.user)).workspaceId;
    } catch (e) {
      // The account exists either way; without a workspace the app offers to create one.
      console.warn('[auth] sign-up invitation not accepted:', (e as Error).message);
    }
  }
  const session = await createSession(created.user.id, client);
  return { ...session, user: created.user, workspaceId };
}

async function auditForAccount(email: string, action: 'auth.sign_in_failed' | 'auth.locked', client: ClientInfo, details: Record<string, unknown>): Promise<void> {
  const user = await db().user.findUnique({ where: { email }, select: { id: true, memberships: { select: { workspaceId: true } } } });
  const actor: Actor = { userId: null, label: email, ip: client.ip };
  const target = { type: 'account', id: user?.id ?? '', label: email };
  if (!user || user.memberships.length === 0) return audit({ workspaceId: null, actor }, action, target, details);
  // Each workspace the account belongs to sees attacks on its members.
  for (const m of user.memberships) await audit({ workspaceId: m.workspaceId, actor }, action, target, details);
}

const WRONG = 'The email or password is not right. Check both and try again.';

/**
 * Signs in with email and password. After 5 wrong passwords in 15 minutes the account is locked
 * for 15 minutes (even for the right password); 30 from one address lock that address. Unknown
 * emails are counted and timed like real ones, so neither the answer nor its speed tells which
 * addresses have accounts.
 */
export async function signIn(input: { email: string; password: string }, client: ClientInfo): Promise<SignedIn> {
  const email = normalizeEmail(input.email ?? '');
  const password = input.password ?? '';
  if (!email || !password) throw new AppError('VALIDATION', 'Enter your email and password.');
  const accountKey = `signin:account:${email}`;
  const ipKey = `signin:ip:${client.ip}`;
  const locked = (await lockedUntil(accountKey)) ?? (await lockedUntil(ipKey));
  if (locked) {
    throw tooMany(locked, 'Too many failed sign-ins, so signing in is paused for your safety. You can also reset your password.');
  }
  const user = await db().user.findUnique({ where: { email }, select: { id: true, email: true, name: true, passwordHash: true } });
  const ok = user?.passwordHash ? await verifyPassword(password, user.passwordHash) : (await burnPasswordCheck(password), false);
  if (!ok || !user) {
    const [account, ip] = await Promise.all([countAttempt(accountKey, LIMITS.signInAccount), countAttempt(ipKey, LIMITS.signInIp)]);
    await auditForAccount(email, 'auth.sign_in_failed', client, { attempt: account.count });
    if (account.justLocked || ip.justLocked) {
      await auditForAccount(email, 'auth.locked', client, { until: (account.lockedUntil ?? ip.lockedUntil)!.toISOString(), by: account.justLocked ? 'account' : 'address' });
      throw tooMany((account.lockedUntil ?? ip.lockedUntil)!, 'Too many failed sign-ins, so signing in is paused for your safety. You can also reset your password.');
    }
    throw new AppError('UNAUTHORIZED', WRONG);
  }
  await clearAttempts(accountKey);
  if (needsRehash(user.passwordHash!)) {
    await db().user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(password) } });
  }
  const session = await createSession(user.id, client);
  return { ...session, user: { id: user.id, email: user.email, name: user.name }, workspaceId: null };
}

/**
 * Emails a reset link if the address has an account. The answer is the same either way (no
 * account enumeration); at most 3 links an hour per account and 10 per address are sent.
 */
export async function requestPasswordReset(emailInput: string, client: ClientInfo, publicUrl: string): Promise<void> {
  const email = normalizeEmail(emailInput ?? '');
  if (!isEmail(email)) throw field('email', 'Enter a valid email address, like ada@example.com.');
  const ipLock = await lockedUntil(`reset:ip:${client.ip}`);
  if (ipLock) throw tooMany(ipLock, 'Too many reset links were asked for from your network.');
  await countAttempt(`reset:ip:${client.ip}`, LIMITS.resetIp);
  if (await lockedUntil(`reset:account:${email}`)) return;
  await countAttempt(`reset:account:${email}`, LIMITS.resetAccount);
  const user = await db().user.findUnique({ where: { email }, select: { id: true, name: true } });
  if (!user) return;
  const token = newSecret();
  await db().passwordReset.create({ data: { tokenHash: sha256(token), userId: user.id, expiresAt: new Date(Date.now() + RESET_MINUTES * 60_000) } });
  const link = `${publicUrl.replace(/\/+$/, '')}/reset-password?token=${encodeURIComponent(token)}`;
  await sendSystemMail({
    to: email,
    subject: 'Reset your Muninn password',
    text: `Hello ${user.name},\n\nsomeone (hopefully you) asked to reset the password of your Muninn account.\nOpen this link within ${RESET_MINUTES} minutes to choose a new password:\n${link}\n\nIf it was not you, ignore this mail: your password stays as it is.`,
  });
}

/**
 * Sets a new password from a reset link: the link works once, every other session ends, and a
 * lockout on the account is lifted (the person proved they read its mail). Signs in.
 */
export async function resetPassword(input: { token: string; password: string }, client: ClientInfo): Promise<SignedIn> {
  const gone = new AppError('BAD_REQUEST', 'This reset link is not valid any more: it was used or has expired. Ask for a new one.');
  if (!input.token || input.token.length > 200) throw gone;
  const tokenHash = sha256(input.token);
  const reset = await db().passwordReset.findUnique({ where: { tokenHash }, select: { userId: true, expiresAt: true, usedAt: true, user: { select: { email: true, name: true } } } });
  if (!reset || reset.usedAt || reset.expiresAt.getTime() <= Date.now()) throw gone;
  const problem = passwordProblem(input.password ?? '', reset.user.email);
  if (problem) throw field('password', problem);
  const passwordHash = await hashPassword(input.password);
  await db().$transaction(async (tx) => {
    const claimed = await tx.passwordReset.updateMany({ where: { tokenHash, usedAt: null }, data: { usedAt: new Date() } });
    if (claimed.count !== 1) throw gone;
    await tx.user.update({ where: { id: reset.userId }, data: { passwordHash } });
    await tx.passwordReset.deleteMany({ where: { userId: reset.userId, usedAt: null } });
    await tx.session.deleteMany({ where: { userId: reset.userId } });
  });
  await clearAttempts(`signin:account:${reset.user.email}`);
  const memberships = await db().membership.findMany({ where: { userId: reset.userId }, select: { workspaceId: true } });
  const actor: Actor = { userId: reset.userId, label: reset.user.email, ip: client.ip };
  for (const m of memberships) await audit({ workspaceId: m.workspaceId, actor }, 'auth.password_reset', { type: 'account', id: reset.userId, label: reset.user.email });
  const session = await createSession(reset.userId, client);
  return { ...session, user: { id: reset.userId, email: reset.user.email, name: reset.user.name }, workspaceId: null };
}

/** Ends every session of the account (this one too). */
export async function signOutEverywhere(user: { id: string; email: string }, client: ClientInfo): Promise<number> {
  const count = await deleteAllSessions(user.id);
  const memberships = await db().membership.findMany({ where: { userId: user.id }, select: { workspaceId: true } });
  const actor: Actor = { userId: user.id, label: user.email, ip: client.ip };
  for (const m of memberships) await audit({ workspaceId: m.workspaceId, actor }, 'auth.signed_out_everywhere', { type: 'account', id: user.id, label: user.email }, { sessions: count });
  return count;
}

/** Changes the password of a signed-in person; every other session ends. Wrong current passwords count toward the lockout. */
export async function changePassword(
  user: { id: string; email: string },
  input: { currentPassword: string; newPassword: string },
  client: ClientInfo,
  keepSessionId?: string,
): Promise<{ signedOutSessions: number }> {
  const accountKey = `signin:account:${user.email}`;
  const locked = await lockedUntil(accountKey);
  if (locked) throw tooMany(locked, 'Too many wrong passwords.');
  const row = await db().user.findUnique({ where: { id: user.id }, select: { passwordHash: true } });
  if (!row?.passwordHash || !(await verifyPassword(input.currentPassword ?? '', row.passwordHash))) {
    await countAttempt(accountKey, LIMITS.signInAccount);
    throw field('currentPassword', 'Your current password is not right.');
  }
  const problem = passwordProblem(input.newPassword ?? '', user.email);
  if (problem) throw field('newPassword', problem);
  await db().user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(input.newPassword) } });
  return { signedOutSessions: await deleteAllSessions(user.id, keepSessionId) };
}
