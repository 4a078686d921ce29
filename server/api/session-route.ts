import { AppError } from '../errors';
import { atLeast, type Role } from '../auth/roles';
import { createContext, NO_WORKSPACE_MESSAGE, SIGN_IN_MESSAGE } from './trpc';

export interface SessionAuth {
  user: { id: string; email: string; name: string };
  workspaceId: string;
  role: Role;
  publicUrl: string;
}

/**
 * For route handlers the browser calls with its session cookie (live run stream, CSV export):
 * the same session → membership → workspace resolution as tRPC, and the same role rule. GET
 * only; state-changing requests go through tRPC, which checks the origin.
 */
export async function authenticateSession(req: Request, required: Role): Promise<SessionAuth> {
  const ctx = await createContext({ headers: req.headers, url: req.url });
  if (!ctx.user) throw new AppError('UNAUTHORIZED', SIGN_IN_MESSAGE);
  if (!ctx.workspaceId || !ctx.role) throw new AppError('FORBIDDEN', NO_WORKSPACE_MESSAGE);
  if (!atLeast(ctx.role, required)) throw new AppError('FORBIDDEN', `Your role in this workspace does not allow this; it needs ${required} or higher.`);
  return { user: ctx.user, workspaceId: ctx.workspaceId, role: ctx.role, publicUrl: ctx.publicUrl };
}

