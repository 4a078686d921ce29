import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentAgentError, RetryAfterError, type JsonObject, type JsonValue } from './define-agent';
import { jiraAgent } from './jira';
import { makeTestContext } from './test-context';
import { startJiraDouble, type JiraDouble } from '../testing/doubles/jira';
import { startTestServer, type TestServer } from '../testing/http-server';
import { dedupeJiraWebhook, jiraWebhookDeliveryId } from '../integrations/jira/webhook';
import { jqlLowerBound, parseJiraTime } from '../integrations/jira/time';
import { adfToText, toAdf } from '../integrations/jira/adf';

let jira: JiraDouble;
let la: JiraDouble;

beforeAll(async () => {
  [jira, la] = await Promise.all([startJiraDouble(), startJiraDouble({ timeZone: 'America/Los_Angeles', projects: [{ key: 'WEST' }] })]);
});
afterAll(async () => {
  await Promise.all([jira?.close(), la?.close()]);
});

function credentialsOf(d: JiraDouble, apiToken = d.apiToken) {
  return {
    get: async () => ({ type: 'jira_cloud', name: 'Acme JIRA', data: { baseUrl: d.url, email: d.email, apiToken } }),
  };
}

async function run(options: Record<string, unknown>, opts: { double?: JiraDouble; memory?: JsonValue; event?: JsonObject; apiToken?: string } = {}) {
  const d = opts.double ?? jira;
  const { ctx, memory, logs } = makeTestContext(jiraAgent, { credential: 'cred-1', ...options }, opts.event ?? {}, {
    memoryValue: opts.memory,
    credentials: credentialsOf(d, opts.apiToken),
  });
  const events = await jiraAgent.run(ctx);
  return { events, memory: memory.value, logs };
}

