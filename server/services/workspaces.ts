import { db } from '../db';

export const DEFAULT_WORKSPACE_SLUG = 'default';

const g = globalThis as unknown as { __muninnDefaultWs?: Promise<string> };

/**
 * Until sign-in exists, every request acts in the default workspace. Queries are still scoped by
 * the workspace id from the request context, so adding real tenants changes only the context.
 */
export function defaultWorkspaceId(): Promise<string> {
  g.__muninnDefaultWs ??= db()
    .workspace.upsert({
      where: { slug: DEFAULT_WORKSPACE_SLUG },
      update: {},
      create: { slug: DEFAULT_WORKSPACE_SLUG, name: 'My workspace' },
      select: { id: true },
    })
    .then((w) => w.id)
    .catch((e: unknown) => {
      g.__muninnDefaultWs = undefined;
      throw e;
    });
  return g.__muninnDefaultWs;
}

/** Tests switch databases; the cached id belongs to the previous one. */
export function forgetDefaultWorkspace(): void {
  g.__muninnDefaultWs = undefined;
}
