import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { setDb } from '@/server/db';
import { resetEnvCache } from '@/server/env';
import { closeScheduleQueue } from '@/server/services/schedules';
import { createCredential } from '@/server/services/credentials';
import { defaultWorkspaceId, forgetDefaultWorkspace } from '@/server/services/workspaces';
import { GET as listTemplates } from './route';
import { GET as getTemplate } from './[slug]/route';
import { POST as install } from './[slug]/install/route';
import { POST as importHuginn } from '../flows/import/huginn/route';

const TOKEN = 'test-token-templates-0123456789';
let tdb: TestDatabase;
let slackCred: string;

beforeAll(async () => {
  tdb = await createTestDatabase('apitemplates');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: testQueuePrefix('apitemplates'), MUNINN_API_TOKEN: TOKEN });
  resetEnvCache();
  setDb(tdb.db);
  forgetDefaultWorkspace();
  slackCred = (await createCredential(await defaultWorkspaceId(), { type: 'slack_webhook', name: 'Slack', data: { webhookUrl: 'https://hooks.slack.com/services/T1/B1/x' } })).id;
});
afterAll(async () => {
  await closeScheduleQueue();
  await tdb.drop();
});

function req(url: string, init: RequestInit & { token?: string | null } = {}): Request {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? TOKEN}`);
  return new Request(`http://localhost${url}`, { ...init, headers });
}
const params = <P>(p: P) => ({ params: Promise.resolve(p) });
type ErrorBody = { error: { code: string; message: string; issues?: Array<{ field: string; message: string }> } };

describe('/api/v1/templates', () => {
  it('lists and shows templates', async () => {
    const list = await listTemplates(req('/api/v1/templates?tag=slack&sort=name'), params({}));
    expect(list.status).toBe(200);
    const items = (await list.json()) as Array<{ slug: string; tags: string[] }>;
    expect(items.length).toBeGreaterThan(3);
    expect(items.every((t) => t.tags.includes('slack'))).toBe(true);
    const bad = await listTemplates(req('/api/v1/templates?sort=random'), params({}));
    expect(bad.status).toBe(400);

    const one = await getTemplate(req('/api/v1/templates/webhook-to-slack'), params({ slug: 'webhook-to-slack' }));
    expect(one.status).toBe(200);
    expect(((await one.json()) as { credentials: Array<{ name: string }> }).credentials.map((c) => c.name)).toEqual(['slack']);
    expect((await getTemplate(req('/api/v1/templates/nope'), params({ slug: 'nope' }))).status).toBe(404);
  });

  it('installs: 400 naming what is missing, then 201 with the flow id', async () => {
    const unauth = await install(req('/api/v1/templates/webhook-to-slack/install', { method: 'POST', body: '{}', token: null }), params({ slug: 'webhook-to-slack' }));
    expect(unauth.status).toBe(401);

    const missing = await install(req('/api/v1/templates/poll-api-email-digest/install', { method: 'POST', body: '{}' }), params({ slug: 'poll-api-email-digest' }));
    expect(missing.status).toBe(400);
    const { error } = (await missing.json()) as ErrorBody;
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/"smtp"/);
    expect(error.message).toMatch(/recipients/);
    expect(error.issues!.map((i) => i.field)).toEqual(['credentials.smtp', 'inputs.recipients']);

    const notObject = await install(req('/api/v1/templates/webhook-to-slack/install', { method: 'POST', body: '{"credentials":["x"]}' }), params({ slug: 'webhook-to-slack' }));
    expect(notObject.status).toBe(400);

    const ok = await install(
      req('/api/v1/templates/webhook-to-slack/install', { method: 'POST', body: JSON.stringify({ credentials: { slack: slackCred }, inputs: { channel: '#ops' } }) }),
      params({ slug: 'webhook-to-slack' }),
    );
    expect(ok.status).toBe(201);
    const { flowId } = (await ok.json()) as { flowId: string };
    const flow = await tdb.db.flow.findUniqueOrThrow({ where: { id: flowId } });
    expect(flow).toMatchObject({ active: false, templateVersion: 1 });
  });
});

describe('POST /api/v1/flows/import/huginn', () => {
  const fixture = (name: string) => readFileSync(path.resolve(import.meta.dirname, '../../../../server/templates/fixtures/huginn', name), 'utf8');

  it('imports a scenario export and answers with the report', async () => {
    const res = await importHuginn(req('/api/v1/flows/import/huginn', { method: 'POST', body: fixture('json-poll-dedup-trigger.json') }), params({}));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; report: { summary: { agents: number; nodes: number }; agents: Array<{ huginnType: string; muninnType: string }> } };
    expect(body.report.summary).toMatchObject({ agents: 9, nodes: 12 });
    expect(body.report.agents.find((a) => a.huginnType === 'ShellCommandAgent')!.muninnType).toBe('placeholder');
    expect((await tdb.db.flow.findUniqueOrThrow({ where: { id: body.id } })).active).toBe(false);
  });

  it('accepts { scenario, name } and refuses what is not a scenario', async () => {
    const wrapped = await importHuginn(
      req('/api/v1/flows/import/huginn', { method: 'POST', body: JSON.stringify({ scenario: JSON.parse(fixture('xkcd-to-email-digest.json')), name: 'Comics' }) }),
      params({}),
    );
    expect(wrapped.status).toBe(201);
    const { id } = (await wrapped.json()) as { id: string };
    expect((await tdb.db.flow.findUniqueOrThrow({ where: { id } })).name).toBe('Comics');

    const bad = await importHuginn(req('/api/v1/flows/import/huginn', { method: 'POST', body: JSON.stringify({ name: 'x', agents: [] }) }), params({}));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.message).toMatch(/not a Huginn scenario export.*no agents/);
  });
});
