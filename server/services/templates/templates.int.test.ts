import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '../../testing/test-db';
import { setDb } from '../../db';
import { resetEnvCache } from '../../env';
import { appError } from '@/server/testing/app-error';
import { closeScheduleQueue } from '../schedules';
import { createCredential } from '../credentials';
import { createFlow, getFlow, saveFlowGraph } from '../flows';
import { forgetDefaultWorkspace, defaultWorkspaceId } from '../workspaces';
import { createCaller } from '../../api/root';
import { testContext } from '../../testing/auth-context';
import { syncCatalogTemplates, loadCatalogFiles } from './catalog';
import { getTemplate, installTemplate, listTemplates, templateCategories } from './service';
import { applyTemplateUpdate, listTemplateUpdates, previewTemplateUpdate, templateUpdateInfo } from './updates';
import { publishTemplate } from './publish';
import { importHuginnScenario } from './huginn/import';
import { readFileSync } from 'node:fs';
import path from 'node:path';

let tdb: TestDatabase;
let ws: string;
let other: string;
let slackCred: string;
let smtpCred: string;
let otherSlackCred: string;

beforeAll(async () => {
  tdb = await createTestDatabase('templates');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: testQueuePrefix('templates') });
  resetEnvCache();
  setDb(tdb.db);
  forgetDefaultWorkspace();
  ws = await defaultWorkspaceId();
  other = (await tdb.db.workspace.create({ data: { slug: 'other', name: 'Other Co' } })).id;
  slackCred = (await createCredential(ws, { type: 'slack_webhook', name: 'Team Slack', data: { webhookUrl: 'https://hooks.slack.com/services/T1/B1/abc' } })).id;
  smtpCred = (await createCredential(ws, { type: 'smtp', name: 'Mail', data: { host: 'smtp.example.com', from: 'robot@example.com' } })).id;
  otherSlackCred = (await createCredential(other, { type: 'slack_webhook', name: 'Their Slack', data: { webhookUrl: 'https://hooks.slack.com/services/T2/B2/def' } })).id;
});
afterAll(async () => {
  await closeScheduleQueue();
  await tdb.drop();
});

describe('catalog sync', () => {
  it('upserts every catalog file once, and writes nothing when nothing changed', async () => {
    const files = (await loadCatalogFiles()).filter((f) => f.template && f.problems.length === 0);
    const first = await listTemplates(ws); // lazily syncs
    expect(first.length).toBe(files.length);
    const again = await syncCatalogTemplates();
    expect(again.created).toEqual([]);
    expect(again.updated).toEqual([]);
    expect(again.unchanged.length).toBe(files.length);
    expect(await tdb.db.template.count()).toBe(files.length);
    expect(await tdb.db.templateVersion.count()).toBe(files.length);
    const status = await tdb.db.template.findUniqueOrThrow({ where: { slug: 'status-page-changes-to-slack' } });
    expect(status).toMatchObject({ version: 2, workspaceId: null, visibility: 'everyone', agentTypes: ['schedule', 'http_request', 'transform', 'dedup', 'slack'] });
  });
});

