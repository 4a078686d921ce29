import { timingSafeEqual } from 'node:crypto';
import { AppError, httpStatusOf, isAppError } from '../errors';
import { env } from '../env';
import { defaultWorkspaceId } from '../services/workspaces';

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

/** The raw body (signatures are computed over the exact bytes), with the size cap. */
export async function readTextBody(req: Request, maxBytes = env().MUNINN_MAX_PAYLOAD_BYTES): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than the limit of ${(maxBytes / 1_000_000).toFixed(1)} MB.`);
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
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** `Authorization: Bearer <token>`; MUNINN_API_TOKEN is an admin token of the default workspace. */
export async function authenticateApi(req: Request): Promise<ApiAuth> {
  const header = req.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) throw new AppError('UNAUTHORIZED', 'Send an API token in the Authorization header: "Authorization: Bearer <token>".');
  const configured = env().MUNINN_API_TOKEN;
  if (!configured || !safeEqual(match[1]!.trim(), configured)) {
    throw new AppError('UNAUTHORIZED', 'This API token is not valid.');
  }
  return { workspaceId: await defaultWorkspaceId() };
}

/** Wraps a route handler: authenticates, runs, maps errors. */
export function apiRoute<P>(handler: (req: Request, auth: ApiAuth, params: P) => Promise<Response>) {
  return async (req: Request, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      const auth = await authenticateApi(req);
      return await handler(req, auth, await ctx.params);
    } catch (e) {
      return errorResponse(e);
    }
  };
}
