import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { resetEnvCache } from '@/server/env';
import { closeQueues } from '@/server/queue/queues';
import { defaultWorkspaceId, forgetDefaultWorkspace } from '@/server/services/workspaces';
import { createFlow } from '@/server/services/flows';
import { call, CookieJar, signInUser, signUpUser, trpc } from '@/server/testing/http-auth';
import { outbox } from './mail';
import { POST as signUpRoute } from '@/app/api/auth/sign-up/route';
import { POST as signInRoute } from '@/app/api/auth/sign-in/route';
import { POST as signOutRoute } from '@/app/api/auth/sign-out/route';
import { POST as signOutEverywhereRoute } from '@/app/api/auth/sign-out-everywhere/route';
import { POST as resetRequestRoute } from '@/app/api/auth/reset-request/route';
import { POST as resetRoute } from '@/app/api/auth/reset-password/route';
import { GET as auditExport } from '@/app/api/audit/export/route';
import { GET as exportFlowRoute } from '@/app/api/v1/flows/[id]/route';
import { POST as importFlowRoute } from '@/app/api/v1/flows/route';

let tdb: TestDatabase;
const ENV_TOKEN = 'env-token-0123456789abcdef';

beforeAll(async () => {
  tdb = await createTestDatabase('auth');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: testQueuePrefix('auth'), MUNINN_API_TOKEN: ENV_TOKEN });
  delete process.env.MUNINN_PUBLIC_URL;
  resetEnvCache();
  forgetDefaultWorkspace();
});
afterAll(async () => {
  await closeQueues();
  await tdb.drop();
});

type Answer = { error?: { code: string; message: string } };
const errorOf = (body: unknown) => (body as Answer).error!;

