/**
 * What a role may do, for showing or hiding controls. The server enforces the same rules (the
 * procedure builders in server/api/trpc.ts); hiding a control is only a courtesy.
 */
export type Role = 'owner' | 'admin' | 'builder' | 'viewer';
export type Capability = 'view' | 'edit' | 'manage' | 'own';

const rank: Record<Role, number> = { viewer: 1, builder: 2, admin: 3, owner: 4 };
const needs: Record<Capability, Role> = { view: 'viewer', edit: 'builder', manage: 'admin', own: 'owner' };

export function can(role: Role | null | undefined, capability: Capability): boolean {
  return role ? rank[role] >= rank[needs[capability]] : false;
}

export const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', admin: 'Admin', builder: 'Builder', viewer: 'Viewer' };

export const ROLE_HELP: Record<Role, string> = {
  viewer: 'Can see flows, runs and templates.',
  builder: 'Can also build, run and change flows, and manage their own credentials.',
  admin: 'Can also manage members, API tokens and every credential, and read the audit log.',
  owner: 'Can do everything, including deleting the workspace and choosing other owners.',
};