const keysOf = (events: JsonObject[]) => events.map((e) => (e.issue as { key: string }).key);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('jira agent: poll', () => {
  it('emits every matching issue once, across pages, oldest change first', async () => {
    const seeded = Array.from({ length: 120 }, (_, i) => jira.seedIssue({ summary: `Issue ${i + 1}`, description: `Details ${i + 1}` }));
    const first = await run({ action: 'poll', jql: 'project = OPS ORDER BY created DESC' });
    expect(first.events).toHaveLength(120);
    expect(keysOf(first.events)).toEqual(seeded.map((s) => s.key));
    const e = first.events[0]!.issue as JsonObject;
    expect(e).toMatchObject({ key: seeded[0]!.key, id: seeded[0]!.id, description_text: 'Details 1' });
    expect(e.updated).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect((e.fields as JsonObject).status).toMatchObject({ name: 'To Do' });
    // Two pages were read with nextPageToken, with an ORDER BY of the poller's own.
    const searches = jira.requests.filter((r) => r.url.startsWith('/rest/api/3/search/jql'));
    expect(searches.length).toBeGreaterThanOrEqual(2);
    expect(new URL(searches.at(-1)!.url, 'http://x').searchParams.get('nextPageToken')).toBeTruthy();
    expect(new URL(searches.at(-1)!.url, 'http://x').searchParams.get('jql')).toBe('(project = OPS) ORDER BY updated ASC');

    const second = await run({ action: 'poll', jql: 'project = OPS' }, { memory: first.memory });
    expect(second.events).toEqual([]);
    expect(new URL(jira.requests.at(-1)!.url, 'http://x').searchParams.get('jql')).toMatch(/^\(project = OPS\) AND updated >= "\d{4}-\d{2}-\d{2} \d{2}:\d{2}" ORDER BY updated ASC$/);

    jira.humanTransition(seeded[5]!.key, 'In Progress');
    jira.humanEdit(seeded[2]!.key, { summary: 'Renamed' });
    const third = await run({ action: 'poll', jql: 'project = OPS' }, { memory: second.memory });
    expect(keysOf(third.events)).toEqual([seeded[5]!.key, seeded[2]!.key]);
    const fourth = await run({ action: 'poll', jql: 'project = OPS' }, { memory: third.memory });
    expect(fourth.events).toEqual([]);
  });

  it('reads JQL dates in the JIRA user\'s time zone, so recent changes are not missed', async () => {
    const issues = Array.from({ length: 3 }, (_, i) => la.seedIssue({ summary: `West ${i}` }));
    const first = await run({ action: 'poll', jql: 'project = WEST' }, { double: la });
    expect(first.events).toHaveLength(3);
    expect((first.memory as { timeZone: string }).timeZone).toBe('America/Los_Angeles');
    la.humanTransition(issues[1]!.key, 'Done');
    const second = await run({ action: 'poll', jql: 'project = WEST' }, { double: la, memory: first.memory });
    expect(keysOf(second.events)).toEqual([issues[1]!.key]);
  });

  it('catches issues that JIRA search shows late (eventual consistency), once', async () => {
    const d = await startJiraDouble({ projects: [{ key: 'LAG' }] });
    try {
      const a = d.seedIssue({ project: 'LAG', summary: 'A' });
      const first = await run({ action: 'poll', jql: 'project = LAG' }, { double: d });
      expect(keysOf(first.events)).toEqual([a.key]);
      d.searchLag(400);
      const b = d.seedIssue({ project: 'LAG', summary: 'B' });
      d.humanTransition(a.key, 'Done');
      const early = await run({ action: 'poll', jql: 'project = LAG' }, { double: d, memory: first.memory });
      expect(early.events).toEqual([]); // the index has not caught up
      await sleep(450);
      const later = await run({ action: 'poll', jql: 'project = LAG' }, { double: d, memory: early.memory });
      expect(keysOf(later.events).sort()).toEqual([a.key, b.key].sort());
      const again = await run({ action: 'poll', jql: 'project = LAG' }, { double: d, memory: later.memory });
      expect(again.events).toEqual([]);
      // reconcileIssues makes a just-changed issue visible at once.
      d.humanTransition(b.key, 'In Review');
      const reconciled = await run({ action: 'poll', jql: 'project = LAG', reconcile_issues: [Number(b.id)] }, { double: d, memory: again.memory });
      expect(keysOf(reconciled.events)).toEqual([b.key]);
    } finally {
      await d.close();
    }
  });

  it('stops at max_issues and continues where it stopped', async () => {
    const d = await startJiraDouble({ projects: [{ key: 'CAP' }] });
    try {
      Array.from({ length: 25 }, (_, i) => d.seedIssue({ project: 'CAP', summary: `C${i}` }));
      let memory: JsonValue | undefined;
      const seen: string[] = [];
      for (const expected of [10, 10, 5, 0]) {
        const res = await run({ action: 'poll', jql: 'project = CAP', max_issues: 10 }, { double: d, memory });
        expect(res.events).toHaveLength(expected);
        seen.push(...keysOf(res.events));
        memory = res.memory;
      }
      expect(new Set(seen).size).toBe(25);
    } finally {
      await d.close();
    }
  });

  it('with first_poll "new" emits only later changes, and starts over when the JQL changes', async () => {
    const d = await startJiraDouble({ projects: [{ key: 'NEW' }, { key: 'OLD' }] });
    try {
      d.seedIssue({ project: 'NEW', summary: 'before' });
      d.seedIssue({ project: 'NEW', summary: 'also before' });
      d.seedIssue({ project: 'OLD', summary: 'old one' });
      const first = await run({ action: 'poll', jql: 'project = NEW', first_poll: 'new' }, { double: d });
      expect(first.events).toEqual([]);
      const after = d.seedIssue({ project: 'NEW', summary: 'after' });
      const second = await run({ action: 'poll', jql: 'project = NEW', first_poll: 'new' }, { double: d, memory: first.memory });
      expect(keysOf(second.events)).toEqual([after.key]);
      const switched = await run({ action: 'poll', jql: 'project = OLD' }, { double: d, memory: second.memory });
      expect(keysOf(switched.events)).toEqual(['OLD-1']);
      expect(switched.logs.some((l) => /JQL changed/.test(l.message))).toBe(true);
    } finally {
      await d.close();
    }
  });
});