describe('first run and sign-up', () => {
  it('makes the first account owner of the default workspace, keeping data made before sign-in', async () => {
    const ws = await defaultWorkspaceId();
    const before = await createFlow(ws, { name: 'Made before sign-in' });
    const first = await signUpUser({ email: 'Owner@Example.com', name: 'Olive Owner' });
    expect(first.workspaceId).toBe(ws);
    const membership = await tdb.db.membership.findFirstOrThrow({ where: { userId: first.userId } });
    expect(membership).toMatchObject({ workspaceId: ws, role: 'owner' });
    expect((await tdb.db.user.findUniqueOrThrow({ where: { id: first.userId } })).email).toBe('owner@example.com');
    const flows = await trpc<Array<{ id: string }>>('query', 'flows.list', undefined, { jar: first.jar });
    expect(flows.data!.map((f) => f.id)).toContain(before.id);

    // Later accounts get a workspace of their own and do not see the default one.
    const second = await signUpUser();
    expect(second.workspaceId).not.toBe(ws);
    const theirs = await trpc<Array<{ id: string }>>('query', 'flows.list', undefined, { jar: second.jar });
    expect(theirs.data).toEqual([]);
  });

  it('sets an httpOnly, SameSite=Lax session cookie, Secure behind TLS, and never returns the token', async () => {
    const res = await call(signUpRoute, '/api/auth/sign-up', { ip: '10.1.0.1', body: { email: 'cookie@example.com', name: 'C', password: 'a long enough password' } });
    expect(res.status).toBe(201);
    const cookie = res.res.headers.getSetCookie().find((c) => c.startsWith('muninn_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const token = cookie.split(';')[0]!.split('=')[1]!;
    expect(JSON.stringify(res.body)).not.toContain(token);
    // Only the hash is stored.
    expect(await tdb.db.session.count({ where: { id: token } })).toBe(0);

    process.env.MUNINN_PUBLIC_URL = 'https://muninn.example.com';
    try {
      const tls = await call(signInRoute, '/api/auth/sign-in', { origin: 'https://muninn.example.com', ip: '10.1.0.1', body: { email: 'cookie@example.com', password: 'a long enough password' } });
      expect(tls.status).toBe(200);
      expect(tls.res.headers.getSetCookie().find((c) => c.startsWith('muninn_session='))).toMatch(/; Secure/);
    } finally {
      delete process.env.MUNINN_PUBLIC_URL;
    }
  });

  it('explains what is wrong with the form in plain words', async () => {
    const weak = await call(signUpRoute, '/api/auth/sign-up', { ip: '10.1.0.2', body: { email: 'weak@example.com', name: 'W', password: 'short' } });
    expect(weak.status).toBe(400);
    expect(errorOf(weak.body).message).toMatch(/at least 10 characters/);
    const taken = await call(signUpRoute, '/api/auth/sign-up', { ip: '10.1.0.2', body: { email: 'cookie@example.com', name: 'C', password: 'another long password' } });
    expect(taken.status).toBe(409);
    expect(errorOf(taken.body).message).toMatch(/already exists/);
  });
});

describe('sign-in, lockout and sign-out', () => {
  it('answers UNAUTHORIZED with a friendly message to tRPC calls without a session', async () => {
    const res = await trpc('query', 'flows.list', undefined);
    expect(res.status).toBe(401);
    expect(res.error).toEqual({ code: 'UNAUTHORIZED', message: expect.stringMatching(/Please sign in/) });
  });

  it('locks an account after 5 wrong passwords, even for the right one, and audits it', async () => {
    const user = await signUpUser({ email: 'lock@example.com' });
    for (let i = 1; i <= 4; i++) {
      const wrong = await signInUser(user.email, 'not the password', { ip: `10.2.0.${i}` });
      expect(wrong.status).toBe(401);
      expect(errorOf(wrong.body).message).toBe('The email or password is not right. Check both and try again.');
    }
    const fifth = await signInUser(user.email, 'not the password', { ip: '10.2.0.5' });
    expect(fifth.status).toBe(429);
    expect(errorOf(fifth.body).message).toMatch(/paused for your safety.*Try again in about 15 minutes/);
    const right = await signInUser(user.email, user.password, { ip: '10.2.0.6' });
    expect(right.status).toBe(429);

    const events = await tdb.db.auditEvent.findMany({ where: { workspaceId: user.workspaceId }, orderBy: { createdAt: 'asc' } });
    expect(events.filter((e) => e.action === 'auth.sign_in_failed')).toHaveLength(5);
    expect(events.filter((e) => e.action === 'auth.locked')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ actorLabel: 'lock@example.com', ip: '10.2.0.5' });
  });

  it('treats unknown emails like real ones (same answer, same lockout)', async () => {
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await signInUser('nobody@example.com', 'whatever password', { ip: `10.3.0.${i}` }));
    expect(answers.slice(0, 4).map((a) => errorOf(a.body).message)).toEqual(Array(4).fill('The email or password is not right. Check both and try again.'));
    expect(answers[4]!.status).toBe(429);
  });

  it('locks an address that guesses across many accounts', async () => {
    let last;
    for (let i = 0; i < 30; i++) last = await signInUser(`spray${i}@example.com`, 'Password123!', { ip: '10.4.4.4' });
    expect(last!.status).toBe(429);
    const other = await signUpUser({ ip: '10.4.4.5' });
    const fromElsewhere = await signInUser(other.email, other.password, { ip: '10.4.4.5' });
    expect(fromElsewhere.status).toBe(200);
    const fromLocked = await signInUser(other.email, other.password, { ip: '10.4.4.4' });
    expect(fromLocked.status).toBe(429);
  });

  it('signs out this browser, and everywhere', async () => {
    const user = await signUpUser();
    const laptop = (await signInUser(user.email, user.password, { ip: '10.5.0.1' })).jar;
    expect((await trpc('query', 'account.me', undefined, { jar: laptop })).status).toBe(200);

    await call(signOutRoute, '/api/auth/sign-out', { jar: laptop, body: {} });
    expect(laptop.cookies.has('muninn_session')).toBe(false);
    expect((await trpc('query', 'account.me', undefined, { jar: user.jar })).status).toBe(200);

    const phone = (await signInUser(user.email, user.password, { ip: '10.5.0.2' })).jar;
    const everywhere = await call(signOutEverywhereRoute, '/api/auth/sign-out-everywhere', { jar: phone, body: {} });
    expect(everywhere.body).toEqual({ ok: true, ended: 2 });
    expect((await trpc('query', 'account.me', undefined, { jar: user.jar })).status).toBe(401);
    expect(await tdb.db.session.count({ where: { userId: user.userId } })).toBe(0);
  });
});

