import { db, type Tx } from '../db';
import { AppError, notFound } from '../errors';
import type { Role } from '../auth/roles';
import { newSecret, sha256 } from '../auth/secrets';
import { sendSystemMail } from '../auth/mail';
import { audit } from './audit';

/**
 * Members, roles and invitations of one workspace. `workspaceId` and `actor` come from the
 * session (the tRPC context); the role checks here are the rules between people (who may make
 * whom an owner), on top of the per-procedure minimum role enforced by the tRPC middleware.
 */
export interface MemberActor {
  userId: string;
  role: Role;
}

export interface MemberRow {
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: Date;
}

export interface InvitationRow {
  id: string;
  email: string;
  role: Role;
  expiresAt: Date;
  createdAt: Date;
  expired: boolean;
}

const INVITATION_DAYS = 7;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}

export async function listMembers(workspaceId: string): Promise<MemberRow[]> {
  const rows = await db().membership.findMany({
    where: { workspaceId },
    orderBy: [{ createdAt: 'asc' }, { userId: 'asc' }],
    select: { role: true, createdAt: true, user: { select: { id: true, email: true, name: true } } },
  });
  return rows.map((m) => ({ userId: m.user.id, email: m.user.email, name: m.user.name, role: m.role, joinedAt: m.createdAt }));
}

export async function listInvitations(workspaceId: string): Promise<InvitationRow[]> {
  const rows = await db().invitation.findMany({
    where: { workspaceId, acceptedAt: null },
    orderBy: { createdAt: 'desc' },
    select: { id: true, email: true, role: true, expiresAt: true, createdAt: true },
  });
  const now = Date.now();
  return rows.map((r) => ({ ...r, expired: r.expiresAt.getTime() <= now }));
}

