import { timingSafeEqual } from 'node:crypto';
import { AppError, httpStatusOf, isAppError } from '../errors';
import { env } from '../env';
import { defaultWorkspaceId } from '../services/workspaces';
import { authenticateApiToken } from '../services/api-tokens';
import { runAs } from '../services/audit';
import { atLeast, type Role } from '../auth/roles';
import { clientIp } from '../auth/http';

/** JSON response helper for route handlers. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

/** Maps any error to a JSON answer a person can read; internals are logged, never returned. */
export function errorResponse(e: unknown): Response {
  if (isAppError(e)) {
    return json({ error: { code: e.code, message: e.message, ...(e.issues.length ? { issues: e.issues } : {}) } }, httpStatusOf[e.code]);
  }
  console.error('[api]', e);
  return json({ error: { code: 'INTERNAL', message: 'Something went wrong on our side. Please try again.' } }, 500);
}

/** Reads a JSON body with a size cap, without trusting Content-Length alone. */
export async function readJsonBody(req: Request, maxBytes = env().MUNINN_MAX_PAYLOAD_BYTES): Promise<unknown> {
  return parseJsonBody(await readTextBody(req, maxBytes));
}

export function parseJsonBody(text: string): unknown {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('BAD_REQUEST', 'The request body is not valid JSON.');
  }
}

export function bodyTooLarge(maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than the limit of ${(maxBytes / 1_000_000).toFixed(1)} MB.`);
}

/** The raw body (signatures are computed over the exact bytes), with the size cap. */
export async function readTextBody(req: Request, maxBytes = env().MUNINN_MAX_PAYLOAD_BYTES): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  const tooLarge = () => bodyTooLarge(maxBytes);
  if (declared > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface ApiAuth {
  workspaceId: string;
  /** The token's role in its workspace. */
  role: Role;
  /** How the audit log names the caller: "API token 'CI'". */
  actor: string;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * `Authorization: Bearer <token>`: an API token issued in Settings → API tokens (its workspace and
 * role), or MUNINN_API_TOKEN, an admin token of the default workspace for scripts and tests.
 * Cookies are never accepted here, so /api/v1 cannot be driven by another site (no CSRF).
 */
export async function authenticateApi(req: Request): Promise<ApiAuth> {
  const header = req.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) throw new AppError('UNAUTHORIZED', 'Send an API token in the Authorization header: "Authorization: Bearer <token>".');
  const presented = match[1]!.trim();
  const configured = env().MUNINN_API_TOKEN;
  if (configured && safeEqual(presented, configured)) {
    return { workspaceId: await defaultWorkspaceId(), role: 'admin', actor: 'API token (MUNINN_API_TOKEN)' };
  }
  const token = await authenticateApiToken(presented);
  if (!token) throw new AppError('UNAUTHORIZED', 'This API token is not valid: it may have been revoked or have expired. Create a new one in Settings → API tokens.');
  return { workspaceId: token.workspaceId, role: token.role, actor: `API token '${token.name}'` };
}

/** Reads need viewer; anything that changes something needs builder, unless the route asks for more. */
function requiredRoleOf(method: string, declared?: Role): Role {
  return declared ?? (method === 'GET' || method === 'HEAD' ? 'viewer' : 'builder');
}

export interface ApiRouteOptions {
  /** The minimum role of the token; default: viewer for GET, builder otherwise. */
  role?: Role;
}

/** Wraps a route handler: authenticates, checks the token's role, runs as that token (audit), maps errors. */
export function apiRoute<P>(handler: (req: Request, auth: ApiAuth, params: P) => Promise<Response>): (req: Request, ctx: { params: Promise<P> }) => Promise<Response>;
export function apiRoute<P>(options: ApiRouteOptions, handler: (req: Request, auth: ApiAuth, params: P) => Promise<Response>): (req: Request, ctx: { params: Promise<P> }) => Promise<Response>;
export function apiRoute<P>(
  a: ApiRouteOptions | ((req: Request, auth: ApiAuth, params: P) => Promise<Response>),
  b?: (req: Request, auth: ApiAuth, params: P) => Promise<Response>,
) {
  const options = typeof a === 'function' ? {} : a;
  const handler = typeof a === 'function' ? a : b!;
  return async (req: Request, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      const auth = await authenticateApi(req);
      const required = requiredRoleOf(req.method, options.role);
      if (!atLeast(auth.role, required)) {
        throw new AppError('FORBIDDEN', `This API token has the role ${auth.role}; this request needs ${required} or higher. Create a token with a higher role in Settings → API tokens.`);
      }
      const params = await ctx.params;
      return await runAs({ userId: null, label: auth.actor, ip: clientIp(req.headers) }, () => handler(req, auth, params));
    } catch (e) {
      return errorResponse(e);
    }
  };
}
