import { db } from '../db';
import { AppError, notFound } from '../errors';
import { atLeast, type Role } from '../auth/roles';
import { newSecret, sha256 } from '../auth/secrets';
import { audit } from './audit';

/**
 * API tokens for /api/v1: a role in one workspace, an optional expiry, revocable. The token is
 * shown once, at creation; only its SHA-256 and a short prefix (to recognise it) are stored.
 */
export const TOKEN_PREFIX = 'mnn_';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ApiTokenRow {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  status: 'active' | 'expired' | 'revoked';
}

export async function listApiTokens(workspaceId: string): Promise<ApiTokenRow[]> {
  const rows = await db().apiToken.findMany({
    where: { workspaceId },
    orderBy: { createdAt: 'desc' },
    select: { id: true, name: true, role: true, prefix: true, expiresAt: true, lastUsedAt: true, revokedAt: true, createdAt: true },
  });
  const now = Date.now();
  return rows.map((r) => ({
    ...r,
    status: r.revokedAt ? 'revoked' : r.expiresAt && r.expiresAt.getTime() <= now ? 'expired' : 'active',
  }));
}

export async function createApiToken(
  workspaceId: string,
  actor: { userId: string; role: Role },
  input: { name: string; role: Role; expiresInDays?: number | null },
): Promise<{ id: string; token: string; prefix: string; expiresAt: Date | null }> {
  const name = input.name.trim();
  if (!name || name.length > 80) throw new AppError('VALIDATION', 'Give the token a name of up to 80 characters, e.g. "Nightly export".', [{ field: 'name', message: 'Required, at most 80 characters.' }]);
  if (input.role === 'owner') throw new AppError('VALIDATION', 'A token can be at most admin: owners are people.', [{ field: 'role', message: 'Choose viewer, builder or admin.' }]);
  if (!atLeast(actor.role, input.role)) throw new AppError('FORBIDDEN', 'You cannot issue a token with more rights than your own role.');
  const days = input.expiresInDays;
  if (days != null && (!Number.isInteger(days) || days < 1 || days > 3650)) {
    throw new AppError('VALIDATION', 'Choose an expiry between 1 and 3650 days, or none.', [{ field: 'expiresInDays', message: 'Between 1 and 3650 days.' }]);
  }
  const token = newSecret(TOKEN_PREFIX);
  const prefix = token.slice(0, TOKEN_PREFIX.length + 6);
  const expiresAt = days ? new Date(Date.now() + days * 24 * 3600_000) : null;
  const row = await db().apiToken.create({
    data: { workspaceId, name, role: input.role, tokenHash: sha256(token), prefix, createdById: actor.userId, expiresAt },
    select: { id: true },
  });
  await audit(workspaceId, 'token.created', { type: 'token', id: row.id, label: name }, { role: input.role, expiresAt: expiresAt?.toISOString() ?? null });
  return { id: row.id, token, prefix, expiresAt };
}

export async function revokeApiToken(workspaceId: string, id: string): Promise<void> {
  if (!UUID.test(id)) throw notFound('This API token');
  const row = await db().apiToken.findFirst({ where: { id, workspaceId }, select: { name: true, revokedAt: true } });
  if (!row) throw notFound('This API token');
  if (row.revokedAt) return;
  await db().apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
  await audit(workspaceId, 'token.revoked', { type: 'token', id, label: row.name });
}

export interface TokenAuth {
  tokenId: string;
  name: string;
  workspaceId: string;
  role: Role;
}

/** The workspace and role of a bearer token, or null (unknown, revoked, expired). */
export async function authenticateApiToken(token: string): Promise<TokenAuth | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const row = await db().apiToken.findUnique({
    where: { tokenHash: sha256(token) },
    select: { id: true, name: true, workspaceId: true, role: true, expiresAt: true, revokedAt: true, lastUsedAt: true },
  });
  const now = Date.now();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now)) return null;
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > 60_000) {
    await db().apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { tokenId: row.id, name: row.name, workspaceId: row.workspaceId, role: row.role };
}