describe('password reset', () => {
  it('emails a single-use link that sets a new password, ends other sessions and lifts a lockout', async () => {
    const user = await signUpUser({ email: 'reset@example.com' });
    for (let i = 0; i < 5; i++) await signInUser(user.email, 'wrong password!', { ip: '10.6.0.1' });
    outbox.length = 0;

    const unknown = await call(resetRequestRoute, '/api/auth/reset-request', { ip: '10.6.0.2', body: { email: 'nobody-here@example.com' } });
    const known = await call(resetRequestRoute, '/api/auth/reset-request', { ip: '10.6.0.2', body: { email: 'RESET@example.com' } });
    expect([unknown.status, known.status]).toEqual([202, 202]);
    expect(unknown.body).toEqual(known.body);
    expect(outbox.map((m) => m.to)).toEqual(['reset@example.com']);
    const token = /reset-password\?token=([\w-]+)/.exec(outbox[0]!.text)![1]!;
    expect(await tdb.db.passwordReset.count({ where: { tokenHash: token } })).toBe(0);

    const weak = await call(resetRoute, '/api/auth/reset-password', { ip: '10.6.0.2', body: { token, password: 'short' } });
    expect(weak.status).toBe(400);
    const jar = new CookieJar();
    const ok = await call(resetRoute, '/api/auth/reset-password', { jar, ip: '10.6.0.2', body: { token, password: 'a brand new password' } });
    expect(ok.status).toBe(200);
    expect((await trpc('query', 'account.me', undefined, { jar })).status).toBe(200);
    expect((await trpc('query', 'account.me', undefined, { jar: user.jar })).status).toBe(401);

    const again = await call(resetRoute, '/api/auth/reset-password', { ip: '10.6.0.2', body: { token, password: 'yet another password' } });
    expect(again.status).toBe(400);
    expect(errorOf(again.body).message).toMatch(/not valid any more/);
    expect((await signInUser(user.email, 'a brand new password', { ip: '10.6.0.3' })).status).toBe(200);
    expect((await signInUser(user.email, user.password, { ip: '10.6.0.3' })).status).toBe(401);
  });
});

