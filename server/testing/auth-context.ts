import type { Context } from '../api/trpc';
import type { Role } from '../auth/roles';

/**
 * A tRPC context for `createCaller` in tests: a member of `workspaceId` with `role` (owner unless
 * said otherwise). Real requests get theirs from the session cookie (createContext).
 */
export function testContext(workspaceId: string, opts: { role?: Role; user?: { id: string; email: string; name: string }; publicUrl?: string } = {}): Context {
  return {
    user: opts.user ?? { id: '00000000-0000-4000-8000-00000000beef', email: 'tester@example.com', name: 'Tester' },
    workspaceId,
    role: opts.role ?? 'owner',
    publicUrl: opts.publicUrl ?? 'http://localhost',
  };
}
