import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentAgentError, type AgentCredentials, type JsonObject, type JsonValue } from './define-agent';
import { syncAgent } from './sync';
import { jiraAgent } from './jira';
import { mavenlinkAgent } from './mavenlink';
import { makeTestContext } from './test-context';
import { startJiraDouble, type JiraDouble } from '../testing/doubles/jira';
import { startMavenlinkDouble, type MavenlinkDouble } from '../testing/doubles/mavenlink';
import { fingerprint, LinkStore, stableJson } from '../integrations/sync/store';

const A_TO_B = {
  title: '{{ issue.key }}: {{ issue.fields.summary }}',
  state: "{% case issue.fields.status.statusCategory.key %}{% when 'done' %}completed{% when 'indeterminate' %}started{% else %}not started{% endcase %}",
};
const B_TO_A = { status: "{% case story.state %}{% when 'completed' %}Done{% when 'started' %}In Progress{% when 'not started' %}To Do{% endcase %}" };

let jira: JiraDouble;
let ml: MavenlinkDouble;
let workspaceId: string;
let clock: number;
/** Memories of the nodes of one "flow": two pollers and the sync. */
let mem: { jira?: JsonValue; ml?: JsonValue; sync?: JsonValue };

const tick = (ms = 1_000) => (clock += ms);

beforeEach(async () => {
  clock = Date.parse('2026-03-02T10:00:00Z');
  const now = () => clock;
  [jira, ml] = await Promise.all([startJiraDouble({ now, projects: [{ key: 'SYNC' }] }), startMavenlinkDouble({ now })]);
  workspaceId = String(ml.seedWorkspace({ title: 'Rollout' }).id);
  mem = {};
});
afterEach(async () => {
  await Promise.all([jira?.close(), ml?.close()]);
});

function credentials(): AgentCredentials {
  return {
    get: async (id): Promise<{ type: string; name: string; data: Record<string, string> }> =>
      id === 'jira-cred'
        ? { type: 'jira_cloud', name: 'Acme JIRA', data: { baseUrl: jira.url, email: jira.email, apiToken: jira.apiToken } }
        : { type: 'mavenlink', name: 'Acme Mavenlink', data: { baseUrl: ml.url, token: ml.token } },
  };
}

function syncOptions(over: Record<string, unknown> = {}) {
  return {
    direction: 'both',
    a: { system: 'jira', credential: 'jira-cred', project: 'SYNC', issue_type: 'Task' },
    b: { system: 'mavenlink', credential: 'ml-cred', workspace_id: workspaceId },
    fields: { a_to_b: A_TO_B, b_to_a: B_TO_A },
    create: 'a_to_b',
    conflict: 'last_writer_wins',
    ...over,
  };
}

async function pollJira(): Promise<JsonObject[]> {
  const { ctx, memory } = makeTestContext(jiraAgent, { action: 'poll', credential: 'jira-cred', jql: 'project = SYNC' }, {}, { memoryValue: mem.jira, credentials: credentials() });
  const events = await jiraAgent.run(ctx);
  mem.jira = memory.value;
  return events;
}

async function pollMavenlink(): Promise<JsonObject[]> {
  const { ctx, memory } = makeTestContext(mavenlinkAgent, { action: 'poll_stories', credential: 'ml-cred', workspace_id: workspaceId }, {}, { memoryValue: mem.ml, credentials: credentials() });
  const events = await mavenlinkAgent.run(ctx);
  mem.ml = memory.value;
  return events;
}

async function sync(event: JsonObject, over: Record<string, unknown> = {}, dryRun = false) {
  const { ctx, memory, logs } = makeTestContext(syncAgent, syncOptions(over), event, { memoryValue: mem.sync, credentials: credentials(), dryRun });
  const events = await syncAgent.run(ctx);
  mem.sync = memory.value;
  return { events, logs, outcome: (events[0]?.sync ?? null) as (JsonObject & { action: string }) | null, lastLog: logs.at(-1)?.message ?? '' };
}

async function syncAll(events: JsonObject[], over: Record<string, unknown> = {}) {
  const outcomes: string[] = [];
  for (const e of events) {
    const r = await sync(e, over);
    const fromLog = /both changed/.test(r.lastLog) ? 'conflict' : /no change/.test(r.lastLog) ? 'unchanged' : /already in sync/.test(r.lastLog) ? 'in_sync' : 'skipped';
    outcomes.push(r.outcome?.action ?? fromLog);
  }
  return outcomes;
}

const apiWrites = () => jira.writes().length + ml.writes().length;
const storyOf = (issueKey: string) => ml.stories(workspaceId).find((s) => String(s.title).startsWith(`${issueKey}:`));

