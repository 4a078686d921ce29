import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { resetEnvCache } from '@/server/env';
import { closeQueues } from '@/server/queue/queues';
import { appError } from '@/server/testing/app-error';
import { outbox } from '@/server/auth/mail';
import { createCallerFactory } from '@/server/api/trpc';
import { credentialsRouter } from '@/server/api/routers/credentials';
import { testContext } from '@/server/testing/auth-context';
import { runAs } from './audit';
import { acceptInvitation, changeMemberRole, inviteMember, leaveWorkspace, listMembers, previewInvitation, removeMember } from './members';
import { createWorkspace } from './workspaces';

let tdb: TestDatabase;
let ws: string;
const users: Record<'owner' | 'admin' | 'builder' | 'viewer' | 'outsider', { id: string; email: string; name: string }> = {} as never;

beforeAll(async () => {
  tdb = await createTestDatabase('members');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: testQueuePrefix('members') });
  resetEnvCache();
  for (const role of ['owner', 'admin', 'builder', 'viewer', 'outsider'] as const) {
    const email = `${role}@example.com`;
    users[role] = await tdb.db.user.create({ data: { email, name: role }, select: { id: true, email: true, name: true } });
  }
  ws = (await createWorkspace(users.owner.id, 'Members test')).id;
  await tdb.db.membership.createMany({
    data: (['admin', 'builder', 'viewer'] as const).map((role) => ({ workspaceId: ws, userId: users[role].id, role })),
  });
});
afterAll(async () => {
  await closeQueues();
  await tdb.drop();
});

const as = (role: 'owner' | 'admin') => ({ userId: users[role].id, role });

describe('roles', () => {
  it('lets admins change roles below owner, and only owners make or unmake owners', async () => {
    expect((await appError(changeMemberRole(ws, as('admin'), users.viewer.id, 'owner'))).message).toMatch(/Only an owner/);
    expect((await appError(changeMemberRole(ws, as('admin'), users.owner.id, 'viewer'))).message).toMatch(/Only an owner/);
    const after = await runAs({ userId: users.admin.id, label: users.admin.email }, () => changeMemberRole(ws, as('admin'), users.viewer.id, 'builder'));
    expect(after.find((m) => m.userId === users.viewer.id)!.role).toBe('builder');
    await changeMemberRole(ws, as('admin'), users.viewer.id, 'viewer');
    const audit = await tdb.db.auditEvent.findFirstOrThrow({ where: { workspaceId: ws, action: 'member.role_changed' }, orderBy: { createdAt: 'asc' } });
    expect(audit).toMatchObject({ actorLabel: users.admin.email, targetLabel: users.viewer.email, details: { from: 'viewer', to: 'builder' } });
  });

  it('keeps at least one owner', async () => {
    expect((await appError(changeMemberRole(ws, as('owner'), users.owner.id, 'admin'))).message).toMatch(/at least one owner/);
    expect((await appError(leaveWorkspace(ws, users.owner.id))).message).toMatch(/only owner/);
    await changeMemberRole(ws, as('owner'), users.admin.id, 'owner');
    await changeMemberRole(ws, as('owner'), users.admin.id, 'admin');
    expect((await listMembers(ws)).filter((m) => m.role === 'owner')).toHaveLength(1);
  });

  it('answers "not found" for people outside the workspace', async () => {
    expect((await appError(changeMemberRole(ws, as('owner'), users.outsider.id, 'viewer'))).code).toBe('NOT_FOUND');
    expect((await appError(removeMember(ws, as('owner'), users.outsider.id))).code).toBe('NOT_FOUND');
  });
});

describe('invitations', () => {
  it('are single use, expire, and only work for the invited address', async () => {
    outbox.length = 0;
    const inv = await inviteMember(ws, as('admin'), { email: 'Outsider@Example.com', role: 'builder' }, 'https://muninn.example.com/');
    expect(inv.link).toMatch(/^https:\/\/muninn\.example\.com\/invite\/[\w-]+$/);
    expect(outbox[0]).toMatchObject({ to: 'outsider@example.com', subject: 'You are invited to "Members test" on Muninn' });
    expect(outbox[0]!.text).toContain(inv.link);
    const token = inv.link.split('/invite/')[1]!;
    expect(await previewInvitation(token)).toMatchObject({ workspaceName: 'Members test', email: 'outsider@example.com', role: 'builder' });

    expect((await appError(acceptInvitation(token, users.viewer))).code).toBe('FORBIDDEN');
    expect(await acceptInvitation(token, users.outsider)).toEqual({ workspaceId: ws, role: 'builder' });
    expect((await appError(acceptInvitation(token, users.outsider))).message).toMatch(/not valid any more/);
    await removeMember(ws, as('owner'), users.outsider.id);

    const late = await inviteMember(ws, as('owner'), { email: users.outsider.email, role: 'viewer' }, 'http://x');
    await tdb.db.invitation.update({ where: { id: late.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect((await appError(previewInvitation(late.link.split('/invite/')[1]!))).code).toBe('NOT_FOUND');
    expect((await appError(inviteMember(ws, as('admin'), { email: users.owner.email, role: 'viewer' }, 'http://x'))).code).toBe('CONFLICT');
    expect((await appError(inviteMember(ws, as('admin'), { email: 'new@example.com', role: 'owner' }, 'http://x'))).message).toMatch(/Only an owner/);
  });
});

describe('credentials of builders', () => {
  it('builders change and delete only the credentials they created; admins any', async () => {
    const caller = (role: 'builder' | 'admin') => createCallerFactory(credentialsRouter)(testContext(ws, { role, user: users[role] }));
    const data = { webhookUrl: 'https://hooks.slack.com/services/T1/B1/x' };
    const mine = await runAs({ userId: users.builder.id, label: users.builder.email }, () => caller('builder').create({ type: 'slack_webhook', name: 'Mine', data }));
    const theirs = await runAs({ userId: users.admin.id, label: users.admin.email }, () => caller('admin').create({ type: 'slack_webhook', name: 'Theirs', data }));
    await caller('builder').update({ id: mine.id, name: 'Mine, renamed' });
    await expect(caller('builder').delete({ id: theirs.id })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/created by someone else/) });
    await expect(caller('builder').update({ id: theirs.id, name: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await caller('admin').delete({ id: mine.id });
    expect(await tdb.db.credential.count({ where: { workspaceId: ws } })).toBe(1);
  });
});
