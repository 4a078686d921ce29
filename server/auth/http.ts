/**
 * Reading what a request says about its sender: cookies, address, origin. Plain Web `Headers`, so
 * the same code serves route handlers, the tRPC context and tests. Nothing here trusts the client
 * more than the network makes unavoidable (see clientIp).
 */

export const SESSION_COOKIE = 'muninn_session';
export const WORKSPACE_COOKIE = 'muninn_workspace';
/** Sliding idle lifetime of a session; a session never lives longer than SESSION_MAX_MS. */
export const SESSION_IDLE_MS = 30 * 24 * 3600_000;
export const SESSION_MAX_MS = 90 * 24 * 3600_000;

export function readCookie(headers: Headers, name: string): string | undefined {
  const raw = headers.get('cookie');
  if (!raw) return undefined;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * The client's address, for rate limits and the audit log. Next.js fills X-Forwarded-For with the
 * socket address only when the header is absent, and a reverse proxy appends the address it saw,
 * so the right-most entry is the one written by the nearest trusted hop. Exposed directly to the
 * internet without a proxy, a client can choose this value: per-IP limits then only slow down
 * naive guessing, and the per-account lockout is what protects accounts.
 */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get('x-forwarded-for');
  const last = forwarded?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
  const ip = last ?? headers.get('x-real-ip') ?? 'unknown';
  return ip.replace(/^::ffff:/, '').slice(0, 64);
}

/** Behind TLS (configured public URL, or the proxy says so): cookies get the Secure flag. */
export function isSecure(headers: Headers, url?: string): boolean {
  const publicUrl = process.env.MUNINN_PUBLIC_URL;
  if (publicUrl) return publicUrl.startsWith('https:');
  return headers.get('x-forwarded-proto') === 'https' || Boolean(url?.startsWith('https:'));
}

export interface CookieOptions {
  maxAgeSeconds?: number;
  secure: boolean;
}

/** httpOnly, SameSite=Lax, Path=/; Secure behind TLS. A max age of 0 deletes the cookie. */
export function serializeCookie(name: string, value: string, opts: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (opts.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`);
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The origins this server answers as: its public URL and what the request's Host names. */
function ownHosts(headers: Headers): Set<string> {
  const hosts = new Set<string>();
  const publicUrl = process.env.MUNINN_PUBLIC_URL;
  if (publicUrl) {
    try {
      hosts.add(new URL(publicUrl).host.toLowerCase());
    } catch {
      // a malformed setting is reported by env validation elsewhere
    }
  }
  for (const h of [headers.get('x-forwarded-host'), headers.get('host')]) {
    if (h) hosts.add(h.split(',')[0]!.trim().toLowerCase());
  }
  return hosts;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

export const CROSS_SITE_MESSAGE =
  'This request came from another website, so Muninn refused it to protect your account. Open Muninn directly and try again.';

/**
 * CSRF check for state-changing requests that a browser authenticates with cookies. SameSite=Lax
 * already keeps the session cookie off cross-site POSTs in current browsers; this check also
 * covers same-site attackers (another app on a sibling subdomain) and older browsers.
 *
 * - `strict` (cookie-authenticated mutations): the request must name its origin (Origin, else
 *   Referer) and it must be this server. Browsers send Origin on every non-GET fetch and form post.
 * - not strict (sign-in, sign-up, reset: no session yet): a foreign Origin/Referer or a cross-site
 *   Sec-Fetch-Site is refused (login CSRF); a request naming no origin at all is a script or
 *   command-line client, which cannot ride on a victim's browser, and is let through.
 *
 * Returns null when the request may proceed, else the sentence to answer with.
 */
export function crossSiteProblem(headers: Headers, opts: { strict: boolean }): string | null {
  const site = headers.get('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') return CROSS_SITE_MESSAGE;
  const origin = headers.get('origin');
  const claimed = origin && origin !== 'null' ? hostOf(origin) : origin === 'null' ? 'null' : undefined;
  const referred = !claimed && headers.get('referer') ? hostOf(headers.get('referer')!) : undefined;
  const from = claimed ?? referred;
  if (!from) return opts.strict ? CROSS_SITE_MESSAGE : null;
  return ownHosts(headers).has(from) ? null : CROSS_SITE_MESSAGE;
}

export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
