import { randomBytes } from 'node:crypto';
import { db } from '../db';
import { AppError } from '../errors';
import type { Role } from '../auth/roles';
import { audit } from './audit';

export const DEFAULT_WORKSPACE_SLUG = 'default';

const g = globalThis as unknown as { __muninnDefaultWs?: Promise<string> };

/**
 * Until sign-in exists, every request acts in the default workspace. Queries are still scoped by
 * the workspace id from the request context, so adding real tenants changes only the context.
 */
export function defaultWorkspaceId(): Promise<string> {
  g.__muninnDefaultWs ??= db()
    .workspace.upsert({
      where: { slug: DEFAULT_WORKSPACE_SLUG },
      update: {},
      create: { slug: DEFAULT_WORKSPACE_SLUG, name: 'My workspace' },
      select: { id: true },
    })
    .then((w) => w.id)
    .catch((e: unknown) => {
      g.__muninnDefaultWs = undefined;
      throw e;
    });
  return g.__muninnDefaultWs;
}

/** Tests switch databases; the cached id belongs to the previous one. */
export function forgetDefaultWorkspace(): void {
  g.__muninnDefaultWs = undefined;
}

// ---------------------------------------------------------------------------------------------
// Workspaces of signed-in users. Every function takes ids that come from the session, never
// from the client; the tRPC context resolves the active workspace through a membership.


export interface MyWorkspace {
  id: string;
  name: string;
  role: Role;
}

export function listMyWorkspaces(userId: string): Promise<MyWorkspace[]> {
  return db()
    .membership.findMany({
      where: { userId },
      orderBy: [{ createdAt: 'asc' }, { workspaceId: 'asc' }],
      select: { role: true, workspace: { select: { id: true, name: true } } },
    })
    .then((rows) => rows.map((m) => ({ id: m.workspace.id, name: m.workspace.name, role: m.role })));
}

/**
 * The workspace a request acts in: the one the cookie names if the user is a member of it, else
 * the user's oldest membership. null when the user belongs to no workspace.
 */
export async function resolveMembership(userId: string, wanted: string | undefined): Promise<{ workspaceId: string; role: Role } | null> {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (wanted && UUID.test(wanted)) {
    const m = await db().membership.findUnique({ where: { workspaceId_userId: { workspaceId: wanted, userId } }, select: { workspaceId: true, role: true } });
    if (m) return m;
  }
  return db().membership.findFirst({ where: { userId }, orderBy: [{ createdAt: 'asc' }, { workspaceId: 'asc' }], select: { workspaceId: true, role: true } });
}

export function workspaceName(name: string): string {
  const trimmed = name.trim().replace(/\s+/g, ' ');
  if (!trimmed) throw new AppError('VALIDATION', 'Give the workspace a name.', [{ field: 'name', message: 'Give the workspace a name.' }]);
  if (trimmed.length > 80) throw new AppError('VALIDATION', 'Keep the workspace name under 80 characters.', [{ field: 'name', message: 'At most 80 characters.' }]);
  return trimmed;
}

function slugFor(name: string): string {
  const base = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'workspace';
  return `${base}-${randomBytes(3).toString('hex')}`;
}

/** A new workspace with `userId` as its owner. */
export async function createWorkspace(userId: string, name: string): Promise<MyWorkspace> {
  const clean = workspaceName(name);
  const ws = await db().workspace.create({
    data: { name: clean, slug: slugFor(clean), memberships: { create: { userId, role: 'owner' } } },
    select: { id: true, name: true },
  });
  await audit(ws.id, 'workspace.created', { type: 'workspace', id: ws.id, label: ws.name });
  return { ...ws, role: 'owner' };
}

export async function getWorkspace(workspaceId: string): Promise<{ id: string; name: string; createdAt: Date; isDefault: boolean; memberCount: number }> {
  const ws = await db().workspace.findUnique({
    where: { id: workspaceId },
    select: { id: true, name: true, slug: true, createdAt: true, _count: { select: { memberships: true } } },
  });
  if (!ws) throw new AppError('NOT_FOUND', 'This workspace was not found. It may have been deleted.');
  return { id: ws.id, name: ws.name, createdAt: ws.createdAt, isDefault: ws.slug === DEFAULT_WORKSPACE_SLUG, memberCount: ws._count.memberships };
}

export async function renameWorkspace(workspaceId: string, name: string): Promise<{ id: string; name: string }> {
  const clean = workspaceName(name);
  const before = await getWorkspace(workspaceId);
  const ws = await db().workspace.update({ where: { id: workspaceId }, data: { name: clean }, select: { id: true, name: true } });
  await audit(workspaceId, 'workspace.renamed', { type: 'workspace', id: ws.id, label: ws.name }, { from: before.name });
  return ws;
}

/**
 * Deletes a workspace with everything in it. The person must type its name, as a guard against
 * slips. The default workspace (the one MUNINN_API_TOKEN acts in) cannot be deleted.
 */
export async function deleteWorkspace(workspaceId: string, confirmName: string): Promise<void> {
  const ws = await getWorkspace(workspaceId);
  if (ws.isDefault) {
    throw new AppError('BAD_REQUEST', 'This is the default workspace of this Muninn installation, so it cannot be deleted. You can rename it instead.');
  }
  if (confirmName.trim() !== ws.name) {
    throw new AppError('VALIDATION', `To delete the workspace, type its name exactly: "${ws.name}".`, [{ field: 'confirmName', message: 'The name does not match.' }]);
  }
  await db().workspace.delete({ where: { id: workspaceId } });
}
