import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/server/testing/test-db';
import { setDb } from '@/server/db';
import { resetEnvCache } from '@/server/env';
import { credentialsFor } from '@/server/services/credentials';
import { defaultWorkspaceId, forgetDefaultWorkspace } from '@/server/services/workspaces';
import { POST } from './route';

const TOKEN = 'test-token-credentials-0123456789';
const SECRET = `api-token-${randomBytes(8).toString('hex')}`;
let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase('apicreds');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_API_TOKEN: TOKEN, MUNINN_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
  resetEnvCache();
  setDb(tdb.db);
  forgetDefaultWorkspace();
});
afterAll(async () => {
  await tdb?.drop();
});

function post(body: unknown, token: string | null = TOKEN): Promise<Response> {
  const headers = new Headers({ 'content-type': 'application/json' });
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  const req = new Request('http://localhost/api/v1/credentials', { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return POST(req, { params: Promise.resolve({}) });
}

type ErrorBody = { error: { code: string; message: string; issues?: Array<{ field?: string; message: string }> } };

describe('POST /api/v1/credentials', () => {
  it('creates a credential and answers 201 with its id only', async () => {
    const res = await post({ type: 'jira_cloud', name: 'Acme JIRA', data: { baseUrl: 'https://acme.atlassian.net', email: 'ann@example.com', apiToken: SECRET } });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    const body = JSON.parse(text) as { id: string };
    expect(Object.keys(body)).toEqual(['id']);
    const cred = await credentialsFor(await defaultWorkspaceId()).get(body.id);
    expect(cred).toMatchObject({ type: 'jira_cloud', name: 'Acme JIRA', data: { apiToken: SECRET } });

    const ml = await post({ type: 'mavenlink', name: 'Kantata', data: { token: SECRET } });
    expect(ml.status).toBe(201);
    const { id } = (await ml.json()) as { id: string };
    expect((await credentialsFor(await defaultWorkspaceId()).get(id)).data).toEqual({ baseUrl: 'https://api.mavenlink.com/api/v1', token: SECRET });
  });

  it('answers 400 naming the field, without repeating values', async () => {
    const res = await post({ type: 'jira_cloud', name: 'Broken', data: { baseUrl: 'acme.atlassian.net', email: 'ann@example.com', apiToken: SECRET } });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    const { error } = JSON.parse(text) as ErrorBody;
    expect(error).toEqual({
      code: 'VALIDATION',
      message: 'Jira Cloud: Site address must be a web address starting with https://',
      issues: [{ field: 'data.baseUrl', message: 'Site address must be a web address starting with https://' }],
    });

    const missing = (await (await post({ type: 'mavenlink', name: 'No token' })).json()) as ErrorBody;
    expect(missing.error.issues).toEqual([{ field: 'data.token', message: 'Enter the token' }]);
    const noType = await post({ name: 'x', data: {} });
    expect(noType.status).toBe(400);
    expect(((await noType.json()) as ErrorBody).error.issues).toEqual([{ field: 'type', message: 'Choose the kind of credential' }]);
    expect((await post('{not json')).status).toBe(400);
    expect((await post([1, 2])).status).toBe(400);
  });

  it('answers 409 for a name already in use', async () => {
    const body = { type: 'bearer_token', name: 'Same name', data: { token: SECRET } };
    expect((await post(body)).status).toBe(201);
    const res = await post(body);
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error.message).toBe("A credential named 'Same name' already exists. Choose another name.");
  });

  it('answers 401 without a valid API token', async () => {
    const body = { type: 'bearer_token', name: 'Nope', data: { token: SECRET } };
    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, 'x'.repeat(32))).status).toBe(401);
    expect(await tdb.db.credential.count({ where: { name: 'Nope' } })).toBe(0);
  });
});