describe('list, categories, get', () => {
  it('filters and sorts', async () => {
    const byName = await listTemplates(ws, { sort: 'name' });
    expect(byName.map((t) => t.name)).toEqual([...byName.map((t) => t.name)].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));
    const slack = await listTemplates(ws, { tag: 'slack' });
    expect(slack.length).toBeGreaterThan(3);
    expect(slack.every((t) => t.tags.includes('slack'))).toBe(true);
    const monitoring = await listTemplates(ws, { category: 'monitoring' });
    expect(monitoring.map((t) => t.slug).sort()).toEqual(['json-feed-to-slack', 'poll-api-email-digest', 'status-page-changes-to-slack']);
    const search = await listTemplates(ws, { search: 'github issues' });
    expect(search.map((t) => t.slug)).toEqual(['github-issues-to-slack']);
    const item = search[0]!;
    expect(item).toMatchObject({ source: 'catalog', author: 'Muninn', version: 1, installCount: 0, agentTypes: ['webhook', 'filter', 'slack'] });
    expect(item.summary).toMatch(/GitHub issues/);

    const categories = await templateCategories(ws);
    expect(categories.find((c) => c.name === 'Monitoring')).toEqual({ name: 'Monitoring', count: 3 });
  });

  it('gets the preview, needs and matching credentials', async () => {
    const t = await getTemplate(ws, 'webhook-to-slack');
    expect(t.description).toMatch(/\*\*How it works\*\*/);
    expect(t.graph.nodes.map((n) => n.id)).toEqual(['hook', 'post']);
    expect(t.credentials).toEqual([
      expect.objectContaining({ name: 'slack', types: ['slack_webhook', 'slack_bot'], typeLabel: 'Slack incoming webhook or Slack bot token', usedBy: [{ nodeId: 'post', label: 'Post to Slack' }], available: [{ id: slackCred, name: 'Team Slack', type: 'slack_webhook' }] }),
    ]);
    expect(t.inputs.map((i) => [i.name, i.required])).toEqual([
      ['channel', false],
      ['message', false],
    ]);
    expect(t.agents.map((a) => a.type)).toEqual(['webhook', 'slack']);
    expect(t.versions).toEqual([expect.objectContaining({ version: 1, changelog: 'First version' })]);
    // Another workspace sees the same template, but only its own credentials.
    expect((await getTemplate(other, 'webhook-to-slack')).credentials[0]!.available.map((c) => c.id)).toEqual([otherSlackCred]);
    expect((await appError(getTemplate(ws, 'no-such-template'))).code).toBe('NOT_FOUND');
  });
});

describe('install', () => {
  it('names every missing credential and input', async () => {
    const err = await appError(installTemplate(ws, { slug: 'poll-api-email-digest' }));
    expect(err.code).toBe('VALIDATION');
    expect(err.issues.map((i) => i.field)).toEqual(['credentials.smtp', 'inputs.recipients']);
    expect(err.message).toMatch(/Choose a credential for "smtp" \(SMTP server\)/);
    expect(err.message).toMatch(/Fill in "Send to" \(recipients\)/);
  });

  it('refuses a credential of the wrong kind or of another workspace', async () => {
    const wrong = await appError(installTemplate(ws, { slug: 'webhook-to-slack', credentials: { slack: smtpCred } }));
    expect(wrong.message).toMatch(/"slack" needs a Slack incoming webhook or Slack bot token credential, but 'Mail' is a SMTP server/);
    const foreign = await appError(installTemplate(ws, { slug: 'webhook-to-slack', credentials: { slack: otherSlackCred } }));
    expect(foreign.message).toMatch(/was not found in this workspace/);
    const typo = await appError(installTemplate(ws, { slug: 'webhook-to-slack', credentials: { slack: slackCred }, inputs: { chanel: '#x' } }));
    expect(typo.message).toMatch(/"chanel" is not an input/);
    const badNumber = await appError(installTemplate(ws, { slug: 'code-order-totals', credentials: { slack: slackCred }, inputs: { threshold: 'lots' } }));
    expect(badNumber.issues).toEqual([{ field: 'inputs.threshold', message: expect.stringMatching(/must be a number/) }]);
  });

  it('creates the flow inactive, filled in, remembering the template, and counts the install', async () => {
    const installed = await installTemplate(ws, {
      slug: 'poll-api-email-digest',
      credentials: { smtp: smtpCred },
      inputs: { recipients: 'ops@example.com', batch_size: '5', interval: '15m' },
    });
    expect(installed).toMatchObject({ name: 'Poll an API → e-mail digest of new items', templateVersion: 1 });
    const flow = await getFlow(ws, installed.flowId, 'http://x');
    expect(flow.active).toBe(false);
    const byId = Object.fromEntries(flow.graph.nodes.map((n) => [n.id, n.options]));
    expect(byId.tick).toMatchObject({ every: '15m' });
    expect(byId.batch).toMatchObject({ count: 5 });
    expect(byId.new).toMatchObject({ key: '{{ objectID }}' });
    expect(byId.mail).toMatchObject({ credential: smtpCred, to: 'ops@example.com' });
    expect(JSON.stringify(flow.graph)).not.toMatch(/\$input:|\$credential:/);
    const row = await tdb.db.flow.findUniqueOrThrow({ where: { id: installed.flowId } });
    expect(row).toMatchObject({ templateVersion: 1, templateCredentials: { smtp: smtpCred } });
    expect(row.templateInputs).toMatchObject({ recipients: 'ops@example.com', batch_size: 5, interval: '15m', items_path: 'body.hits' });
    expect((await tdb.db.template.findUniqueOrThrow({ where: { slug: 'poll-api-email-digest' } })).installCount).toBe(1);
    expect((await listTemplates(ws, { sort: 'popular' }))[0]!.slug).toBe('poll-api-email-digest');
  });
});

