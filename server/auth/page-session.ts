import { listMyWorkspaces, resolveMembership, type MyWorkspace } from '../services/workspaces';
import type { Role } from './roles';
import { resolveSession, type SessionUser } from './sessions';
import { SESSION_COOKIE, WORKSPACE_COOKIE } from './http';

export interface PageAccount {
  user: SessionUser;
  workspaces: MyWorkspace[];
  activeWorkspaceId: string | null;
  role: Role | null;
}

/**
 * The signed-in account as server-rendered pages see it (the root layout passes it to the
 * navigation). Same resolution as the tRPC context; `cookie` reads the request's cookies.
 */
export async function pageAccount(cookie: (name: string) => string | undefined): Promise<PageAccount | null> {
  const session = await resolveSession(cookie(SESSION_COOKIE));
  if (!session) return null;
  const [membership, workspaces] = await Promise.all([resolveMembership(session.user.id, cookie(WORKSPACE_COOKIE)), listMyWorkspaces(session.user.id)]);
  return { user: session.user, workspaces, activeWorkspaceId: membership?.workspaceId ?? null, role: membership?.role ?? null };
}