/** Seeds issues and runs the first round: pollers → sync, until both sides are linked and quiet. */
async function linked(n: number) {
  const issues = Array.from({ length: n }, (_, i) => jira.seedIssue({ project: 'SYNC', summary: `Task ${i + 1}` }));
  tick();
  expect(await syncAll(await pollJira())).toEqual(issues.map(() => 'created'));
  tick();
  expect(await syncAll(await pollMavenlink())).toEqual(issues.map(() => 'unchanged')); // our creations, read back
  return issues;
}

describe('sync agent', () => {
  it('creates the missing stories once, and treats its own writes as echoes', async () => {
    const issues = await linked(3);
    expect(ml.stories(workspaceId).map((s) => [s.title, s.state])).toEqual(issues.map((i) => [`${i.key}: ${i.fields.summary}`, 'not started']));
    const writes = apiWrites();
    // Polling again changes nothing.
    tick();
    expect(await pollJira()).toEqual([]);
    expect(await pollMavenlink()).toEqual([]);
    expect(apiWrites()).toBe(writes);
    // Memory: one link per pair with both fingerprints.
    const store = new LinkStore(mem.sync);
    expect(store.size).toBe(3);
    expect(store.find('a', issues[0]!.id)).toMatchObject({ al: issues[0]!.key, b: String(storyOf(issues[0]!.key)!.id) });
  });

  it('syncs a status change each way exactly once, without echo updates', async () => {
    const issues = await linked(4);
    const before = { jira: jira.writes().length, ml: ml.writes().length };
    tick();
    jira.humanTransition(issues[0]!.key, 'Done');
    ml.humanUpdateStory(String(storyOf(issues[1]!.key)!.id), { state: 'started' });
    tick();
    expect(await syncAll(await pollJira())).toEqual(['updated']);
    expect(await syncAll(await pollMavenlink())).toEqual(['updated', 'unchanged']); // the human change; then our own write read back
    tick();
    expect(await syncAll(await pollJira())).toEqual(['unchanged']); // the transition Muninn made, read back
    expect(await syncAll(await pollMavenlink())).toEqual([]);
    expect(storyOf(issues[0]!.key)!.state).toBe('completed');
    expect(jira.issue(issues[1]!.key)!.fields.status).toMatchObject({ name: 'In Progress' });
    expect(ml.writes().length - before.ml).toBe(1);
    expect(jira.writes().length - before.jira).toBe(1);
    expect(jira.writes({ kind: 'transition', key: issues[1]!.key })).toHaveLength(1);
  });

  it('never lets an older version that arrives late overwrite a newer one', async () => {
    const [issue] = await linked(1);
    tick();
    jira.humanTransition(issue!.key, 'In Progress');
    tick();
    const [v1] = await pollJira();
    tick();
    jira.humanTransition(issue!.key, 'Done');
    tick();
    const [v2] = await pollJira();
    expect((await sync(v2!)).outcome).toMatchObject({ action: 'updated', changed: ['state'] });
    const late = await sync(v1!);
    expect(late.outcome).toBeNull();
    expect(late.lastLog).toMatch(/older version than the one already synced/);
    expect(storyOf(issue!.key)!.state).toBe('completed');
  });

  it('does not ping-pong through a lossy mapping (In Review → started → In Progress)', async () => {
    const [issue] = await linked(1);
    tick();
    jira.humanTransition(issue!.key, 'In Review');
    tick();
    expect(await syncAll(await pollJira())).toEqual(['updated']);
    expect(await syncAll(await pollMavenlink())).toEqual(['unchanged']);
    expect(jira.issue(issue!.key)!.fields.status).toMatchObject({ name: 'In Review' });
    expect(jira.writes({ key: issue!.key })).toHaveLength(0);
  });

  it('resolves conflicts: last writer wins, or the side that always wins', async () => {
    const issues = await linked(2);
    // Issue 0: JIRA changes first, Mavenlink later → Mavenlink's value wins, whatever order the events come in.
    tick();
    jira.humanTransition(issues[0]!.key, 'In Progress');
    tick(5_000);
    ml.humanUpdateStory(String(storyOf(issues[0]!.key)!.id), { state: 'completed' });
    tick();
    const fromJira = await pollJira();
    const fromMl = await pollMavenlink();
    expect(await syncAll(fromJira)).toEqual(['conflict']);
    expect(await syncAll(fromMl)).toEqual(['updated']);
    expect(jira.issue(issues[0]!.key)!.fields.status).toMatchObject({ name: 'Done' });
    expect(storyOf(issues[0]!.key)!.state).toBe('completed');
    tick();
    // JIRA's own pending change was overruled; its next event finds the pair already in sync.
    expect(await syncAll(await pollJira())).toEqual(['in_sync']);
    expect(await syncAll(await pollMavenlink())).toEqual([]);
    expect(await syncAll(await pollJira())).toEqual([]);

    // Issue 1 with a_wins: JIRA's older change still wins.
    tick();
    jira.humanTransition(issues[1]!.key, 'In Progress');
    tick(5_000);
    ml.humanUpdateStory(String(storyOf(issues[1]!.key)!.id), { state: 'completed' });
    tick();
    const j = await pollJira();
    const m = await pollMavenlink();
    expect(await syncAll(m, { conflict: 'a_wins' })).toEqual(['conflict']);
    expect(await syncAll(j, { conflict: 'a_wins' })).toEqual(['updated']);
    expect(storyOf(issues[1]!.key)!.state).toBe('started');
    expect(jira.issue(issues[1]!.key)!.fields.status).toMatchObject({ name: 'In Progress' });
  });

  it('keeps the loser\'s other changes: they flow over on its next event', async () => {
    const [issue] = await linked(1);
    tick();
    jira.humanEdit(issue!.key, { summary: 'Renamed in JIRA' });
    tick(5_000);
    ml.humanUpdateStory(String(storyOf(issue!.key)!.id), { state: 'started' });
    tick();
    const j = await pollJira();
    const m = await pollMavenlink();
    expect(await syncAll(j)).toEqual(['conflict']); // Mavenlink changed later
    expect(await syncAll(m)).toEqual(['updated']); // JIRA → In Progress
    tick();
    expect(await syncAll(await pollJira())).toEqual(['updated']); // the rename, still pending, now goes over
    const story = storyOf(issue!.key)!;
    expect(story).toMatchObject({ title: `${issue!.key}: Renamed in JIRA`, state: 'started' });
    tick();
    expect(await syncAll(await pollMavenlink())).toEqual(['unchanged']);
    expect(await syncAll(await pollJira())).toEqual([]);
  });

  it('creates only in the allowed directions', async () => {
    await linked(1);
    const stray = ml.seedStory({ workspace_id: workspaceId, title: 'Made in Mavenlink', state: 'started' });
    tick();
    const events = await pollMavenlink();
    expect(events).toHaveLength(1);
    const skipped = await sync(events[0]!);
    expect(skipped.outcome).toBeNull();
    expect(skipped.lastLog).toMatch(/not linked to a JIRA issue.*only in the direction a_to_b/);
    const created = await sync(events[0]!, { create: 'both', fields: { a_to_b: A_TO_B, b_to_a: { ...B_TO_A, summary: '{{ story.title }}' } } });
    expect(created.outcome).toMatchObject({ action: 'created', direction: 'b_to_a', target: { system: 'jira' } });
    const made = jira.issues().find((i) => i.fields.summary === 'Made in Mavenlink')!;
    expect(made.fields.status).toMatchObject({ name: 'In Progress' });
    expect(new LinkStore(mem.sync).find('b', String(stray.id))?.a).toBe(made.id);
  });

  it('shows what it would do in a test run, without writing or remembering', async () => {
    jira.seedIssue({ project: 'SYNC', summary: 'Dry' });
    const [event] = await pollJira();
    const res = await sync(event!, {}, true);
    expect(res.outcome).toMatchObject({ action: 'would_create', direction: 'a_to_b', changed: ['title', 'state'] });
    expect(ml.writes()).toHaveLength(0);
    expect(mem.sync).toBeUndefined();
  });

  it('refuses events and settings it cannot work with, in words', async () => {
    const err = await sync({ body: { something: 1 } }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(PermanentAgentError);
    expect((err as Error).message).toMatch(/holds neither a JIRA issue nor a Mavenlink story/);
    const sameApp = syncAgent.options.safeParse(syncOptions({ b: { system: 'jira', credential: 'x' } }));
    expect(sameApp.success).toBe(false);
    expect(sameApp.error!.issues[0]!.message).toMatch(/same app on both sides/);
    const noFields = syncAgent.options.safeParse(syncOptions({ fields: { a_to_b: A_TO_B } }));
    expect(noFields.error!.issues[0]!.path).toEqual(['fields', 'b_to_a']);
    expect(syncAgent.options.safeParse({ ...syncAgent.defaultOptions, a: { system: 'jira', credential: 'c' }, b: { system: 'mavenlink', credential: 'd' } }).success).toBe(true);
  });

  it('names a credential of the wrong kind for a side', async () => {
    jira.seedIssue({ project: 'SYNC', summary: 'Kinds' });
    const [event] = await pollJira();
    const err = await sync(event!, { a: { system: 'jira', credential: 'ml-cred' } }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(PermanentAgentError);
    expect((err as Error).message).toBe("This node needs a credential of kind Jira Cloud, but 'Acme Mavenlink' is of kind Mavenlink (Kantata).");
  });

  it('fingerprints ignore key order', () => {
    expect(stableJson({ b: 1, a: [{ d: 2, c: 1 }] })).toBe('{"a":[{"c":1,"d":2}],"b":1}');
    expect(fingerprint({ x: 1, y: 'z' })).toBe(fingerprint({ y: 'z', x: 1 }));
  });
});