describe('publish and update', () => {
  let sourceFlow: string;

  beforeAll(async () => {
    sourceFlow = (
      await createFlow(ws, {
        name: 'Our alerting',
        graph: {
          nodes: [
            { id: 'hook', type: 'webhook', options: {}, position: { x: 0, y: 0 } },
            {
              id: 'call',
              type: 'http_request',
              label: 'Call API',
              options: {
                method: 'POST',
                url: 'https://api.example.com/v1/alerts?api_key=sk_live_abcdefghijklmnop1234&team=ops',
                headers: { Authorization: 'Bearer abcdef0123456789abcdef', 'X-Team': 'ops' },
                body: { text: '{{ title }}' },
              },
              position: { x: 200, y: 0 },
            },
            { id: 'post', type: 'slack', options: { credential: slackCred, channel: '#ops', text: '{{ title }}' }, position: { x: 400, y: 0 } },
          ],
          edges: [
            { source: 'hook', target: 'call' },
            { source: 'call', target: 'post' },
          ],
        },
      })
    ).id;
  });

  it('strips credentials and secrets, turns chosen options into inputs, and validates', async () => {
    const res = await publishTemplate(ws, {
      flowId: sourceFlow,
      name: 'Ops alerting',
      description: 'Forwards alerts to our API and Slack.\n\nMore text.',
      category: 'Operations',
      tags: ['Ops', 'slack'],
      visibility: 'everyone',
      inputs: [{ name: 'channel', label: 'Channel', target: { nodeId: 'post', field: 'channel' } }],
      changelog: '',
    });
    expect(res).toMatchObject({ slug: 'ops-alerting', version: 1, created: true });
    expect(res.credentials).toEqual([{ name: 'slack', type: ['slack_webhook', 'slack_bot'], description: 'Used by Slack' }]);
    expect(res.inputs.map((i) => [i.name, i.secret ?? false, i.default])).toEqual([
      ['channel', false, '#ops'],
      ['api_key', true, undefined],
      ['api_token', true, undefined],
    ]);
    expect(res.replacedSecrets.map((s) => [s.nodeId, s.field, s.input])).toEqual([
      ['call', 'options.url', 'api_key'],
      ['call', 'options.headers.Authorization', 'api_token'],
    ]);
    const t = await tdb.db.template.findUniqueOrThrow({ where: { slug: 'ops-alerting' } });
    const json = JSON.stringify(t.graph);
    expect(json).not.toContain(slackCred);
    expect(json).not.toContain('sk_live_');
    expect(json).not.toContain('abcdef0123456789abcdef');
    const call = (t.graph as { nodes: Array<{ id: string; options: Record<string, unknown> }> }).nodes.find((n) => n.id === 'call')!;
    expect(call.options.url).toBe('https://api.example.com/v1/alerts?api_key=$input:api_key&team=ops');
    expect(call.options.headers).toEqual({ Authorization: 'Bearer $input:api_token', 'X-Team': 'ops' });
    expect(t).toMatchObject({ workspaceId: ws, author: 'My workspace', summary: 'Forwards alerts to our API and Slack.', tags: ['ops', 'slack'], agentTypes: ['webhook', 'http_request', 'slack'] });
  });

  it('never makes a secret value the public default of an input', async () => {
    const res = await publishTemplate(ws, {
      flowId: sourceFlow,
      slug: 'ops-url-input',
      name: 'URL as input',
      category: 'Operations',
      visibility: 'everyone',
      inputs: [{ name: 'endpoint', label: 'Endpoint', target: { nodeId: 'call', field: 'url' } }],
    });
    const endpoint = res.inputs.find((i) => i.name === 'endpoint')!;
    expect(endpoint.secret).toBe(true);
    expect(endpoint.default).toBeUndefined();
    const t = await tdb.db.template.findUniqueOrThrow({ where: { slug: 'ops-url-input' } });
    expect(JSON.stringify(t)).not.toContain('sk_live_');
  });

  it('refuses secrets when asked to, and secrets in code always', async () => {
    const refused = await appError(
      publishTemplate(ws, { flowId: sourceFlow, slug: 'ops-strict', name: 'Strict', category: 'Operations', visibility: 'workspace', secrets: 'refuse' }),
    );
    expect(refused.code).toBe('VALIDATION');
    expect(refused.message).toMatch(/contains secrets and was not published/);
    expect(refused.issues.map((i) => i.field).sort()).toEqual(['options.headers.Authorization', 'options.url']);

    const coded = await createFlow(ws, {
      name: 'Code with a token',
      graph: { nodes: [{ id: 'c', type: 'code', options: { code: "const token = 'xoxb-1234567890-abcdefghij';\nreturn { token };" } }], edges: [] },
    });
    const err = await appError(publishTemplate(ws, { flowId: coded.id, name: 'Leaky code', category: 'Examples', visibility: 'workspace' }));
    expect(err.message).toMatch(/setting "code" contains a Slack token: secrets inside code/);
  });

  it('publishes version 2 only for the owner, with a changelog', async () => {
    const base = { flowId: sourceFlow, slug: 'ops-alerting', name: 'Ops alerting', category: 'Operations', visibility: 'everyone' as const };
    const noLog = await appError(publishTemplate(ws, { ...base, inputs: [{ name: 'channel', label: 'Channel', target: { nodeId: 'post', field: 'channel' } }] }));
    expect(noLog.message).toMatch(/Describe what changed/);

    const otherFlow = await createFlow(other, { name: 'x', graph: { nodes: [{ id: 'm', type: 'manual', options: {} }], edges: [] } });
    const forbidden = await appError(publishTemplate(other, { ...base, flowId: otherFlow.id, changelog: 'Mine now' }));
    expect(forbidden.code).toBe('FORBIDDEN');
    const catalog = await appError(publishTemplate(ws, { ...base, slug: 'webhook-to-slack', changelog: 'Hijack' }));
    expect(catalog.code).toBe('FORBIDDEN');
    // Another workspace's flow cannot be published from here.
    expect((await appError(publishTemplate(ws, { ...base, flowId: otherFlow.id, slug: 'x-y-z', changelog: 'x' }))).code).toBe('NOT_FOUND');
  });

  it('installs in another workspace, offers the update, and applies it keeping choices and positions', async () => {
    const theirs = await installTemplate(other, {
      slug: 'ops-alerting',
      credentials: { slack: otherSlackCred },
      inputs: { api_token: 'their-token-123', api_key: 'their-key', channel: '#their-ops' },
    });
    const before = await getFlow(other, theirs.flowId, 'http://x');
    expect(before.graph.nodes.find((n) => n.id === 'call')!.options).toMatchObject({
      url: 'https://api.example.com/v1/alerts?api_key=their-key&team=ops',
      headers: { Authorization: 'Bearer their-token-123' },
    });
    // The user moves a node and saves.
    const moved = { ...before.graph, nodes: before.graph.nodes.map((n) => (n.id === 'post' ? { ...n, position: { x: 999, y: 555 } } : n)) };
    const { version: userVersion } = await saveFlowGraph(other, { id: theirs.flowId, baseVersion: before.version, graph: moved });
    expect((await templateUpdateInfo(other, theirs.flowId)).updateAvailable).toBe(false);

    // The owner changes the flow: a Filter before Slack, and the HTTP node is removed.
    const src = await getFlow(ws, sourceFlow, 'http://x');
    await saveFlowGraph(ws, {
      id: sourceFlow,
      baseVersion: src.version,
      graph: {
        nodes: [
          src.graph.nodes[0]!,
          { id: 'only_high', type: 'filter', options: { rules: [{ path: 'severity', op: 'eq', value: 'high' }] } },
          { ...src.graph.nodes[2]!, options: { ...src.graph.nodes[2]!.options, text: ':fire: {{ title }}' } },
        ],
        edges: [
          { source: 'hook', target: 'only_high' },
          { source: 'only_high', target: 'post' },
        ],
      },
    });
    const v2 = await publishTemplate(ws, {
      flowId: sourceFlow,
      slug: 'ops-alerting',
      name: 'Ops alerting',
      category: 'Operations',
      visibility: 'everyone',
      inputs: [{ name: 'channel', label: 'Channel', target: { nodeId: 'post', field: 'channel' } }],
      changelog: 'Only high-severity alerts; no more API call.',
    });
    expect(v2).toMatchObject({ version: 2, created: false });
    // The source flow knows what it was last published as, so that the editor offers its next version.
    expect((await templateUpdateInfo(ws, sourceFlow)).publishedAs).toEqual({ slug: 'ops-alerting', name: 'Ops alerting', version: 2 });
    expect((await templateUpdateInfo(other, theirs.flowId)).publishedAs).toBeNull();

    const info = await templateUpdateInfo(other, theirs.flowId);
    expect(info).toMatchObject({ template: { slug: 'ops-alerting', latestVersion: 2 }, installedVersion: 1, updateAvailable: true });
    expect(info.changes).toEqual([expect.objectContaining({ version: 2, changelog: 'Only high-severity alerts; no more API call.' })]);
    expect(info.missing).toEqual({ credentials: [], inputs: [] });
    expect(await listTemplateUpdates(other)).toEqual([
      { flowId: theirs.flowId, flowName: 'Ops alerting', slug: 'ops-alerting', templateName: 'Ops alerting', installedVersion: 1, latestVersion: 2 },
    ]);
    expect(await listTemplateUpdates(ws)).toEqual([]);

    // The preview shows what the update would make of the flow, choices and positions kept, and saves nothing.
    const preview = await previewTemplateUpdate(other, theirs.flowId);
    expect(preview).toMatchObject({ flowVersion: userVersion, installedVersion: 1, template: { slug: 'ops-alerting', latestVersion: 2 }, missing: { credentials: [], inputs: [] } });
    expect(preview.current.nodes.map((n) => n.id)).toEqual(['hook', 'call', 'post']);
    expect(preview.next.nodes.map((n) => n.id)).toEqual(['hook', 'only_high', 'post']);
    expect(preview.next.nodes.find((n) => n.id === 'post')).toMatchObject({ position: { x: 999, y: 555 }, options: { credential: otherSlackCred, channel: '#their-ops' } });
    expect((await getFlow(other, theirs.flowId, 'http://x')).version).toBe(userVersion);

    const applied = await applyTemplateUpdate(other, { flowId: theirs.flowId });
    expect(applied).toMatchObject({ fromTemplateVersion: 1, toTemplateVersion: 2, version: userVersion + 1 });
    expect(applied.diff).toEqual({ added: ['only_high'], removed: ['call'], changed: ['post'], edgesAdded: 2, edgesRemoved: 2 });
    const after = await getFlow(other, theirs.flowId, 'http://x');
    const post = after.graph.nodes.find((n) => n.id === 'post')!;
    expect(post.position).toEqual({ x: 999, y: 555 });
    expect(post.options).toMatchObject({ credential: otherSlackCred, channel: '#their-ops', text: ':fire: {{ title }}' });
    // What was applied is what the preview showed.
    expect(after.graph.nodes).toEqual(preview.next.nodes);
    expect(after.graph.edges).toEqual(preview.next.edges);
    // The old graph stays in the history.
    const history = await tdb.db.flowVersion.findMany({ where: { flowId: theirs.flowId }, orderBy: { version: 'asc' } });
    expect(history.map((h) => h.version)).toEqual([1, 2, 3]);
    expect(JSON.stringify(history[1]!.graph)).toContain('their-token-123');
    expect((await templateUpdateInfo(other, theirs.flowId)).updateAvailable).toBe(false);
    expect((await appError(applyTemplateUpdate(other, { flowId: theirs.flowId }))).message).toMatch(/already uses the latest version/);
    expect((await appError(previewTemplateUpdate(other, theirs.flowId))).message).toMatch(/already uses the latest version/);
  });

  it('keeps workspace-only templates private', async () => {
    const privateFlow = await createFlow(ws, { name: 'Private', graph: { nodes: [{ id: 'm', type: 'manual', options: {} }], edges: [] } });
    await publishTemplate(ws, { flowId: privateFlow.id, slug: 'our-secret-sauce', name: 'Secret sauce', category: 'Internal', visibility: 'workspace', description: 'Just for us' });
    expect((await listTemplates(ws, { search: 'sauce' })).map((t) => [t.slug, t.source])).toEqual([['our-secret-sauce', 'workspace']]);
    expect(await listTemplates(other, { search: 'sauce' })).toEqual([]);
    expect((await appError(getTemplate(other, 'our-secret-sauce'))).code).toBe('NOT_FOUND');
    expect((await appError(installTemplate(other, { slug: 'our-secret-sauce' }))).code).toBe('NOT_FOUND');
    expect((await templateCategories(other)).some((c) => c.name === 'Internal')).toBe(false);
    // The slug is taken, without saying by whom.
    const otherFlow = await createFlow(other, { name: 'y', graph: { nodes: [{ id: 'm', type: 'manual', options: {} }], edges: [] } });
    expect((await appError(publishTemplate(other, { flowId: otherFlow.id, slug: 'our-secret-sauce', name: 'Mine', category: 'X', visibility: 'everyone' }))).code).toBe('CONFLICT');
  });

  it('answers flows of other workspaces with not found', async () => {
    expect((await appError(templateUpdateInfo(other, sourceFlow))).code).toBe('NOT_FOUND');
    expect((await appError(applyTemplateUpdate(other, { flowId: sourceFlow }))).code).toBe('NOT_FOUND');
    expect((await appError(previewTemplateUpdate(other, sourceFlow))).code).toBe('NOT_FOUND');
    expect((await appError(templateUpdateInfo(ws, 'not-a-uuid'))).code).toBe('NOT_FOUND');
  });
});

