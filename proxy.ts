import { NextResponse, type NextRequest } from 'next/server';
import { isPublicPage, signInHref } from '@/components/auth/public-pages';

/**
 * Runs before every page (not API routes or static files):
 * 1. Content-Security-Policy with a fresh nonce per request. Next.js reads the nonce from the
 *    request's CSP header and puts it on its own scripts, so no inline script runs without it
 *    ('unsafe-inline' is not needed for scripts). Styles keep 'unsafe-inline': React Flow and
 *    React render `style` attributes, which a nonce cannot cover. The policy must be per request,
 *    which is why it lives here rather than in next.config.js (that sets the other headers).
 * 2. Pages need a session: without the session cookie, visits go to /sign-in. The cookie is only
 *    looked at here; the root layout and every tRPC call validate it against the database.
 */
const SESSION_COOKIE = 'muninn_session';

function contentSecurityPolicy(nonce: string, secure: boolean): string {
  const dev = process.env.NODE_ENV === 'development';
  return [
    "default-src 'self'",
    // React's development build uses eval for error overlays and stack traces; production does not.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(secure ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const secure = (process.env.MUNINN_PUBLIC_URL ?? '').startsWith('https:') || request.headers.get('x-forwarded-proto') === 'https';

  if (!request.cookies.get(SESSION_COOKIE)?.value && !isPublicPage(pathname)) {
    const signIn = request.nextUrl.clone();
    const [target, query = ''] = signInHref(pathname + search).split('?');
    signIn.pathname = target!;
    signIn.search = query ? `?${query}` : '';
    return NextResponse.redirect(signIn);
  }

  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const csp = contentSecurityPolicy(nonce, secure);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', csp);
  // The root layout redirects stale sessions and hides the navigation on sign-in pages.
  requestHeaders.set('x-muninn-pathname', pathname + search);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', csp);
  if (secure) response.headers.set('strict-transport-security', 'max-age=31536000; includeSubDomains');
  return response;
}

export const config = {
  matcher: [{ source: '/((?!api/|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|jpg|ico|txt|webmanifest)$).*)' }],
};
