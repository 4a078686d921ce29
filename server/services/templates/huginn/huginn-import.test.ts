import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateGraph, type FlowNode } from '../../../engine/graph';
import { runFrom } from '../test-helpers';
import { AppError } from '../../../errors';
import { convertHuginnScenario, type ConvertedScenario } from './import';
import { jsonPathToDotted, jsonPathToJsonata, splitAtWildcard } from './paths';
import { mapHuginnCron, mapHuginnSchedule } from './schedule';

const FIXTURES = path.resolve(import.meta.dirname, '../../../templates/fixtures/huginn');
const fixture = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;

function convert(name: string): ConvertedScenario {
  const out = convertHuginnScenario(fixture(name));
  // Every imported flow must be savable as it is.
  expect(validateGraph(out.flow)).toEqual([]);
  return out;
}

const agentReport = (out: ConvertedScenario, name: string) => {
  const r = out.report.agents.find((a) => a.name === name);
  if (!r) throw new Error(`no agent ${name}`);
  return r;
};
const nodeById = (out: ConvertedScenario, id: string): FlowNode => {
  const n = out.flow.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id}; nodes: ${out.flow.nodes.map((x) => x.id).join(', ')}`);
  return n;
};
const edgeList = (out: ConvertedScenario) => out.flow.edges.map((e) => `${e.source}->${e.target}`).sort();

describe('Huginn paths and schedules', () => {
  it('translates JSONPath', () => {
    expect(jsonPathToDotted('$.daily.temperature_2m_max[0]')).toBe('daily.temperature_2m_max[0]');
    expect(jsonPathToDotted("data['title']")).toBe('data.title');
    expect(jsonPathToDotted('items[*].id')).toBeUndefined();
    expect(splitAtWildcard('results.data[*].title')).toEqual({ list: 'results.data', item: 'title' });
    expect(splitAtWildcard('[*].a.b')).toEqual({ list: '', item: 'a.b' });
    expect(jsonPathToJsonata('results.data[*].title', 'body')).toBe('body.results.data.title');
    expect(jsonPathToJsonata('$..price', 'body')).toBe('body.**.price');
    expect(jsonPathToJsonata("a['odd key'][2]", 'body')).toBe('body.a.`odd key`[2]');
    expect(jsonPathToJsonata('a[?(@.x > 1)]')).toBeUndefined();
  });

  it('maps Huginn schedules to Schedule options', () => {
    expect(mapHuginnSchedule('every_5m')).toMatchObject({ options: { mode: 'every', every: '5m' }, label: 'every 5 minutes' });
    expect(mapHuginnSchedule('every_1d')).toMatchObject({ options: { mode: 'every', every: '1d' }, label: 'every day' });
    expect(mapHuginnSchedule('every_2m')).toMatchObject({ options: { mode: 'cron', cron: '*/2 * * * *' } });
    expect(mapHuginnSchedule('every_5h')).toMatchObject({ options: { mode: 'cron', cron: '0 */5 * * *' } });
    expect(mapHuginnSchedule('every_7d')).toMatchObject({ options: { mode: 'cron', cron: '0 0 * * 1' } });
    expect(mapHuginnSchedule('midnight')).toMatchObject({ options: { mode: 'daily', time: '00:00' } });
    expect(mapHuginnSchedule('noon')).toMatchObject({ options: { mode: 'daily', time: '12:00' } });
    expect(mapHuginnSchedule('9am')).toMatchObject({ options: { mode: 'daily', time: '09:00' } });
    expect(mapHuginnSchedule('11pm')).toMatchObject({ options: { mode: 'daily', time: '23:00' } });
    expect(mapHuginnSchedule('12am')).toMatchObject({ options: { mode: 'daily', time: '00:00' } });
    expect(mapHuginnSchedule('never')).toBeNull();
    expect(mapHuginnSchedule(null)).toBeNull();
    expect(mapHuginnSchedule('every_full_moon')).toEqual({ unknown: 'every_full_moon' });
    expect(mapHuginnCron('0 0 8 * * 1-5 Europe/Berlin')).toMatchObject({ options: { mode: 'cron', cron: '0 8 * * 1-5', timezone: 'Europe/Berlin' } });
    expect(mapHuginnCron('*/15 * * * *')).toMatchObject({ options: { cron: '*/15 * * * *', timezone: 'UTC' } });
    expect(mapHuginnCron('not a cron')).toBeUndefined();
  });
});

describe('convertHuginnScenario on the fixtures', () => {
  it('XKCD comics to e-mail digest: website poll → formatter → digest e-mail', async () => {
    const out = convert('xkcd-to-email-digest.json');
    expect(out.flow.name).toBe('XKCD comics to e-mail digest');
    expect(out.report.summary).toEqual({ agents: 3, mapped: 2, approximated: 1, needsAttention: 0, nodes: 7, edges: 6 });
    expect(out.flow.nodes.map((n) => n.type)).toEqual(['schedule', 'http_request', 'transform', 'dedup', 'transform', 'digest', 'email']);
    expect(edgeList(out)).toEqual(
      [
        'xkcd-source-schedule->xkcd-source',
        'xkcd-source->xkcd-source-fields',
        'xkcd-source-fields->xkcd-source-new',
        'xkcd-source-new->xkcd-formatter',
        'xkcd-formatter->morning-comics-digest-collect',
        'morning-comics-digest-collect->morning-comics-digest',
      ].sort(),
    );
    const source = agentReport(out, 'XKCD Source');
    expect(source).toMatchObject({ huginnType: 'WebsiteAgent', muninnType: 'http_request', status: 'mapped' });
    expect(nodeById(out, 'xkcd-source-schedule').options).toEqual({ mode: 'every', every: '1d' });
    expect(nodeById(out, 'xkcd-source').options).toEqual({ method: 'GET', url: 'https://xkcd.com/info.0.json' });
    expect(nodeById(out, 'xkcd-source-fields').options).toEqual({
      template: { num: '{{ body.num }}', title: '{{ body.safe_title }}', url: '{{ body.img }}', hovertext: '{{ body.alt }}' },
      mode: 'replace',
    });
    expect(nodeById(out, 'xkcd-source-new').options).toEqual({ key: '', lookback: 200 });
    expect(nodeById(out, 'xkcd-formatter')).toMatchObject({ type: 'transform', options: { mode: 'replace', template: { subject: 'xkcd #{{ num }}: {{ title }}' } } });
    expect(agentReport(out, 'Morning comics digest')).toMatchObject({ huginnType: 'EmailDigestAgent', muninnTypes: ['digest', 'email'], status: 'approximated' });
    const mail = nodeById(out, 'morning-comics-digest');
    expect(mail.options).toMatchObject({ to: 'ada@example.com, grace@example.com', subject: 'Your morning comics', html: true });
    expect(mail.options.credential).toMatch(/^\$credential:huginn_\d+$/);
    expect(out.credentialNeeds).toEqual([expect.objectContaining({ types: ['smtp'] })]);

    // The HTTP answer → fields → formatter chain produces what Huginn's agents produced.
    const ran = await runFrom(out.flow, 'xkcd-source-fields', { status: 200, headers: {}, body: { num: 2934, safe_title: 'Bridge', img: 'https://imgs.xkcd.com/comics/bridge.png', alt: 'Hover' } });
    expect(ran.get('xkcd-formatter')).toEqual([
      { message: '<a href="https://xkcd.com/2934/">Bridge</a><br><img src="https://imgs.xkcd.com/comics/bridge.png" title="Hover">', subject: 'xkcd #2934: Bridge' },
    ]);
  });

  it('Weather alert to Slack: single-value JSON extraction, trigger, Slack with a new credential, placeholder for Twitter', async () => {
    const out = convert('weather-alert-to-slack.json');
    expect(out.report.summary).toEqual({ agents: 4, mapped: 3, approximated: 0, needsAttention: 1, nodes: 7, edges: 6 });
    expect(nodeById(out, 'berlin-forecast-schedule').options).toEqual({ mode: 'daily', time: '07:00', timezone: 'UTC' });
    expect(nodeById(out, 'berlin-forecast-fields').options).toEqual({
      template: { rain: '{{ body.daily.precipitation_probability_max[0] }}', max_temp: '{{ body.daily.temperature_2m_max[0] }}', date: '{{ body.daily.time[0] }}' },
      mode: 'replace',
    });
    expect(nodeById(out, 'rain-likely')).toMatchObject({ type: 'filter', options: { match: 'all', rules: [{ path: 'rain', op: 'gte', value: 60 }] } });
    expect(nodeById(out, 'rain-likely-message').options).toEqual({ template: { message: 'Rain probability {{ rain }}% on {{ date }}' }, mode: 'merge' });
    const slack = nodeById(out, 'tell-general');
    expect(slack.options).toMatchObject({ channel: '#general', text: ':umbrella: {{ message }} (max {{ max_temp }}°C). Take an umbrella!' });
    expect(out.credentialNeeds[0]).toMatchObject({
      types: ['slack_webhook', 'slack_bot'],
      create: { type: 'slack_webhook', data: { webhookUrl: 'https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdEFGHijklMNOPqrstUVWX' } },
    });
    // The webhook URL is a secret: it is not left in the graph.
    expect(JSON.stringify(out.flow)).not.toContain('hooks.slack.com');
    expect(agentReport(out, 'Tell #general').notes.join(' ')).toMatch(/username: not supported/);

    const twitter = agentReport(out, 'Weather tweets');
    expect(twitter).toMatchObject({ huginnType: 'TwitterStreamAgent', muninnType: 'placeholder', status: 'needs_attention' });
    const placeholder = nodeById(out, 'weather-tweets');
    expect(placeholder).toMatchObject({ type: 'placeholder', label: 'Needs attention: Weather tweets' });
    expect(placeholder.options).toMatchObject({ source: 'Huginn', originalType: 'Agents::TwitterStreamAgent', originalOptions: { filters: ['rain berlin', 'regen berlin'] } });
    expect(edgeList(out)).toContain('weather-tweets->tell-general');

    const ran = await runFrom(out.flow, 'berlin-forecast-fields', { status: 200, headers: {}, body: { daily: { time: ['2024-05-02'], precipitation_probability_max: [80], temperature_2m_max: [14.2] } } });
    expect(ran.get('rain-likely-message')).toEqual([{ rain: 80, max_temp: 14.2, date: '2024-05-02', message: 'Rain probability 80% on 2024-05-02' }]);
    const dry = await runFrom(out.flow, 'berlin-forecast-fields', { status: 200, headers: {}, body: { daily: { time: ['2024-05-03'], precipitation_probability_max: [10], temperature_2m_max: [20] } } });
    expect(dry.get('rain-likely')).toEqual([]);
  });

  it('Webhook to JIRA: payload_path, any-of rules, JSON POST to the JIRA API, Jira poll with dedup', async () => {
    const out = convert('webhook-to-jira.json');
    expect(out.report.summary).toMatchObject({ agents: 6, nodes: 8, edges: 7 });
    expect(out.flow.nodes.map((n) => n.type).sort()).toEqual(['dedup', 'filter', 'http_request', 'jira', 'jsonata', 'schedule', 'slack', 'webhook']);
    expect(nodeById(out, 'support-form-payload').options).toEqual({ expression: 'ticket', mode: 'each' });
    expect(nodeById(out, 'only-urgent-tickets').options).toEqual({
      match: 'any',
      rules: [
        { path: 'subject', op: 'regex', value: '(?i)urgent|outage|down' },
        { match: 'any', rules: [{ path: 'priority', op: 'eq', value: 'high' }, { path: 'priority', op: 'eq', value: 'critical' }] },
      ],
    });
    const post = nodeById(out, 'create-jira-issue');
    expect(post.options).toMatchObject({
      method: 'POST',
      url: 'https://acme.atlassian.net/rest/api/2/issue',
      headers: { Accept: 'application/json' },
      body: { fields: { project: { key: 'SUP' }, summary: '{{ subject }}', issuetype: { name: 'Task' } } },
    });
    expect(agentReport(out, 'Create JIRA issue')).toMatchObject({ status: 'needs_attention', notes: expect.arrayContaining([expect.stringMatching(/basic_auth used Huginn credentials/)]) });
    expect(nodeById(out, 'watch-sup-issues')).toMatchObject({ type: 'jira', options: { action: 'poll', jql: 'project = SUP AND status changed AFTER -1d' } });
    expect(nodeById(out, 'watch-sup-issues-schedule').options).toEqual({ mode: 'every', every: '10m' });
    expect(nodeById(out, 'once-per-status').options).toEqual({ key: '{{ issue.key }}-{{ issue.fields.status.name }}', lookback: 10_000 });
    expect(edgeList(out)).toEqual(
      [
        'support-form->support-form-payload',
        'support-form-payload->only-urgent-tickets',
        'only-urgent-tickets->create-jira-issue',
        'create-jira-issue->tell-support',
        'watch-sup-issues-schedule->watch-sup-issues',
        'watch-sup-issues->once-per-status',
        'once-per-status->tell-support',
      ].sort(),
    );
    // Slack and Jira credentials were Huginn credentials: they must be chosen (no value to create them from).
    expect(out.credentialNeeds.map((n) => [n.types, Boolean(n.create)])).toEqual([
      [['slack_webhook', 'slack_bot'], false],
      [['jira_cloud'], false],
    ]);

    const ran = await runFrom(out.flow, 'support-form-payload', { ticket: { subject: 'Checkout is DOWN', priority: 'low', name: 'Ada', email: 'a@x.org', body: '...' } });
    expect(ran.get('only-urgent-tickets')).toHaveLength(1);
    const calm = await runFrom(out.flow, 'support-form-payload', { ticket: { subject: 'A question', priority: 'low' } });
    expect(calm.get('only-urgent-tickets')).toEqual([]);
  });

  it('JSON poll with dedup and trigger: scheduler, must_match, !regex, delay, digest, form POST, JavaScript, unknown agent', async () => {
    const out = convert('json-poll-dedup-trigger.json');
    expect(out.report.summary).toEqual({ agents: 9, mapped: 5, approximated: 2, needsAttention: 2, nodes: 12, edges: 11 });
    expect(nodeById(out, 'weekday-mornings')).toMatchObject({ type: 'schedule', options: { mode: 'cron', cron: '0 8 * * 1-5', timezone: 'Europe/Berlin' } });
    expect(edgeList(out)).toContain('weekday-mornings->hn-front-page');
    expect(nodeById(out, 'hn-front-page').options).toEqual({
      method: 'GET',
      url: 'https://hn.algolia.com/api/v1/search?tags=front_page',
      headers: { Accept: 'application/json', 'User-Agent': 'Huginn (team bot)' },
    });
    expect(nodeById(out, 'hn-front-page-items').options).toEqual({ path: 'body.hits' });
    expect(nodeById(out, 'hn-front-page-fields').options).toEqual({
      template: { id: '{{ objectID }}', title: '{{ title }}', url: '{{ url }}', points: '{{ points }}' },
      mode: 'replace',
    });
    expect(nodeById(out, 'unseen-stories').options).toEqual({ key: '{{ id }}', lookback: 500 });
    const trigger = nodeById(out, 'popular-and-on-topic');
    expect(trigger.options.match).toBe('any');
    expect((trigger.options.rules as unknown[]).length).toBe(3);
    expect(nodeById(out, 'hold-for-an-hour').options).toEqual({ duration: '1h' });
    expect(agentReport(out, 'Hold for an hour').notes.join(' ')).toMatch(/emit_interval/);
    expect(nodeById(out, 'story-digest').options).toEqual({ count: 10, field: 'events' });
    expect(nodeById(out, 'send-to-team-chat').options).toEqual({
      method: 'POST',
      url: 'https://chat.example.com/hooks/incoming',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'text={{ message | url_encode }}&channel=dev-news',
    });
    expect(agentReport(out, 'Shout titles')).toMatchObject({ muninnType: 'code', status: 'needs_attention' });
    expect(agentReport(out, 'Shout titles').notes.join(' ')).toMatch(/disabled in Huginn/);
    expect(agentReport(out, 'Archive to disk')).toMatchObject({ huginnType: 'ShellCommandAgent', muninnType: 'placeholder', status: 'needs_attention' });

    // One story through split → fields → dedup → trigger; must_match 2 of 3 and the negated regex work.
    const answer = {
      status: 200,
      headers: {},
      body: {
        hits: [
          { objectID: '1', title: 'Postgres 18 released', url: 'https://postgresql.org/18', points: 50 },
          { objectID: '2', title: 'Rust in the kernel', url: 'https://youtube.com/watch?v=x', points: 300 },
          { objectID: '3', title: 'Something else', url: 'https://example.com', points: 10 },
          { objectID: '4', title: 'rust lowercase', url: 'https://youtube.com/x', points: 5 },
        ],
      },
    };
    const ran = await runFrom(out.flow, 'hn-front-page-items', answer);
    expect(ran.get('hn-front-page-fields')).toHaveLength(4);
    // 1: Postgres + not YouTube (2 of 3); 2: >100 + Rust (2 of 3); 3: only "not YouTube"; 4: case-sensitive Rust fails, YouTube: 0.
    expect(ran.get('popular-and-on-topic')!.map((e) => e.id)).toEqual(['1', '2']);

    // The JavaScript agent's code runs in the Code node with the Huginn API stand-in.
    const shout = await runFrom(out.flow, 'shout-titles', { title: 'hello', url: 'u' });
    expect(shout.get('shout-titles')).toEqual([{ title: 'HELLO', url: 'u' }]);
  });

  it('the classic HTML scraper: fetch kept, extraction and Huginn-only Liquid flagged', () => {
    const out = convert('xkcd-html-scraper.json');
    expect(out.flow.nodes.map((n) => n.type)).toEqual(['schedule', 'http_request', 'placeholder', 'dedup', 'transform', 'email']);
    expect(nodeById(out, 'xkcd-source').options).toEqual({ method: 'GET', url: 'https://xkcd.com' });
    expect(nodeById(out, 'xkcd-source-extract').options).toMatchObject({ originalOptions: { type: 'html', extract: { url: { css: '#comic img', value: '@src' } } } });
    expect(agentReport(out, 'XKCD Source').status).toBe('needs_attention');
    expect(agentReport(out, 'Comic to message').notes.join(' ')).toMatch(/undefined filter: regex_replace/);
    expect(nodeById(out, 'mail-me').options).toMatchObject({ to: 'change-me@example.com', subject: 'New xkcd: {{ title }}' });
    expect(agentReport(out, 'Mail me').status).toBe('needs_attention');
  });
});

describe('convertHuginnScenario edge cases', () => {
  const scenario = (agents: unknown[], links: Array<[number, number]> = [], extra: Record<string, unknown> = {}) => ({
    schema_version: 1,
    name: 'Edge cases',
    agents,
    links: links.map(([source, receiver]) => ({ source, receiver })),
    ...extra,
  });

  it('zips JSON extractions over different lists with JSONata, keeping repeat and dropping hidden', async () => {
    const out = convertHuginnScenario(
      scenario([
        {
          type: 'Agents::WebsiteAgent',
          name: 'Prices',
          schedule: 'every_1h',
          options: {
            url: 'https://api.example.com/prices.json',
            type: 'json',
            extract: { name: { path: 'products[*].name' }, price: { path: 'offers[*].price' }, store: { path: 'store.name', repeat: true }, secret: { path: 'products[*].sku', hidden: true } },
          },
        },
      ]),
    );
    expect(validateGraph(out.flow)).toEqual([]);
    const extract = out.flow.nodes.find((n) => n.type === 'jsonata')!;
    const ran = await runFrom(out.flow, extract.id, { status: 200, headers: {}, body: { store: { name: 'Shop' }, products: [{ name: 'A', sku: 1 }, { name: 'B', sku: 2 }], offers: [{ price: 1 }, { price: 2 }] } });
    expect(ran.get(extract.id)).toEqual([
      { name: 'A', price: 1, store: 'Shop' },
      { name: 'B', price: 2, store: 'Shop' },
    ]);
  });

  it('extracts from text with regular expressions', async () => {
    const out = convertHuginnScenario(
      scenario([{ type: 'Agents::WebsiteAgent', name: 'Words', schedule: 'every_1d', options: { url: 'https://example.com/words.txt', type: 'text', extract: { word: { regexp: '^(.+?): (.+)$', index: 1 }, definition: { regexp: '^(.+?): (.+)$', index: 2 } } } }]),
    );
    expect(validateGraph(out.flow)).toEqual([]);
    const extract = out.flow.nodes.find((n) => n.type === 'jsonata')!;
    const ran = await runFrom(out.flow, extract.id, { status: 200, headers: {}, body: 'raven: a large black bird\ncrow: a smaller one' });
    expect(ran.get(extract.id)).toEqual([
      { word: 'raven', definition: 'a large black bird' },
      { word: 'crow', definition: 'a smaller one' },
    ]);
  });

  it('keeps the trigger message without keep_event, and translates must_match 1', () => {
    const out = convertHuginnScenario(
      scenario([
        { type: 'Agents::ManualEventAgent', name: 'Start', options: {} },
        { type: 'Agents::TriggerAgent', name: 'T', options: { rules: [{ type: 'field<value', path: 'n', value: '5' }, { type: 'field!=value', path: 's', value: 'x' }], must_match: 1, message: 'n is {{ n }}' } },
      ], [[0, 1]]),
    );
    expect(validateGraph(out.flow)).toEqual([]);
    expect(out.flow.nodes.map((n) => n.type)).toEqual(['manual', 'filter', 'transform']);
    expect(out.flow.nodes[1]!.options).toEqual({ match: 'any', rules: [{ path: 'n', op: 'lt', value: 5 }, { path: 's', op: 'ne', value: 'x' }] });
    expect(out.flow.nodes[2]!.options).toEqual({ template: { message: 'n is {{ n }}' }, mode: 'replace' });
  });

  it('drops links into triggers and breaks loops, saying so', () => {
    const out = convertHuginnScenario(
      scenario(
        [
          { type: 'Agents::EventFormattingAgent', name: 'A', options: { instructions: { x: '{{ x }}' } } },
          { type: 'Agents::EventFormattingAgent', name: 'B', options: { instructions: { x: '{{ x }}' }, mode: 'merge' } },
          { type: 'Agents::WebhookAgent', name: 'Hook', options: { secret: 'x' } },
        ],
        [
          [0, 1],
          [1, 0],
          [1, 2],
        ],
      ),
    );
    expect(validateGraph(out.flow)).toEqual([]);
    expect(out.flow.edges).toEqual([{ source: 'a', target: 'b' }]);
    expect(out.report.warnings.join(' ')).toMatch(/loop/);
    expect(out.report.warnings.join(' ')).toMatch(/"Hook" is a trigger in Muninn/);
  });

  it('lays nodes out left to right', () => {
    const out = convertHuginnScenario(fixture('xkcd-to-email-digest.json'));
    const xs = out.flow.nodes.map((n) => n.position!.x);
    expect(out.flow.nodes.every((n) => n.position)).toBe(true);
    expect(xs[0]).toBeLessThan(xs[xs.length - 1]!);
  });

  it('refuses what is not a scenario, naming the problem', () => {
    const err = (() => {
      try {
        convertHuginnScenario({ name: 'x', agents: [] });
      } catch (e) {
        return e as AppError;
      }
      throw new Error('expected an error');
    })();
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('VALIDATION');
    expect(err.message).toMatch(/no agents/);
    expect(() => convertHuginnScenario({ agents: [{ type: 'Agents::ManualEventAgent' }], links: [{ source: 0, receiver: 3 }] })).toThrow(/agent number 3/);
  });
});
