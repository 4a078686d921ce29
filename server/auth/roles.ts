import type { Role } from '../generated/prisma/enums';

export type { Role };
export const ROLES: readonly Role[] = ['viewer', 'builder', 'admin', 'owner'];

const rank: Record<Role, number> = { viewer: 1, builder: 2, admin: 3, owner: 4 };

/** True when `role` may do what `required` may. */
export function atLeast(role: Role | null | undefined, required: Role): boolean {
  return role ? rank[role] >= rank[required] : false;
}

/** What each role may do, in the words the UI uses. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: 'Can see flows, runs and templates.',
  builder: 'Can also build, run and change flows, and manage their own credentials.',
  admin: 'Can also manage members, API tokens and every credential, and read the audit log.',
  owner: 'Can do everything, including deleting the workspace and choosing other owners.',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && value in rank;
}
