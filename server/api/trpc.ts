import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { AppError, type AppErrorCode, type FieldIssue } from '../errors';
import { resolveMembership } from '../services/workspaces';
import { runAs } from '../services/audit';
import { resolveSession, type SessionUser } from '../auth/sessions';
import { atLeast, type Role } from '../auth/roles';
import { clientIp, isSecure, readCookie, SESSION_COOKIE, WORKSPACE_COOKIE } from '../auth/http';

export interface Context {
  /** The signed-in person, from the session cookie; null when not signed in. */
  user: SessionUser | null;
  /**
   * Scopes every query. From the session: the workspace named by the workspace cookie if the
   * user is a member of it, else their first workspace. Never from procedure input.
   */
  workspaceId: string | null;
  /** The user's role in `workspaceId`, from their membership. */
  role: Role | null;
  /** Base URL shown in webhook addresses and emailed links. */
  publicUrl: string;
  /** Row id (hash) of the current session, for "sign out other devices". */
  sessionId?: string | null;
  ip?: string;
  secure?: boolean;
  /** Response headers when called over HTTP (procedures that set cookies); absent for server callers. */
  resHeaders?: Headers;
}

export function publicUrlOf(headers: Headers, url?: string): string {
  const configured = process.env.MUNINN_PUBLIC_URL;
  if (configured) return configured.replace(/\/+$/, '');
  const host = headers.get('x-forwarded-host') ?? headers.get('host') ?? 'localhost:3000';
  const proto = headers.get('x-forwarded-proto') ?? (url?.startsWith('https:') ? 'https' : 'http');
  return `${proto}://${host}`;
}

/** Builds the context from the request's cookies: session → user → membership → workspace and role. */
export async function createContext(opts: { headers: Headers; url?: string; resHeaders?: Headers }): Promise<Context> {
  const publicUrl = publicUrlOf(opts.headers, opts.url);
  const base = { publicUrl, ip: clientIp(opts.headers), secure: isSecure(opts.headers, opts.url), resHeaders: opts.resHeaders };
  const session = await resolveSession(readCookie(opts.headers, SESSION_COOKIE));
  if (!session) return { ...base, user: null, workspaceId: null, role: null, sessionId: null };
  const membership = await resolveMembership(session.user.id, readCookie(opts.headers, WORKSPACE_COOKIE));
  return { ...base, user: session.user, sessionId: session.id, workspaceId: membership?.workspaceId ?? null, role: membership?.role ?? null };
}

const trpcCodeOf: Record<AppErrorCode, TRPCError['code']> = {
  BAD_REQUEST: 'BAD_REQUEST',
  VALIDATION: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

/**
 * Who may call a procedure: anyone, any signed-in person (workspace-independent: their account,
 * their list of workspaces), or a member of the active workspace with at least this role.
 * Set by the procedure builders below; tests read it from `appRouter._def.procedures`.
 */
export type Access = 'public' | 'signedIn' | Role;
export interface Meta {
  access?: Access;
  /** Built with the deprecated `workspaceProcedure`; the isolation test refuses these. */
  legacy?: boolean;
}

const t = initTRPC.context<Context>().meta<Meta>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    let issues: FieldIssue[] = [];
    let message = shape.message;
    if (cause instanceof AppError) {
      issues = cause.issues;
    } else if (cause instanceof ZodError) {
      issues = cause.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
      message = 'Some values are not valid: ' + issues.map((i) => `${i.field ? i.field + ': ' : ''}${i.message}`).join('; ');
    } else if (error.code === 'INTERNAL_SERVER_ERROR') {
      // Never leak internals to the browser.
      message = 'Something went wrong on our side. Please try again; if it keeps happening, contact your administrator.';
    }
    return { ...shape, message, data: { code: shape.data.code, httpStatus: shape.data.httpStatus, issues } };
  },
});

/** Maps domain errors to tRPC errors in one place. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof AppError) {
      throw new TRPCError({ code: trpcCodeOf[cause.code], message: cause.message, cause });
    }
    if (result.error.code === 'INTERNAL_SERVER_ERROR') console.error('[trpc]', result.error.cause ?? result.error);
  }
  return result;
});

export const SIGN_IN_MESSAGE = 'Please sign in to continue. If you were signed in, your session has ended.';
export const NO_WORKSPACE_MESSAGE = 'You are not a member of any workspace yet. Create one, or ask an admin to invite you.';

/** Signed in; the audit log learns who acts (services call `audit()` without passing it). */
const signedIn = t.middleware(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: SIGN_IN_MESSAGE });
  const user = ctx.user;
  return runAs({ userId: user.id, label: user.email, ip: ctx.ip }, () => next({ ctx: { ...ctx, user } }));
});

const roleNames: Record<Role, string> = { viewer: 'Viewer', builder: 'Builder', admin: 'Admin', owner: 'Owner' };

/** The ONE place where roles are enforced for tRPC: membership of the active workspace, role ≥ required. */
function requireRole(required: Role) {
  return t.middleware(({ ctx, next }) => {
    if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: SIGN_IN_MESSAGE });
    if (!ctx.workspaceId || !ctx.role) throw new TRPCError({ code: 'FORBIDDEN', message: NO_WORKSPACE_MESSAGE });
    if (!atLeast(ctx.role, required)) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `Your role in this workspace (${roleNames[ctx.role]}) does not allow this; it needs ${roleNames[required]} or higher. Ask an admin of the workspace if you need it.`,
      });
    }
    return next({ ctx: { ...ctx, user: ctx.user, workspaceId: ctx.workspaceId, role: ctx.role } });
  });
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const base = t.procedure.use(appErrors);
/** No sign-in needed: only for what a signed-out page must show (e.g. an invitation's workspace name). */
export const publicProcedure = base.meta({ access: 'public' });
/** Signed in, no workspace needed: the account itself, the list of one's workspaces, creating one. */
export const signedInProcedure = base.meta({ access: 'signedIn' }).use(signedIn);
const member = (role: Role) => base.meta({ access: role }).use(signedIn).use(requireRole(role));
/** Read anything in the active workspace (queries). */
export const viewerProcedure = member('viewer');
/** Build, change, activate and run flows; install templates; manage one's own credentials. */
export const builderProcedure = member('builder');
/** Members, invitations, API tokens, every credential, the audit log, workspace settings. */
export const adminProcedure = member('admin');
/** Deleting the workspace; making or unmaking owners (see services/members.ts). */
export const ownerProcedure = member('owner');

/**
 * @deprecated Choose by what the procedure does: viewerProcedure for reads, builderProcedure for
 * changes to flows and runs, adminProcedure for people and tokens. Kept so that code written before
 * sign-in still compiles; it requires builder (so reads are refused to viewers) and the isolation
 * test (server/api/isolation.int.test.ts) fails for every procedure that still uses it.
 */
export const workspaceProcedure = base.meta({ access: 'builder', legacy: true }).use(signedIn).use(requireRole('builder'));
