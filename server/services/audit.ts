import { AsyncLocalStorage } from 'node:async_hooks';
import { db, type Tx } from '../db';
import type { Prisma } from '../generated/prisma/client';

/**
 * The audit log: who did what, when. Services call `audit(…)` right after a change succeeded;
 * who acted comes from the request (tRPC middleware and `apiRoute` run the call inside `runAs`),
 * so service signatures stay about the domain. Outside a request (worker, scripts) the actor is
 * "Muninn". A failed write is logged and never undoes or fails the change it describes.
 */
export interface Actor {
  userId?: string | null;
  /** How the actor is shown: an email, "API token 'CI'", "Muninn". */
  label: string;
  ip?: string | null;
}

const actors = new AsyncLocalStorage<Actor>();

export function runAs<T>(actor: Actor, work: () => T): T {
  return actors.run(actor, work);
}

export function currentActor(): Actor {
  return actors.getStore() ?? { label: 'Muninn' };
}

/** The acting person or token inside a request ("saved by"), undefined outside one. */
export function requestActorLabel(): string | undefined {
  return actors.getStore()?.label;
}

/** Every action the log knows, with the words the audit page shows. */
export const AUDIT_ACTIONS = {
  'flow.created': 'created a flow',
  'flow.saved': 'saved a flow',
  'flow.renamed': 'renamed a flow',
  'flow.activated': 'activated a flow',
  'flow.deactivated': 'deactivated a flow',
  'flow.deleted': 'deleted a flow',
  'flow.limit_changed': 'changed how many runs of a flow may run at once',
  'credential.created': 'created a credential',
  'credential.updated': 'changed a credential',
  'credential.tested': 'tested a credential',
  'credential.deleted': 'deleted a credential',
  'template.published': 'published a template',
  'workspace.created': 'created the workspace',
  'workspace.renamed': 'renamed the workspace',
  'member.invited': 'invited a member',
  'member.invitation_revoked': 'withdrew an invitation',
  'member.joined': 'joined the workspace',
  'member.role_changed': 'changed a role',
  'member.removed': 'removed a member',
  'member.left': 'left the workspace',
  'token.created': 'issued an API token',
  'token.revoked': 'revoked an API token',
  'auth.sign_in_failed': 'failed to sign in',
  'auth.locked': 'was locked out after repeated failed sign-ins',
  'auth.password_reset': 'reset their password',
  'auth.signed_out_everywhere': 'signed out on every device',
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export interface AuditTarget {
  type: string;
  id?: string;
  label?: string;
}

export interface AuditScope {
  workspaceId: string | null;
  /** Defaults to the actor of the current request. */
  actor?: Actor;
}

export async function audit(
  scope: string | null | AuditScope,
  action: AuditAction,
  target: AuditTarget = { type: '' },
  details: Record<string, unknown> = {},
  client: Tx | ReturnType<typeof db> = db(),
): Promise<void> {
  const { workspaceId, actor = currentActor() } = typeof scope === 'object' && scope !== null ? scope : { workspaceId: scope };
  try {
    await client.auditEvent.create({
      data: {
        workspaceId,
        actorUserId: actor.userId ?? null,
        actorLabel: actor.label.slice(0, 200),
        action,
        targetType: target.type,
        targetId: target.id ?? '',
        targetLabel: (target.label ?? '').slice(0, 300),
        details: details as Prisma.InputJsonValue,
        ip: actor.ip ?? null,
      },
    });
  } catch (e) {
    console.error('[audit] could not record', action, e);
  }
}
