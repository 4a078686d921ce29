/**
 * After signing in or out, or switching workspace, everything on screen belongs to the previous
 * person or workspace: the server-rendered layout (navigation, account) and every cached query.
 * A full page load starts clean, which client-side navigation (router.push/refresh) would not.
 */
export function fullReload(path: string): void {
  window.location.assign(path);
}
