import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { AppError, type AppErrorCode, type FieldIssue } from '../errors';
import { defaultWorkspaceId } from '../services/workspaces';

export interface Context {
  /** Scopes every query. Comes from the session (today: the default workspace), never from the client. */
  workspaceId: string;
  /** Base URL shown in webhook addresses. */
  publicUrl: string;
}

export async function createContext(opts: { headers: Headers; url?: string }): Promise<Context> {
  const configured = process.env.MUNINN_PUBLIC_URL;
  let publicUrl = configured ?? '';
  if (!publicUrl) {
    const host = opts.headers.get('x-forwarded-host') ?? opts.headers.get('host') ?? 'localhost:3000';
    const proto = opts.headers.get('x-forwarded-proto') ?? (opts.url?.startsWith('https:') ? 'https' : 'http');
    publicUrl = `${proto}://${host}`;
  }
  return { workspaceId: await defaultWorkspaceId(), publicUrl };
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

const t = initTRPC.context<Context>().create({
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

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
/** Every procedure is workspace-scoped through ctx.workspaceId. */
export const workspaceProcedure = t.procedure.use(appErrors);
