/** Pages anyone may open without signing in (proxy.ts, the root layout and the tRPC client agree on this list). */
const PUBLIC_PAGES = [/^\/sign-in\/?$/, /^\/sign-up\/?$/, /^\/reset-password\/?$/, /^\/invite\/[^/]+\/?$/];

export function isPublicPage(pathname: string): boolean {
  const path = pathname.split('?')[0] ?? pathname;
  return PUBLIC_PAGES.some((re) => re.test(path));
}

/** "/sign-in?next=/flows/123": where to come back after signing in. Only same-site paths. */
export function signInHref(next?: string): string {
  return next && next !== '/' ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in';
}

/** A `next` parameter made safe: a path on this site, never another origin ("//evil.com", "https://…"). */
export function safeNext(next: string | null | undefined, fallback = '/flows'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}
