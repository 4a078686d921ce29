import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentAgentError, RetryAfterError, type JsonObject, type JsonValue } from './define-agent';
import { mavenlinkAgent } from './mavenlink';
import { makeTestContext } from './test-context';
import { startMavenlinkDouble, type MavenlinkDouble } from '../testing/doubles/mavenlink';
import { flattenResults } from '../integrations/mavenlink/client';

let ml: MavenlinkDouble;

beforeAll(async () => {
  ml = await startMavenlinkDouble();
});
afterAll(async () => {
  await ml?.close();
});

async function run(options: Record<string, unknown>, opts: { memory?: JsonValue; token?: string } = {}) {
  const { ctx, memory, logs } = makeTestContext(mavenlinkAgent, { credential: 'cred-1', ...options }, {}, {
    memoryValue: opts.memory,
    credentials: { get: async () => ({ type: 'mavenlink', name: 'Acme Mavenlink', data: { baseUrl: ml.url, token: opts.token ?? ml.token } }) },
  });
  const events = await mavenlinkAgent.run(ctx);
  return { events, memory: memory.value, logs };
}

const idsOf = (events: JsonObject[]) => events.map((e) => String((e.story as JsonObject).id));

describe('mavenlink agent: poll_stories', () => {
  it('emits every story once across pages, then only changed ones, even two changes in one second', async () => {
    const ws = ml.seedWorkspace({ title: 'Polled' });
    const wsId = String(ws.id);
    const stories = Array.from({ length: 250 }, (_, i) => ml.seedStory({ workspace_id: wsId, title: `Task ${i}` }));
    const first = await run({ action: 'poll_stories', workspace_id: wsId, max_items: 1000 });
    expect(first.events).toHaveLength(250);
    expect(new Set(idsOf(first.events)).size).toBe(250);
    expect(first.events[0]).toEqual({ story: expect.objectContaining({ id: stories[0]!.id, title: 'Task 0', state: 'not started', workspace_id: wsId }) });
    const pages = ml.requests.filter((r) => r.url.startsWith('/api/v1/stories.json')).map((r) => new URL(r.url, 'http://x').searchParams);
    expect(pages.map((p) => p.get('page'))).toEqual(['1', '2']);
    expect(pages[0]!.get('per_page')).toBe('200');

    const second = await run({ action: 'poll_stories', workspace_id: wsId, max_items: 1000 }, { memory: first.memory });
    expect(second.events).toEqual([]);
    const q = new URL(ml.requests.at(-1)!.url, 'http://x').searchParams;
    expect(q.get('updated_after')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(q.get('order')).toBe('updated_at:asc');

    ml.humanUpdateStory(String(stories[7]!.id), { state: 'started' });
    const third = await run({ action: 'poll_stories', workspace_id: wsId, max_items: 1000 }, { memory: second.memory });
    expect(idsOf(third.events)).toEqual([String(stories[7]!.id)]);
    // A second change within the same second has the same updated_at; it is still seen.
    ml.humanUpdateStory(String(stories[7]!.id), { title: 'Task 7, renamed' });
    const fourth = await run({ action: 'poll_stories', workspace_id: wsId, max_items: 1000 }, { memory: third.memory });
    expect(fourth.events).toEqual([{ story: expect.objectContaining({ title: 'Task 7, renamed', state: 'started' }) }]);
    const fifth = await run({ action: 'poll_stories', workspace_id: wsId, max_items: 1000 }, { memory: fourth.memory });
    expect(fifth.events).toEqual([]);
  });

  it('stops at max_items and continues; first_poll "new" skips what exists', async () => {
    const wsId = String(ml.seedWorkspace({ title: 'Capped' }).id);
    Array.from({ length: 12 }, (_, i) => ml.seedStory({ workspace_id: wsId, title: `C${i}` }));
    let memory: JsonValue | undefined;
    const seen: string[] = [];
    for (const expected of [5, 5, 2, 0]) {
      const res = await run({ action: 'poll_stories', workspace_id: wsId, max_items: 5 }, { memory });
      expect(res.events).toHaveLength(expected);
      seen.push(...idsOf(res.events));
      memory = res.memory;
    }
    expect(new Set(seen).size).toBe(12);

    const fresh = await run({ action: 'poll_stories', workspace_id: wsId, first_poll: 'new' });
    expect(fresh.events).toEqual([]);
    const added = ml.seedStory({ workspace_id: wsId, title: 'Later' });
    const next = await run({ action: 'poll_stories', workspace_id: wsId, first_poll: 'new' }, { memory: fresh.memory });
    expect(idsOf(next.events)).toEqual([String(added.id)]);
  });
});

describe('mavenlink agent: objects', () => {
  it('creates, reads, updates and lists workspaces, stories and time entries', async () => {
    const [ws] = (await run({ action: 'create_workspace', attributes: { title: 'Acme rollout' } })).events;
    const wsId = String((ws!.workspace as JsonObject).id);
    expect((await run({ action: 'list_workspaces' })).events.some((e) => (e.workspace as JsonObject).id === wsId)).toBe(true);

    const [created] = (await run({ action: 'create_story', workspace_id: wsId, attributes: { title: 'Install', state: 'started' } })).events;
    const story = created!.story as JsonObject;
    expect(story).toMatchObject({ title: 'Install', state: 'started', story_type: 'task', workspace_id: wsId });
    const [updated] = (await run({ action: 'update_story', id: story.id, attributes: { state: 'completed' } })).events;
    expect(updated!.story).toMatchObject({ id: story.id, state: 'completed' });
    const [read] = (await run({ action: 'get_story', id: story.id })).events;
    expect(read!.story).toMatchObject({ state: 'completed' });
    expect((await run({ action: 'list_stories', workspace_id: wsId })).events).toHaveLength(1);

    const [entry] = (await run({ action: 'create_time_entry', workspace_id: wsId, attributes: { story_id: story.id, date_performed: '2026-01-05', time_in_minutes: 90, notes: 'Setup' } })).events;
    const te = entry!.time_entry as JsonObject;
    expect(te).toMatchObject({ story_id: story.id, time_in_minutes: 90, workspace_id: wsId });
    await run({ action: 'update_time_entry', id: te.id, attributes: { time_in_minutes: 120 } });
    const listed = await run({ action: 'list_time_entries', workspace_id: wsId, filters: { story_id: String(story.id) } });
    expect(listed.events).toEqual([{ time_entry: expect.objectContaining({ id: te.id, time_in_minutes: 120 }) }]);
    expect(ml.writes({ resource: 'stories' }).filter((w) => w.id === story.id).map((w) => w.kind)).toEqual(['create', 'update']);
  });

  it('explains refusals: token (401), validation (422), missing (404), rate limit (429)', async () => {
    const secret = 'ml-wrong-secret-token';
    const denied = await run({ action: 'list_workspaces' }, { token: secret }).catch((e: Error) => e);
    expect(denied).toBeInstanceOf(PermanentAgentError);
    expect((denied as Error).message).toBe("Mavenlink refused the token (401). Check the credential 'Acme Mavenlink'.");

    const wsId = String(ml.seedWorkspace({ title: 'Errors' }).id);
    const invalid = await run({ action: 'create_story', workspace_id: wsId, attributes: { title: '', state: 'finished' } }).catch((e: Error) => e);
    expect(invalid).toBeInstanceOf(PermanentAgentError);
    expect((invalid as Error).message).toMatch(/Mavenlink refused to create the story \(HTTP 422\): title: Title can't be blank; state: State must be one of/);

    const missing = await run({ action: 'get_story', id: '999999' }).catch((e: Error) => e);
    expect((missing as Error).message).toBe("Mavenlink has no story 999999, or the user of credential 'Acme Mavenlink' may not see it.");

    ml.rateLimit(1, 3);
    const limited = await run({ action: 'list_workspaces' }).catch((e: Error) => e);
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfterMs).toBe(3000);
  });

  it('flattens results and keyed objects in results order, leaving out included objects', () => {
    const body = {
      count: 2,
      results: [{ key: 'stories', id: '2' }, { key: 'stories', id: '1' }],
      stories: { '1': { id: '1', title: 'one' }, '2': { id: '2', title: 'two', workspace_id: '9' } },
      workspaces: { '9': { id: '9', title: 'ws' } },
      meta: { count: 2, page_count: 1, page_number: 1 },
    };
    expect(flattenResults(body, 'stories')).toEqual([{ id: '2', title: 'two', workspace_id: '9' }, { id: '1', title: 'one' }]);
  });
});
