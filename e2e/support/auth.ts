import { randomBytes } from 'node:crypto';
import { test as base, expect, type APIRequestContext } from '@playwright/test';

/**
 * Muninn requires sign-in. This fixture signs up a fresh person for every test through the real
 * endpoint (POST /api/auth/sign-up: fast, no UI) with the browser context's own request client,
 * so the session cookie lands in the browser context: `page` is signed in, and `request` (made
 * the context's client here) calls the API as the same person. Each test therefore starts in a
 * new, empty workspace of its own.
 *
 *   import { expect, test } from './support/auth';
 *   test('…', async ({ page, account }) => { … });
 */
export interface Account {
  email: string;
  password: string;
  name: string;
  userId: string;
  /** The workspace the account was created with (its own, or the default one for the very first account). */
  workspaceId: string;
}

let seq = 0;

/** Signs up through the API; the cookies go to whatever `request` belongs to (a browser context, or not). */
export async function signUp(request: APIRequestContext, baseURL: string, opts: { email?: string; name?: string; password?: string } = {}): Promise<Account> {
  const stamp = `${Date.now().toString(36)}${(seq++).toString(36)}${randomBytes(2).toString('hex')}`;
  const email = opts.email ?? `e2e-${stamp}@example.com`;
  const password = opts.password ?? `pw-${stamp}-correct-horse`;
  const name = opts.name ?? 'E2E Tester';
  const res = await request.post('/api/auth/sign-up', {
    data: { email, name, password },
    headers: {
      origin: new URL(baseURL).origin,
      // Sign-ups are rate limited per address; each test stands for a different visitor.
      'x-forwarded-for': `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]! % 250}`,
    },
  });
  expect(res.status(), `sign-up failed: ${await res.text()}`).toBe(201);
  const body = (await res.json()) as { user: { id: string }; workspaceId: string };
  return { email, password, name, userId: body.user.id, workspaceId: body.workspaceId };
}

export const test = base.extend<{ account: Account }>({
  account: [async ({ context, baseURL }, provide) => provide(await signUp(context.request, baseURL!)), { auto: true }],
  // The test's `request` shares the signed-in browser context's cookies.
  request: async ({ context, account: _account }, provide) => provide(context.request),
});

export { expect };
