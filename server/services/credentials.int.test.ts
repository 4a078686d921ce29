import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-db';
import { startTestServer, type TestServer } from '../testing/http-server';
import { setDb } from '../db';
import { resetEnvCache } from '../env';
import { appError } from '@/server/testing/app-error';
import { PermanentAgentError } from '../agents/define-agent';
import { createCallerFactory } from '../api/trpc';
import { testContext } from '../testing/auth-context';
import { credentialsRouter } from '../api/routers/credentials';
import { forgetDefaultWorkspace, defaultWorkspaceId } from './workspaces';
import {
  createCredential,
  credentialTypeCatalog,
  credentialsFor,
  deleteCredential,
  getCredential,
  listCredentials,
  rotateAllCredentials,
  testCredential,
  updateCredential,
} from './credentials';

/** Every secret below contains it; no output may. */
const CANARY = 'CANARY7f3e9a';
const secret = (label: string) => `${label}-${CANARY}-${randomBytes(4).toString('hex')}`;
const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');

let tdb: TestDatabase;
let ws: string;
let otherWs: string;
let api: TestServer;
let smtp: SMTPServer;
let smtpPort: number;
const jiraToken = secret('jira');
const mavenlinkToken = secret('ml');
const slackToken = `xoxb-${secret('slack')}`;
const smtpPassword = secret('smtp');