/** Locks the workspace's memberships, so "is this the last owner?" cannot race. */
async function lockMembers(tx: Tx, workspaceId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM "Membership" WHERE "workspaceId" = ${workspaceId}::uuid FOR UPDATE`;
}

async function ownerCount(tx: Tx, workspaceId: string): Promise<number> {
  return tx.membership.count({ where: { workspaceId, role: 'owner' } });
}

function assertMayAssign(actor: MemberActor, role: Role): void {
  if (role === 'owner' && actor.role !== 'owner') {
    throw new AppError('FORBIDDEN', 'Only an owner of the workspace can make someone an owner.');
  }
}

/**
 * Invites someone by email. The link is emailed (or printed to the server log without SMTP) and
 * also returned, once, so the admin can pass it on another way.
 */
export async function inviteMember(
  workspaceId: string,
  actor: MemberActor,
  input: { email: string; role: Role },
  publicUrl: string,
): Promise<{ id: string; email: string; link: string; expiresAt: Date }> {
  const email = normalizeEmail(input.email);
  if (!isEmail(email)) throw new AppError('VALIDATION', 'Enter a valid email address, like ada@example.com.', [{ field: 'email', message: 'Not a valid email address.' }]);
  assertMayAssign(actor, input.role);
  const existing = await db().membership.findFirst({ where: { workspaceId, user: { email } }, select: { userId: true } });
  if (existing) throw new AppError('CONFLICT', `${email} is already a member of this workspace.`);
  const token = newSecret();
  const expiresAt = new Date(Date.now() + INVITATION_DAYS * 24 * 3600_000);
  const [ws, inviter] = await Promise.all([
    db().workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { name: true } }),
    db().user.findUnique({ where: { id: actor.userId }, select: { name: true, email: true } }),
  ]);
  const invitation = await db().$transaction(async (tx) => {
    // A new invitation replaces a pending one for the same address.
    await tx.invitation.deleteMany({ where: { workspaceId, email, acceptedAt: null } });
    return tx.invitation.create({
      data: { workspaceId, email, role: input.role, tokenHash: sha256(token), invitedById: actor.userId, expiresAt },
      select: { id: true },
    });
  });
  const link = `${publicUrl.replace(/\/+$/, '')}/invite/${token}`;
  const who = inviter ? `${inviter.name} (${inviter.email})` : 'An admin';
  await sendSystemMail({
    to: email,
    subject: `You are invited to "${ws.name}" on Muninn`,
    text: `${who} invited you to join the workspace "${ws.name}" on Muninn as ${input.role}.\n\nOpen this link to accept (it works for ${INVITATION_DAYS} days):\n${link}\n\nIf you did not expect this, you can ignore this mail.`,
  });
  await audit(workspaceId, 'member.invited', { type: 'invitation', id: invitation.id, label: email }, { role: input.role });
  return { id: invitation.id, email, link, expiresAt };
}

export async function revokeInvitation(workspaceId: string, id: string): Promise<void> {
  if (!UUID.test(id)) throw notFound('This invitation');
  const inv = await db().invitation.findFirst({ where: { id, workspaceId, acceptedAt: null }, select: { email: true } });
  if (!inv) throw notFound('This invitation');
  await db().invitation.delete({ where: { id } });
  await audit(workspaceId, 'member.invitation_revoked', { type: 'invitation', id, label: inv.email });
}

export interface InvitationPreview {
  workspaceName: string;
  email: string;
  role: Role;
  invitedBy: string | null;
  expiresAt: Date;
}

async function findInvitation(token: string) {
  if (!token || token.length > 200) return null;
  return db().invitation.findUnique({
    where: { tokenHash: sha256(token) },
    select: { id: true, workspaceId: true, email: true, role: true, expiresAt: true, acceptedAt: true, invitedById: true, workspace: { select: { name: true } } },
  });
}

const invitationGone = () =>
  new AppError('NOT_FOUND', 'This invitation link is not valid any more: it was used, withdrawn or has expired. Ask the person who invited you for a new one.');

/** What the invitation page shows before the person signs in. Only the token's holder sees it. */
export async function previewInvitation(token: string): Promise<InvitationPreview> {
  const inv = await findInvitation(token);
  if (!inv || inv.acceptedAt || inv.expiresAt.getTime() <= Date.now()) throw invitationGone();
  const inviter = inv.invitedById ? await db().user.findUnique({ where: { id: inv.invitedById }, select: { name: true } }) : null;
  return { workspaceName: inv.workspace.name, email: inv.email, role: inv.role, invitedBy: inviter?.name ?? null, expiresAt: inv.expiresAt };
}

/**
 * Joins the workspace of an invitation. The signed-in account must have the invited address, so
 * a forwarded or leaked link does not let someone else in.
 */
export async function acceptInvitation(token: string, user: { id: string; email: string }): Promise<{ workspaceId: string; role: Role }> {
  const inv = await findInvitation(token);
  if (!inv || inv.acceptedAt || inv.expiresAt.getTime() <= Date.now()) throw invitationGone();
  if (normalizeEmail(user.email) !== inv.email) {
    throw new AppError('FORBIDDEN', `This invitation was sent to ${inv.email}. Sign in with that address to accept it.`);
  }
  const role = await db().$transaction(async (tx) => {
    const claimed = await tx.invitation.updateMany({ where: { id: inv.id, acceptedAt: null }, data: { acceptedAt: new Date() } });
    if (claimed.count !== 1) throw invitationGone();
    const existing = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId: inv.workspaceId, userId: user.id } }, select: { role: true } });
    if (existing) return existing.role;
    await tx.membership.create({ data: { workspaceId: inv.workspaceId, userId: user.id, role: inv.role } });
    return inv.role;
  });
  await audit(inv.workspaceId, 'member.joined', { type: 'member', id: user.id, label: user.email }, { role });
  return { workspaceId: inv.workspaceId, role };
}

async function memberOrNotFound(tx: Tx, workspaceId: string, userId: string) {
  if (!UUID.test(userId)) throw notFound('This member');
  const m = await tx.membership.findUnique({
    where: { workspaceId_userId: { workspaceId, userId } },
    select: { role: true, user: { select: { email: true } } },
  });
  if (!m) throw notFound('This member');
  return m;
}

export async function changeMemberRole(workspaceId: string, actor: MemberActor, userId: string, role: Role): Promise<MemberRow[]> {
  assertMayAssign(actor, role);
  const change = await db().$transaction(async (tx) => {
    await lockMembers(tx, workspaceId);
    const member = await memberOrNotFound(tx, workspaceId, userId);
    if (member.role === role) return null;
    if (member.role === 'owner' && actor.role !== 'owner') throw new AppError('FORBIDDEN', 'Only an owner can change the role of another owner.');
    if (member.role === 'owner' && (await ownerCount(tx, workspaceId)) === 1) {
      throw new AppError('BAD_REQUEST', 'A workspace needs at least one owner. Make someone else an owner first.');
    }
    await tx.membership.update({ where: { workspaceId_userId: { workspaceId, userId } }, data: { role } });
    return { from: member.role, email: member.user.email };
  });
  if (change) await audit(workspaceId, 'member.role_changed', { type: 'member', id: userId, label: change.email }, { from: change.from, to: role });
  return listMembers(workspaceId);
}

export async function removeMember(workspaceId: string, actor: MemberActor, userId: string): Promise<void> {
  if (userId === actor.userId) return leaveWorkspace(workspaceId, actor.userId);
  const removed = await db().$transaction(async (tx) => {
    await lockMembers(tx, workspaceId);
    const member = await memberOrNotFound(tx, workspaceId, userId);
    if (member.role === 'owner' && actor.role !== 'owner') throw new AppError('FORBIDDEN', 'Only an owner can remove another owner.');
    if (member.role === 'owner' && (await ownerCount(tx, workspaceId)) === 1) {
      throw new AppError('BAD_REQUEST', 'A workspace needs at least one owner. Make someone else an owner first.');
    }
    await tx.membership.delete({ where: { workspaceId_userId: { workspaceId, userId } } });
    return member;
  });
  await audit(workspaceId, 'member.removed', { type: 'member', id: userId, label: removed.user.email }, { role: removed.role });
}

export async function leaveWorkspace(workspaceId: string, userId: string): Promise<void> {
  const left = await db().$transaction(async (tx) => {
    await lockMembers(tx, workspaceId);
    const member = await memberOrNotFound(tx, workspaceId, userId);
    if (member.role === 'owner' && (await ownerCount(tx, workspaceId)) === 1) {
      throw new AppError('BAD_REQUEST', 'You are the only owner. Make someone else an owner before you leave, or delete the workspace.');
    }
    await tx.membership.delete({ where: { workspaceId_userId: { workspaceId, userId } } });
    return member;
  });
  await audit(workspaceId, 'member.left', { type: 'member', id: userId, label: left.user.email }, { role: left.role });
}