describe('Huginn import', () => {
  const fixture = (name: string) => JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../templates/fixtures/huginn', name), 'utf8')) as unknown;

  it('imports a scenario inactive, moving the Slack webhook into a credential', async () => {
    const { id, report } = await importHuginnScenario(ws, fixture('weather-alert-to-slack.json'));
    const flow = await getFlow(ws, id, 'http://x');
    expect(flow).toMatchObject({ name: 'Weather alert to Slack', active: false });
    expect(flow.graph.nodes).toHaveLength(7);
    expect(report.credentialsCreated).toEqual([{ id: expect.any(String), name: 'Slack – Tell #general', type: 'slack_webhook' }]);
    const slack = flow.graph.nodes.find((n) => n.type === 'slack')!;
    expect(slack.options.credential).toBe(report.credentialsCreated[0]!.id);
    expect(report.credentialsToChoose).toEqual([]);
    expect(report.agents.find((a) => a.huginnType === 'TwitterStreamAgent')).toMatchObject({ muninnType: 'placeholder', status: 'needs_attention' });
  });

  it('uses the only credential of a kind, and lists what still has to be chosen', async () => {
    const { id, report } = await importHuginnScenario(ws, fixture('webhook-to-jira.json'));
    const flow = await getFlow(ws, id, 'http://x');
    // One Slack credential exists (plus the one created above) → it must be chosen; no Jira credential exists.
    expect(report.credentialsToChoose.map((c) => [c.nodeId, c.types])).toEqual([
      ['tell-support', ['slack_webhook', 'slack_bot']],
      ['watch-sup-issues', ['jira_cloud']],
    ]);
    expect(flow.graph.nodes.find((n) => n.id === 'watch-sup-issues')!.options.credential).toMatch(/^\$credential:/);
    expect(report.agents.find((a) => a.name === 'Watch SUP issues')!.status).toBe('needs_attention');

    const mail = await importHuginnScenario(ws, fixture('xkcd-to-email-digest.json'), { name: 'Comics' });
    const mailFlow = await getFlow(ws, mail.id, 'http://x');
    expect(mailFlow.name).toBe('Comics');
    expect(mailFlow.graph.nodes.find((n) => n.type === 'email')!.options.credential).toBe(smtpCred);
    expect(mail.report.agents.find((a) => a.huginnType === 'EmailDigestAgent')!.notes.join(' ')).toMatch(/Uses the credential 'Mail'/);

    const chosen = await importHuginnScenario(ws, fixture('webhook-to-jira.json'), { credentials: { slack_webhook: slackCred } });
    const chosenFlow = await getFlow(ws, chosen.id, 'http://x');
    expect(chosenFlow.graph.nodes.find((n) => n.id === 'tell-support')!.options.credential).toBe(slackCred);
    expect((await appError(importHuginnScenario(ws, fixture('webhook-to-jira.json'), { credentials: { slack_webhook: otherSlackCred } }))).message).toMatch(/not found in this workspace/);
  });

  it('goes through the tRPC router, scoped to the caller', async () => {
    const caller = createCaller(testContext(other, { publicUrl: 'http://x' }));
    const list = await caller.templates.list({ sort: 'name' });
    expect(list.some((t) => t.slug === 'our-secret-sauce')).toBe(false);
    const got = await caller.templates.get({ slug: 'weekday-standup-reminder' });
    expect(got.inputs.map((i) => i.name)).toEqual(['cron', 'timezone', 'message', 'channel']);
    await expect(caller.templates.install({ slug: 'weekday-standup-reminder', credentials: {}, inputs: {} })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/Choose a credential for "slack"/),
    });
    const done = await caller.templates.install({ slug: 'weekday-standup-reminder', credentials: { slack: otherSlackCred }, inputs: {} });
    expect((await caller.templates.updateInfo({ flowId: done.flowId })).template?.slug).toBe('weekday-standup-reminder');
    const imported = await caller.templates.importHuginn({ scenario: fixture('xkcd-html-scraper.json') });
    expect(imported.report.summary.needsAttention).toBe(3);
    await expect(caller.templates.updateInfo({ flowId: sourceFlowOf(ws) })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

// A flow id of the default workspace, for the isolation check above.
let wsFlowId = '';
beforeAll(async () => {
  wsFlowId = (await createFlow(await defaultWorkspaceId(), { name: 'isolation probe' })).id;
});
function sourceFlowOf(_ws: string): string {
  return wsFlowId;
}
