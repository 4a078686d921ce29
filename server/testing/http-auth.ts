import superjson from 'superjson';
import { GET as trpcGet, POST as trpcPost } from '@/app/api/trpc/[trpc]/route';
import { POST as signUpRoute } from '@/app/api/auth/sign-up/route';
import { POST as signInRoute } from '@/app/api/auth/sign-in/route';

/**
 * Calling Muninn's HTTP handlers in-process, as a browser would: JSON bodies, cookies carried
 * from one answer to the next request, Origin set to Muninn itself unless said otherwise.
 */
export const ORIGIN = 'http://localhost:3000';

export class CookieJar {
  readonly cookies = new Map<string, string>();
  /** Takes Set-Cookie headers of an answer (a Max-Age=0 cookie is removed). */
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = decodeURIComponent(pair!.slice(eq + 1));
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  }
}

export interface RequestOptions {
  jar?: CookieJar;
  origin?: string | null;
  ip?: string;
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export function request(path: string, opts: RequestOptions = {}): Request {
  const headers = new Headers(opts.headers);
  headers.set('host', 'localhost:3000');
  if (opts.origin !== null) headers.set('origin', opts.origin ?? ORIGIN);
  if (opts.ip) headers.set('x-forwarded-for', opts.ip);
  if (opts.jar?.cookies.size) headers.set('cookie', opts.jar.header());
  const method = opts.method ?? (opts.body === undefined ? 'GET' : 'POST');
  if (opts.body !== undefined) headers.set('content-type', 'application/json');
  return new Request(`http://localhost:3000${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
}

export async function call(handler: (req: Request) => Promise<Response>, path: string, opts: RequestOptions = {}): Promise<{ status: number; body: unknown; res: Response }> {
  const res = await handler(request(path, opts));
  opts.jar?.take(res);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (CSV)
  }
  return { status: res.status, body, res };
}

export interface TrpcAnswer<T = unknown> {
  status: number;
  data?: T;
  error?: { message: string; code: string };
}

/** One tRPC call over the real route handler (query: GET, mutation: POST). */
export async function trpc<T = unknown>(kind: 'query' | 'mutation', path: string, input: unknown, opts: RequestOptions = {}): Promise<TrpcAnswer<T>> {
  const serialized = superjson.serialize(input);
  const res =
    kind === 'query'
      ? await trpcGet(request(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(serialized))}`, { ...opts, method: 'GET' }))
      : await trpcPost(request(`/api/trpc/${path}`, { ...opts, body: serialized }));
  opts.jar?.take(res);
  const json = (await res.json()) as { result?: { data: { json: unknown; meta?: unknown } }; error?: { json: { message: string; data: { code: string } } } };
  if (json.error) return { status: res.status, error: { message: json.error.json.message, code: json.error.json.data.code } };
  return { status: res.status, data: superjson.deserialize(json.result!.data as never) as T };
}

let counter = 0;
/** Signs up a fresh person through the real endpoint; the jar then holds their session. */
export async function signUpUser(opts: { email?: string; name?: string; password?: string; ip?: string } = {}): Promise<{ jar: CookieJar; email: string; password: string; userId: string; workspaceId: string | null }> {
  const jar = new CookieJar();
  const email = opts.email ?? `user${Date.now().toString(36)}${counter++}@example.com`;
  const password = opts.password ?? 'correct horse battery staple';
  const res = await call(signUpRoute, '/api/auth/sign-up', { jar, ip: opts.ip ?? `10.9.${counter % 250}.${(counter * 7) % 250}`, body: { email, name: opts.name ?? 'Test Person', password } });
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as { user: { id: string }; workspaceId: string | null };
  return { jar, email, password, userId: body.user.id, workspaceId: body.workspaceId };
}

export async function signInUser(email: string, password: string, opts: { ip?: string; jar?: CookieJar } = {}) {
  const jar = opts.jar ?? new CookieJar();
  const res = await call(signInRoute, '/api/auth/sign-in', { jar, ip: opts.ip, body: { email, password } });
  return { ...res, jar };
}