beforeAll(async () => {
  tdb = await createTestDatabase('credentials');
  Object.assign(process.env, { MUNINN_ENCRYPTION_KEY: `v1:${K1}`, MUNINN_ALLOWED_HOSTS: '127.0.0.1', DATABASE_URL: tdb.url });
  delete process.env.MUNINN_ENCRYPTION_KEYS_OLD;
  resetEnvCache();
  setDb(tdb.db);
  forgetDefaultWorkspace();
  ws = await defaultWorkspaceId();
  otherWs = (await tdb.db.workspace.create({ data: { slug: 'other', name: 'Other' } })).id;

  // One local server plays Jira, Mavenlink and Slack; only the right secrets get in.
  api = await startTestServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    const send = (status: number, body: unknown) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/jira/rest/api/3/myself') {
      const good = `Basic ${Buffer.from(`ann@example.com:${jiraToken}`).toString('base64')}`;
      return auth === good ? send(200, { accountId: 'abc', displayName: 'Ann Example' }) : send(401, { message: `Bad token ${auth}` });
    }
    if (req.url === '/ml/users/me.json') {
      return auth === `Bearer ${mavenlinkToken}` ? send(200, { count: 1, results: [{ key: 'users', id: '7' }], users: { 7: { full_name: 'Mo Link' } } }) : send(401, {});
    }
    if (req.url === '/slack/auth.test' && req.method === 'POST') {
      return auth === `Bearer ${slackToken}` ? send(200, { ok: true, team: 'Acme', user: 'muninn-bot' }) : send(200, { ok: false, error: 'invalid_auth' });
    }
    send(404, {});
  });

  smtp = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'robot' && auth.password === smtpPassword) return callback(null, { user: 'robot' });
      return callback(new Error('Authentication credentials invalid'));
    },
  });
  smtp.listen(0, '127.0.0.1');
  await once(smtp.server, 'listening');
  smtpPort = (smtp.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await api?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await tdb?.drop();
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

function expectNoSecret(value: unknown): void {
  const text = JSON.stringify(value, (_k, v: unknown) => (v instanceof Error ? { ...v, name: v.name, message: v.message } : v));
  expect(text).not.toContain(CANARY);
}

const jira = (name: string, token = jiraToken) => ({
  type: 'jira_cloud',
  name,
  data: { baseUrl: `${api.url}/jira/`, email: 'ann@example.com', apiToken: token },
});

describe('create and list', () => {
  it('stores encrypted data bound to the row and lists which fields are set, never secret values', async () => {
    const { id } = await createCredential(ws, jira('Acme JIRA'));
    const row = await tdb.db.credential.findUniqueOrThrow({ where: { id } });
    expect(row.ciphertext).toMatch(/^v1:/);
    expect(row.ciphertext).not.toContain(CANARY);

    const [listed] = (await listCredentials(ws)).filter((c) => c.id === id);
    expect(listed).toMatchObject({
      id,
      name: 'Acme JIRA',
      type: 'jira_cloud',
      typeName: 'Jira Cloud',
      setFields: ['baseUrl', 'email', 'apiToken'],
      publicData: { baseUrl: `${api.url}/jira`, email: 'ann@example.com' },
    });
    expect(listed!.createdAt).toBeInstanceOf(Date);

    // Agents get the values, as strings, from their own workspace only.
    expect(await credentialsFor(ws).get(id)).toEqual({
      type: 'jira_cloud',
      name: 'Acme JIRA',
      data: { baseUrl: `${api.url}/jira`, email: 'ann@example.com', apiToken: jiraToken },
    });
  });

  it('validates with the type schema, naming the field and never repeating a value', async () => {
    const missing = await appError(createCredential(ws, { type: 'jira_cloud', name: 'No token', data: { baseUrl: 'https://x.atlassian.net', email: 'a@b.co' } }));
    expect(missing.code).toBe('VALIDATION');
    expect(missing.message).toBe('Jira Cloud: Enter the api token');
    expect(missing.issues).toEqual([{ field: 'data.apiToken', message: 'Enter the api token' }]);

    const bad = await appError(
      createCredential(ws, { type: 'smtp', name: 'Bad port', data: { host: 'mail.example.com', port: 99999, from: 'a@b.co', username: 'u', password: smtpPassword } }),
    );
    expect(bad.issues).toEqual([{ field: 'data.port', message: 'Port must be between 1 and 65535' }]);
    expectNoSecret(bad);

    const unknown = await appError(createCredential(ws, { type: 'ftp', name: 'X', data: {} }));
    expect(unknown.message).toMatch(/^"ftp" is not a known kind of credential\. Known kinds: smtp, /);
    const noName = await appError(createCredential(ws, { type: 'bearer_token', name: '  ', data: { token: secret('t') } }));
    expect(noName.issues).toEqual([{ field: 'name', message: 'Give the credential a name' }]);
  });

  it('refuses a duplicate name in the same workspace, not in another one', async () => {
    await createCredential(ws, jira('Twice'));
    const err = await appError(createCredential(ws, jira('Twice')));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe("A credential named 'Twice' already exists. Choose another name.");
    await expect(createCredential(otherWs, jira('Twice'))).resolves.toHaveProperty('id');
  });
});

describe('update and delete', () => {
  it('merges data: empty secret fields keep their value, other fields change or clear', async () => {
    const { id } = await createCredential(ws, {
      type: 'smtp',
      name: 'Mail',
      data: { host: 'mail.example.com', port: '587', from: 'robot@example.com', username: 'robot', password: smtpPassword },
    });
    const renamed = await updateCredential(ws, id, { name: 'Mail server', data: { host: 'smtp.example.com', password: '', username: 'robot2' } });
    expect(renamed).toMatchObject({ name: 'Mail server', publicData: { host: 'smtp.example.com', username: 'robot2', port: '587', secure: 'false' } });
    expect(renamed.setFields).toContain('password');
    expectNoSecret(renamed);
    expect((await credentialsFor(ws).get(id)).data.password).toBe(smtpPassword);

    // An empty non-secret field is cleared; null clears a secret one.
    const cleared = await updateCredential(ws, id, { data: { username: '', password: null } });
    expect(cleared.setFields).not.toContain('password');
    expect(cleared.setFields).not.toContain('username');

    const invalid = await appError(updateCredential(ws, id, { data: { port: 'abc' } }));
    expect(invalid.issues).toEqual([{ field: 'data.port', message: 'Port must be a number' }]);

    await createCredential(ws, jira('Taken'));
    const taken = await appError(updateCredential(ws, id, { name: 'Taken' }));
    expect(taken.code).toBe('CONFLICT');
  });

  it('deletes; nodes that still use the credential get a plain message', async () => {
    const { id } = await createCredential(ws, jira('Short-lived'));
    await expect(deleteCredential(ws, id)).resolves.toEqual({ id });
    expect((await appError(deleteCredential(ws, id))).code).toBe('NOT_FOUND');
    const err = await rejection(credentialsFor(ws).get(id));
    expect(err).toBeInstanceOf(PermanentAgentError);
    expect(err.message).toMatch(/^The credential chosen in this node no longer exists/);
    await expect(credentialsFor(ws).get('not-a-uuid')).rejects.toThrow(/no longer exists/);
  });
});

describe('workspace isolation', () => {
  it('never reaches a credential of another workspace', async () => {
    const { id } = await createCredential(ws, jira('Mine'));
    expect((await listCredentials(otherWs)).map((c) => c.id)).not.toContain(id);
    for (const attempt of [
      () => getCredential(otherWs, id),
      () => updateCredential(otherWs, id, { name: 'Stolen' }),
      () => deleteCredential(otherWs, id),
      () => testCredential(otherWs, id),
    ]) {
      expect((await appError(attempt())).code).toBe('NOT_FOUND');
    }
    await expect(credentialsFor(otherWs).get(id)).rejects.toThrow(/no longer exists/);
    expect((await getCredential(ws, id)).name).toBe('Mine');
  });

  it('refuses a ciphertext copied to another workspace or credential', async () => {
    const { id } = await createCredential(ws, jira('Original'));
    const { id: copyId } = await createCredential(otherWs, { type: 'bearer_token', name: 'Copy', data: { token: secret('t') } });
    const { ciphertext } = await tdb.db.credential.findUniqueOrThrow({ where: { id } });
    await tdb.db.credential.update({ where: { id: copyId }, data: { ciphertext, type: 'jira_cloud' } });

    const err = await rejection(credentialsFor(otherWs).get(copyId));
    expect(err).toBeInstanceOf(PermanentAgentError);
    expect(err.message).toMatch(/^Credential 'Copy' cannot be read: The stored secret failed its integrity check/);
    const listed = (await listCredentials(otherWs)).find((c) => c.id === copyId)!;
    expect(listed.problem).toMatch(/cannot be read/);
    expect(listed.setFields).toEqual([]);
    expect(await testCredential(otherWs, copyId)).toMatchObject({ ok: false, message: expect.stringMatching(/cannot be read/) });

    // Entering the values again repairs it.
    await updateCredential(otherWs, copyId, { data: { baseUrl: 'https://x.atlassian.net', email: 'a@b.co', apiToken: secret('new') } });
    await expect(credentialsFor(otherWs).get(copyId)).resolves.toMatchObject({ type: 'jira_cloud' });
  });
});

describe('testCredential', () => {
  it('Jira: connects with basic auth, explains a refused token', async () => {
    const good = await createCredential(ws, jira('Jira good'));
    expect(await testCredential(ws, good.id)).toEqual({ ok: true, message: expect.stringMatching(/^Connected to Jira at 127\.0\.0\.1:\d+ as Ann Example\.$/) });
    const bad = await createCredential(ws, jira('Acme JIRA wrong', secret('wrong')));
    const result = await testCredential(ws, bad.id);
    expect(result).toEqual({ ok: false, message: "Jira refused the token (401). Check the email and API token of credential 'Acme JIRA wrong'." });
    expectNoSecret(result);
    const myself = api.requests.filter((r) => r.url === '/jira/rest/api/3/myself');
    expect(myself.at(-1)!.method).toBe('GET');
  });

  it('Mavenlink: bearer token', async () => {
    const good = await createCredential(ws, { type: 'mavenlink', name: 'ML', data: { baseUrl: `${api.url}/ml`, token: mavenlinkToken } });
    expect(await testCredential(ws, good.id)).toEqual({ ok: true, message: 'Connected to Mavenlink as Mo Link.' });
    const bad = await createCredential(ws, { type: 'mavenlink', name: 'ML bad', data: { baseUrl: `${api.url}/ml`, token: secret('bad') } });
    expect(await testCredential(ws, bad.id)).toMatchObject({ ok: false, message: expect.stringMatching(/^Mavenlink refused the token \(401\)/) });
  });

  it('Slack bot: auth.test; Slack webhook: the address only; HTTP kinds: nothing to call', async () => {
    const bot = await createCredential(ws, { type: 'slack_bot', name: 'Bot', data: { baseUrl: `${api.url}/slack`, token: slackToken } });
    expect(await testCredential(ws, bot.id)).toEqual({ ok: true, message: "Connected to Slack workspace 'Acme' as muninn-bot." });
    const wrong = await createCredential(ws, { type: 'slack_bot', name: 'Bot bad', data: { baseUrl: `${api.url}/slack`, token: `xoxb-${secret('x')}` } });
    expect(await testCredential(ws, wrong.id)).toEqual({ ok: false, message: "Slack refused the token (invalid_auth). Check the bot token of credential 'Bot bad'." });

    const posts = api.requests.length;
    const hook = await createCredential(ws, { type: 'slack_webhook', name: 'Hook', data: { webhookUrl: `https://hooks.slack.com/services/T000/B000/${CANARY}x` } });
    const hookResult = await testCredential(ws, hook.id);
    expect(hookResult).toMatchObject({ ok: true, message: expect.stringMatching(/^The webhook address looks right\. Nothing was posted/) });
    expectNoSecret(hookResult);
    const partial = await createCredential(ws, { type: 'slack_webhook', name: 'Hook partial', data: { webhookUrl: 'https://hooks.slack.com/services/T000' } });
    expect((await testCredential(ws, partial.id)).ok).toBe(false);
    expect(api.requests.length).toBe(posts);

    const basic = await createCredential(ws, { type: 'http_basic', name: 'Basic', data: { username: 'u', password: secret('p') } });
    expect(await testCredential(ws, basic.id)).toEqual({
      ok: true,
      message: "Credential 'Basic' is saved. There is nothing to call for a HTTP basic auth credential on its own; it will be used when a node calls its API.",
    });
  });

  it('unreachable hosts are explained', async () => {
    const closed = await startTestServer(() => {});
    await closed.close();
    const { id } = await createCredential(ws, { type: 'jira_cloud', name: 'Gone', data: { baseUrl: closed.url, email: 'a@b.co', apiToken: secret('t') } });
    expect(await testCredential(ws, id)).toMatchObject({ ok: false, message: expect.stringMatching(/Jira at 127\.0\.0\.1:\d+ could not be reached: 127\.0\.0\.1:\d+ refused the connection\./) });
  });

  it('SMTP: logs in with verify(), explains a wrong password', async () => {
    const data = { host: '127.0.0.1', port: String(smtpPort), from: 'robot@example.com', username: 'robot', password: smtpPassword };
    const good = await createCredential(ws, { type: 'smtp', name: 'Local mail', data });
    expect(await testCredential(ws, good.id)).toEqual({ ok: true, message: `Connected to the mail server 127.0.0.1:${smtpPort} and logged in as robot.` });
    const bad = await createCredential(ws, { type: 'smtp', name: 'Local mail bad', data: { ...data, password: secret('wrong') } });
    const result = await testCredential(ws, bad.id);
    expect(result).toEqual({ ok: false, message: `The mail server 127.0.0.1:${smtpPort} refused the user name or password of credential 'Local mail bad'.` });
  });
});

describe('no secret in any output', () => {
  it('service and router answers never contain a secret value', async () => {
    const caller = createCallerFactory(credentialsRouter)(testContext(ws));
    const outputs: unknown[] = [];
    const created = await caller.create({ type: 'oauth2_client_credentials', name: 'OAuth', data: { tokenUrl: 'https://login.example.com/token', clientId: 'muninn', clientSecret: secret('cs') } });
    outputs.push(created);
    outputs.push(await caller.list(), await caller.types(), await caller.get({ id: created.id }));
    outputs.push(await caller.update({ id: created.id, name: 'OAuth 2', data: { clientSecret: '' } }));
    outputs.push(await caller.test({ id: created.id }));
    outputs.push(await listCredentials(ws), credentialTypeCatalog());
    for (const c of await listCredentials(ws)) outputs.push(await getCredential(ws, c.id), await testCredential(ws, c.id));
    outputs.push(await rejection(caller.create({ type: 'http_basic', name: 'OAuth 2', data: { username: 'u', password: secret('p') } })));
    outputs.push(await rejection(caller.create({ type: 'http_basic', name: 'X', data: { username: '', password: secret('p') } })));
    outputs.push(await caller.delete({ id: created.id }));
    expect(outputs.length).toBeGreaterThan(10);
    for (const output of outputs) expectNoSecret(output);
    // The catalogue draws the forms from the same zod schemas.
    const types = await caller.types();
    expect(types.find((t) => t.type === 'jira_cloud')).toMatchObject({
      name: 'Jira Cloud',
      secretFields: ['apiToken'],
      dataSchema: { type: 'object', required: ['baseUrl', 'email', 'apiToken'], properties: { apiToken: { title: 'API token' } } },
    });
  });
});

describe('rotateAllCredentials', () => {
  it('re-encrypts every row under the current key, in batches, keeping updatedAt', async () => {
    const { id } = await createCredential(otherWs, jira('Rotated'));
    const before = await tdb.db.credential.findMany({ orderBy: { id: 'asc' } });
    expect(before.every((r) => r.ciphertext.startsWith('v1:'))).toBe(true);

    // Only the new key: old rows cannot be read, and nothing is changed.
    process.env.MUNINN_ENCRYPTION_KEY = `v2:${K2}`;
    const stuck = await rotateAllCredentials({ batchSize: 4 });
    expect(stuck.rotated).toBe(0);
    expect(stuck.failed).toHaveLength(before.length);
    expect(stuck.failed[0]!.reason).toMatch(/key version v1, which is not configured/);

    process.env.MUNINN_ENCRYPTION_KEYS_OLD = `v1:${K1}`;
    const result = await rotateAllCredentials({ batchSize: 4 });
    expect(result).toEqual({ keyVersion: 2, total: before.length, rotated: before.length, alreadyCurrent: 0, failed: [] });
    const after = await tdb.db.credential.findMany({ orderBy: { id: 'asc' } });
    expect(after.every((r) => r.ciphertext.startsWith('v2:'))).toBe(true);
    expect(after.map((r) => r.updatedAt)).toEqual(before.map((r) => r.updatedAt));

    // The old key can go now.
    delete process.env.MUNINN_ENCRYPTION_KEYS_OLD;
    expect((await credentialsFor(otherWs).get(id)).data.apiToken).toBe(jiraToken);
    for (const row of after) await expect(getCredential(row.workspaceId, row.id)).resolves.not.toHaveProperty('problem');
    expect(await rotateAllCredentials()).toMatchObject({ rotated: 0, alreadyCurrent: before.length });
  });
});