describe('jira agent: errors', () => {
  it('says in plain words that the token was refused, without the token', async () => {
    const wrong = 'ATATT-wrong-secret-value';
    const err = await run({ action: 'poll', jql: 'project = OPS' }, { apiToken: wrong }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(PermanentAgentError);
    expect((err as Error).message).toBe("JIRA refused the token (401). Check the credential 'Acme JIRA'.");
    expect((err as Error).message).not.toContain(wrong);
  });

  it('waits as long as JIRA asks when rate-limited (429)', async () => {
    jira.rateLimit(1, 2);
    const err = await run({ action: 'get_issue', issue: 'OPS-1' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(RetryAfterError);
    expect((err as RetryAfterError).retryAfterMs).toBe(2000);
    expect((await run({ action: 'get_issue', issue: 'OPS-1' })).events).toHaveLength(1);
  });

  it('passes on JIRA\'s explanation for bad JQL and unknown issues, and retries 5xx', async () => {
    const bad = await run({ action: 'poll', jql: 'project = NOPE' }).catch((e: Error) => e);
    expect(bad).toBeInstanceOf(PermanentAgentError);
    expect((bad as Error).message).toMatch(/JIRA refused to search issues \(HTTP 400\): The value 'NOPE' does not exist for the field 'project'/);
    const missing = await run({ action: 'get_issue', issue: 'OPS-9999' }).catch((e: Error) => e);
    expect((missing as Error).message).toBe("JIRA has no issue OPS-9999, or the account of credential 'Acme JIRA' may not see it.");

    const down: TestServer = await startTestServer((_req, res) => void res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>'));
    try {
      const { ctx } = makeTestContext(jiraAgent, { action: 'get_issue', credential: 'c', issue: 'OPS-1' }, {}, {
        credentials: { get: async () => ({ type: 'jira_cloud', name: 'Acme JIRA', data: { baseUrl: down.url, email: 'a@b.co', apiToken: 'tok-123456' } }) },
      });
      const err = await jiraAgent.run(ctx).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(PermanentAgentError);
      expect((err as Error).message).toMatch(/JIRA had a temporary problem \(HTTP 502\)/);
    } finally {
      await down.close();
    }
  });

  it('the double answers the removed search API with 410 Gone', async () => {
    const res = await fetch(`${jira.url}/rest/api/3/search?jql=project%3DOPS`, {
      headers: { authorization: `Basic ${Buffer.from(`${jira.email}:${jira.apiToken}`).toString('base64')}` },
    });
    expect(res.status).toBe(410);
    expect(((await res.json()) as { errorMessages: string[] }).errorMessages[0]).toMatch(/search\/jql/);
  });
});

describe('jira agent: issue actions', () => {
  it('creates an issue with a text description and moves it to a status', async () => {
    const before = jira.writes().length;
    const { events } = await run({ action: 'create_issue', project: 'OPS', summary: 'From Muninn', description: 'Line one\n\nLine two', status: 'In Progress' });
    const issue = events[0]!.issue as JsonObject & { fields: JsonObject };
    expect(issue.key).toMatch(/^OPS-\d+$/);
    expect((issue.fields.status as JsonObject).name).toBe('In Progress');
    expect(issue.description_text).toBe('Line one\n\nLine two');
    expect(jira.writes().slice(before).map((w) => w.kind)).toEqual(['create', 'transition']);
  });

  it('updates fields, transitions by status name, and refuses statuses the workflow cannot reach', async () => {
    const seeded = jira.seedIssue({ summary: 'To change' });
    const updated = await run({ action: 'update_issue', issue: seeded.key, summary: 'Changed', issue_fields: { labels: ['ops'] } });
    expect(((updated.events[0]!.issue as JsonObject).fields as JsonObject).summary).toBe('Changed');
    expect(((updated.events[0]!.issue as JsonObject).fields as JsonObject).labels).toEqual(['ops']);

    const moved = await run({ action: 'transition', issue: seeded.key, status: 'done' });
    expect(moved.events[0]!.transitioned).toBe(true);
    expect(jira.issue(seeded.key)!.fields.status).toMatchObject({ name: 'Done' });
    const writes = jira.writes({ key: seeded.key }).length;
    const again = await run({ action: 'transition', issue: seeded.key, status: 'Done' });
    expect(again.events[0]!.transitioned).toBe(false);
    expect(jira.writes({ key: seeded.key })).toHaveLength(writes);

    const err = await run({ action: 'transition', issue: seeded.key, status: 'Closed' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(PermanentAgentError);
    expect((err as Error).message).toMatch(/cannot be moved to status "Closed" from its current status "Done".*To Do, In Progress, In Review/);
  });

  it('adds a comment', async () => {
    const seeded = jira.seedIssue({ summary: 'Comment me' });
    const { events } = await run({ action: 'add_comment', issue: seeded.key, comment: 'Synced by Muninn' });
    expect(events[0]).toMatchObject({ issue: { key: seeded.key }, comment: { id: expect.any(String) } });
    expect(jira.writes({ kind: 'comment', key: seeded.key })).toHaveLength(1);
  });

  it('validates options per action', () => {
    expect(jiraAgent.options.safeParse({ action: 'poll', credential: 'c' }).success).toBe(false);
    expect(jiraAgent.options.safeParse({ action: 'transition', credential: 'c', issue: 'OPS-1' }).success).toBe(false);
    expect(jiraAgent.options.safeParse({ action: 'create_issue', credential: 'c', project: 'OPS', summary: 'x' }).success).toBe(true);
    expect(jiraAgent.options.safeParse(jiraAgent.defaultOptions).success).toBe(false); // no credential chosen yet
    expect(jiraAgent.options.safeParse({ ...jiraAgent.defaultOptions, credential: 'c' }).success).toBe(true);
  });
});

describe('jira webhooks', () => {
  const delivery = (id: string | undefined, headerName = 'X-Atlassian-Webhook-Identifier'): JsonObject => ({
    headers: id ? { [headerName]: id, 'X-Atlassian-Webhook-Retry': '1' } : {},
    webhookEvent: 'jira:issue_updated',
    timestamp: 1767600000000,
    issue: { id: '10001', key: 'OPS-1', self: 'https://x/rest/api/3/issue/10001', fields: { summary: 'S', updated: '2026-01-05T09:00:00.000+0100' } },
  });

  it('reads the delivery id whatever the header case, and finds repeats', () => {
    expect(jiraWebhookDeliveryId(delivery('abc', 'x-atlassian-webhook-identifier'))).toBe('abc');
    const first = dedupeJiraWebhook(undefined, delivery('abc'), {}, 1_000);
    expect(first).toMatchObject({ duplicate: false, deliveryId: 'abc' });
    const repeat = dedupeJiraWebhook(first.seen, delivery('abc'), {}, 2_000);
    expect(repeat.duplicate).toBe(true);
    expect(dedupeJiraWebhook(first.seen, delivery('def'), {}, 2_000).duplicate).toBe(false);
    // Forgotten after the window; events without the header always pass.
    expect(dedupeJiraWebhook(first.seen, delivery('abc'), { windowMs: 500 }, 2_000).duplicate).toBe(false);
    const anonymous = dedupeJiraWebhook(first.seen, delivery(undefined), {}, 2_000);
    expect(anonymous).toEqual({ duplicate: false, seen: first.seen });
  });

  it('the webhook action passes each delivery on once, as an issue event', async () => {
    const first = await run({ action: 'webhook' }, { event: delivery('d-1') });
    expect(first.events).toEqual([
      expect.objectContaining({ webhookEvent: 'jira:issue_updated', deliveryId: 'd-1', issue: expect.objectContaining({ key: 'OPS-1', updated: '2026-01-05T08:00:00.000Z' }) }),
    ]);
    const retry = await run({ action: 'webhook' }, { event: delivery('d-1'), memory: first.memory });
    expect(retry.events).toEqual([]);
  });
});

describe('jira helpers', () => {
  it('formats JQL lower bounds in the user zone, never later than the instant', () => {
    const at = Date.parse('2026-01-15T17:42:30Z');
    expect(jqlLowerBound(at, 'UTC')).toBe('2026-01-15 17:42');
    expect(jqlLowerBound(at, 'America/Los_Angeles')).toBe('2026-01-15 09:42');
    expect(jqlLowerBound(at, 'Asia/Kolkata')).toBe('2026-01-15 23:12');
    // Around the autumn change in Berlin (02:00–03:00 happens twice) the bound steps back.
    const ambiguous = Date.parse('2026-10-25T01:30:00Z');
    expect(jqlLowerBound(ambiguous, 'Europe/Berlin')).toBe('2026-10-25 01:30');
    expect(parseJiraTime('2026-01-15T18:42:30.120+0100')).toBe(Date.parse('2026-01-15T17:42:30.120Z'));
  });

  it('turns text into Atlassian Document Format and back', () => {
    const doc = toAdf('First\nline\n\nSecond');
    expect(doc).toMatchObject({ type: 'doc', version: 1 });
    expect(adfToText(doc)).toBe('First\nline\n\nSecond');
    expect(toAdf(doc)).toBe(doc);
  });
});
