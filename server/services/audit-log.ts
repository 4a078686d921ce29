import { z } from 'zod';
import { db } from '../db';
import type { Prisma } from '../generated/prisma/client';
import { AUDIT_ACTIONS, type AuditAction } from './audit';

/** Reading the audit log of one workspace: filters, keyset pages, CSV export. */
export const auditFilterInput = z.object({
  /** An exact action ("flow.deleted") or a group ("flow", "member", "auth", …). */
  action: z.string().trim().max(60).optional(),
  /** Part of the actor's email or label. */
  actor: z.string().trim().max(200).optional(),
  /** Part of the target's name or id. */
  target: z.string().trim().max(200).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});
export type AuditFilter = z.infer<typeof auditFilterInput>;

export const auditListInput = auditFilterInput.extend({
  limit: z.number().int().min(1).max(200).default(50),
  /** The id of the last event of the previous page. */
  cursor: z.string().uuid().nullish(),
});

export interface AuditRow {
  id: string;
  createdAt: Date;
  actor: string;
  action: string;
  /** The action in words: "deleted a flow". */
  actionLabel: string;
  targetType: string;
  targetId: string;
  targetLabel: string;
  details: unknown;
  ip: string | null;
}

export const AUDIT_GROUPS = [
  { value: 'flow', label: 'Flows' },
  { value: 'credential', label: 'Credentials' },
  { value: 'member', label: 'Members and roles' },
  { value: 'token', label: 'API tokens' },
  { value: 'template', label: 'Templates' },
  { value: 'workspace', label: 'Workspace' },
  { value: 'auth', label: 'Sign-in and security' },
] as const;

function where(workspaceId: string, f: AuditFilter): Prisma.AuditEventWhereInput {
  const action = f.action
    ? f.action.includes('.')
      ? { action: f.action }
      : { action: { startsWith: `${f.action}.` } }
    : {};
  return {
    workspaceId,
    ...action,
    ...(f.actor ? { actorLabel: { contains: f.actor, mode: 'insensitive' as const } } : {}),
    ...(f.target ? { OR: [{ targetLabel: { contains: f.target, mode: 'insensitive' as const } }, { targetId: f.target }] } : {}),
    ...(f.from || f.to ? { createdAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } } : {}),
  };
}

function toRow(e: { id: string; createdAt: Date; actorLabel: string; action: string; targetType: string; targetId: string; targetLabel: string; details: unknown; ip: string | null }): AuditRow {
  return {
    id: e.id,
    createdAt: e.createdAt,
    actor: e.actorLabel,
    action: e.action,
    actionLabel: AUDIT_ACTIONS[e.action as AuditAction] ?? e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    targetLabel: e.targetLabel,
    details: e.details,
    ip: e.ip,
  };
}

export async function listAuditEvents(workspaceId: string, input: z.input<typeof auditListInput>): Promise<{ items: AuditRow[]; nextCursor: string | null }> {
  const { limit, cursor, ...filter } = auditListInput.parse(input);
  const base = where(workspaceId, filter);
  let page: Prisma.AuditEventWhereInput = base;
  if (cursor) {
    const last = await db().auditEvent.findFirst({ where: { id: cursor, workspaceId }, select: { createdAt: true, id: true } });
    if (last) page = { AND: [base, { OR: [{ createdAt: { lt: last.createdAt } }, { createdAt: last.createdAt, id: { lt: last.id } }] }] };
  }
  const rows = await db().auditEvent.findMany({ where: page, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit + 1 });
  const items = rows.slice(0, limit).map(toRow);
  return { items, nextCursor: rows.length > limit ? items.at(-1)!.id : null };
}

function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // Spreadsheet formula injection: a cell starting with = + - @ (or tab/CR) is read as a formula.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The filtered log as CSV, newest first, streamed in pages so a long log does not fill memory. */
export async function* auditCsv(workspaceId: string, filter: AuditFilter, maxRows = 100_000): AsyncGenerator<string> {
  yield ['time', 'actor', 'action', 'description', 'target type', 'target id', 'target', 'details', 'ip'].join(',') + '\r\n';
  let cursor: string | null = null;
  let sent = 0;
  do {
    const page: { items: AuditRow[]; nextCursor: string | null } = await listAuditEvents(workspaceId, { ...filter, limit: 200, cursor });
    for (const r of page.items) {
      yield [r.createdAt.toISOString(), r.actor, r.action, r.actionLabel, r.targetType, r.targetId, r.targetLabel, r.details, r.ip].map(csvCell).join(',') + '\r\n';
    }
    sent += page.items.length;
    cursor = page.nextCursor;
  } while (cursor && sent < maxRows);
}