describe('CSRF', () => {
  it('refuses cookie-authenticated tRPC mutations from another origin or without one', async () => {
    const user = await signUpUser();
    const evil = await trpc('mutation', 'flows.create', { name: 'csrf' }, { jar: user.jar, origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.error!.message).toMatch(/came from another website/);
    const none = await trpc('mutation', 'flows.create', { name: 'csrf' }, { jar: user.jar, origin: null });
    expect(none.status).toBe(403);
    const sameSite = await trpc('mutation', 'flows.create', { name: 'csrf' }, { jar: user.jar, headers: { 'sec-fetch-site': 'same-site' } });
    expect(sameSite.status).toBe(403);
    const ok = await trpc('mutation', 'flows.create', { name: 'csrf' }, { jar: user.jar });
    expect(ok.status).toBe(200);
    // Reads are not state-changing: no origin needed.
    expect((await trpc('query', 'flows.list', undefined, { jar: user.jar, origin: null })).status).toBe(200);
    expect(await tdb.db.flow.count({ where: { workspaceId: user.workspaceId!, name: 'csrf' } })).toBe(1);
  });

  it('refuses sign-in posted from another site (login CSRF) and non-JSON forms', async () => {
    const user = await signUpUser();
    expect((await signInUser(user.email, user.password, { ip: '10.7.0.1' })).status).toBe(200);
    const cross = await call(signInRoute, '/api/auth/sign-in', { origin: 'https://evil.example', body: { email: user.email, password: user.password } });
    expect(cross.status).toBe(403);
    const form = await signInRoute(
      new Request('http://localhost:3000/api/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'localhost:3000' }, body: 'email=a&password=b' }),
    );
    expect(form.status).toBe(400);
  });
});

describe('workspace cookie', () => {
  it('is validated against memberships on every request', async () => {
    const a = await signUpUser();
    const b = await signUpUser();
    // b names a's workspace in the cookie: the context ignores it and uses b's own.
    b.jar.cookies.set('muninn_workspace', a.workspaceId!);
    const mine = await trpc<{ activeId: string }>('query', 'workspaces.mine', undefined, { jar: b.jar });
    expect(mine.data!.activeId).toBe(b.workspaceId);
    const switched = await trpc('mutation', 'workspaces.switch', { workspaceId: a.workspaceId }, { jar: b.jar });
    expect(switched.error?.code).toBe('NOT_FOUND');

    const second = await trpc<{ id: string }>('mutation', 'workspaces.create', { name: 'Second' }, { jar: b.jar });
    expect(b.jar.cookies.get('muninn_workspace')).toBe(second.data!.id);
    const now = await trpc<{ activeId: string; workspaces: unknown[] }>('query', 'workspaces.mine', undefined, { jar: b.jar });
    expect(now.data).toMatchObject({ activeId: second.data!.id, workspaces: [expect.objectContaining({ id: b.workspaceId }), expect.objectContaining({ id: second.data!.id, role: 'owner' })] });
    await trpc('mutation', 'workspaces.switch', { workspaceId: b.workspaceId }, { jar: b.jar });
    expect(b.jar.cookies.get('muninn_workspace')).toBe(b.workspaceId);
  });
});

describe('API tokens', () => {
  const v1 = (path: string, token: string, init: { method?: string; body?: unknown } = {}) =>
    new Request(`http://localhost${path}`, { method: init.method ?? 'GET', headers: { authorization: `Bearer ${token}` }, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const params = <P>(p: P) => ({ params: Promise.resolve(p) });
  const flow = { name: 'Token flow', nodes: [{ id: 'start', type: 'manual', options: {} }], edges: [] };

  it('are shown once, stored hashed, scoped by role and workspace, and stop working when revoked or expired', async () => {
    const admin = await signUpUser();
    const viewerToken = await trpc<{ id: string; token: string }>('mutation', 'tokens.create', { name: 'Reader', role: 'viewer' }, { jar: admin.jar });
    const builderToken = await trpc<{ id: string; token: string }>('mutation', 'tokens.create', { name: 'CI', role: 'builder', expiresInDays: 30 }, { jar: admin.jar });
    expect(viewerToken.data!.token).toMatch(/^mnn_/);
    expect(await tdb.db.apiToken.count({ where: { tokenHash: viewerToken.data!.token } })).toBe(0);
    const listed = await trpc<unknown[]>('query', 'tokens.list', undefined, { jar: admin.jar });
    expect(JSON.stringify(listed.data)).not.toContain(viewerToken.data!.token);

    const created = await importFlowRoute(v1('/api/v1/flows', builderToken.data!.token, { method: 'POST', body: flow }), params({}));
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(await tdb.db.flow.findUniqueOrThrow({ where: { id } })).toMatchObject({ workspaceId: admin.workspaceId });

    // viewer: may read, may not write.
    expect((await exportFlowRoute(v1(`/api/v1/flows/${id}`, viewerToken.data!.token), params({ id }))).status).toBe(200);
    const refused = await importFlowRoute(v1('/api/v1/flows', viewerToken.data!.token, { method: 'POST', body: flow }), params({}));
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as Answer).error!.message).toMatch(/role viewer; this request needs builder/);

    // Another workspace's token, and the env token (default workspace), do not see it.
    const other = await signUpUser();
    const otherToken = await trpc<{ token: string }>('mutation', 'tokens.create', { name: 'Other', role: 'admin' }, { jar: other.jar });
    expect((await exportFlowRoute(v1(`/api/v1/flows/${id}`, otherToken.data!.token), params({ id }))).status).toBe(404);
    expect((await exportFlowRoute(v1(`/api/v1/flows/${id}`, ENV_TOKEN), params({ id }))).status).toBe(404);

    // Revoked.
    await trpc('mutation', 'tokens.revoke', { id: viewerToken.data!.id }, { jar: admin.jar });
    expect((await exportFlowRoute(v1(`/api/v1/flows/${id}`, viewerToken.data!.token), params({ id }))).status).toBe(401);
    // Expired.
    await tdb.db.apiToken.update({ where: { id: builderToken.data!.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await exportFlowRoute(v1(`/api/v1/flows/${id}`, builderToken.data!.token), params({ id }));
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as Answer).error!.message).toMatch(/revoked or have expired/);

    // Only admins issue tokens, and never above their own role.
    const audit = await tdb.db.auditEvent.findMany({ where: { workspaceId: admin.workspaceId, action: { startsWith: 'token.' } } });
    expect(audit.map((e) => e.action).sort()).toEqual(['token.created', 'token.created', 'token.revoked']);
    const flowAudit = await tdb.db.auditEvent.findFirstOrThrow({ where: { workspaceId: admin.workspaceId, action: 'flow.created', targetId: id } });
    expect(flowAudit.actorLabel).toBe("API token 'CI'");
  });
});

describe('audit export', () => {
  it('is CSV for admins only, with formula injection defused', async () => {
    const owner = await signUpUser();
    await trpc('mutation', 'flows.create', { name: '=HYPERLINK("http://evil")' }, { jar: owner.jar });
    const csv = await call(auditExport, '/api/audit/export?action=flow', { jar: owner.jar });
    expect(csv.status).toBe(200);
    expect(csv.res.headers.get('content-type')).toMatch(/text\/csv/);
    const text = csv.body as string;
    expect(text.split('\r\n')[0]).toBe('time,actor,action,description,target type,target id,target,details,ip');
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(text).toContain('flow.created');
    expect(text).not.toContain('workspace.created');
    expect((await call(auditExport, '/api/audit/export', {})).status).toBe(401);
  });
});
