import { AppError } from '../errors';
import type { SignedIn } from '../auth/accounts';
import { clientIp, crossSiteProblem, isSecure, readCookie, serializeCookie, SESSION_COOKIE, SESSION_IDLE_MS, WORKSPACE_COOKIE } from '../auth/http';
import { errorResponse, json, readJsonBody } from './rest';
import { publicUrlOf } from './trpc';

/**
 * Route handlers of app/api/auth/*: JSON in, JSON out, cookies set here. Every one refuses
 * requests from other sites (login CSRF included); those that act on a session require the
 * request to name Muninn as its origin.
 */
export interface AuthRequest {
  req: Request;
  body: Record<string, unknown>;
  client: { ip: string; userAgent: string | null };
  publicUrl: string;
  sessionToken: string | undefined;
  secure: boolean;
}

export function authRoute(opts: { strict: boolean }, handler: (r: AuthRequest) => Promise<Response>) {
  return async (req: Request): Promise<Response> => {
    try {
      const problem = crossSiteProblem(req.headers, opts);
      if (problem) throw new AppError('FORBIDDEN', problem);
      const type = req.headers.get('content-type') ?? '';
      if (req.body && !type.startsWith('application/json')) throw new AppError('BAD_REQUEST', 'Send the form as JSON (Content-Type: application/json).');
      const raw = await readJsonBody(req, 20_000);
      const body = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
      return await handler({
        req,
        body,
        client: { ip: clientIp(req.headers), userAgent: req.headers.get('user-agent') },
        publicUrl: publicUrlOf(req.headers, req.url),
        sessionToken: readCookie(req.headers, SESSION_COOKIE),
        secure: isSecure(req.headers, req.url),
      });
    } catch (e) {
      return errorResponse(e);
    }
  };
}

export function str(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  return typeof v === 'string' ? v : '';
}

/** The answer to a successful sign-in: the session cookie (and the workspace to open), never the token in the body. */
export function signedInResponse(r: AuthRequest, signedIn: SignedIn, status = 200): Response {
  const res = json({ user: signedIn.user, workspaceId: signedIn.workspaceId }, status);
  res.headers.append('set-cookie', serializeCookie(SESSION_COOKIE, signedIn.token, { secure: r.secure, maxAgeSeconds: SESSION_IDLE_MS / 1000 }));
  if (signedIn.workspaceId) {
    res.headers.append('set-cookie', serializeCookie(WORKSPACE_COOKIE, signedIn.workspaceId, { secure: r.secure, maxAgeSeconds: 365 * 24 * 3600 }));
  }
  res.headers.set('cache-control', 'no-store');
  return res;
}

export function signedOutResponse(r: AuthRequest, body: unknown = { ok: true }): Response {
  const res = json(body);
  res.headers.append('set-cookie', serializeCookie(SESSION_COOKIE, '', { secure: r.secure, maxAgeSeconds: 0 }));
  return res;
}
