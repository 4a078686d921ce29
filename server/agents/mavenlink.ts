import { z } from 'zod';
import { credentialOption, loadCredential } from './credential-types';
import { defineAgent, PermanentAgentError, type JsonObject, type JsonValue } from './define-agent';
import { requireOptions } from './required-options';
import { MavenlinkClient, RESOURCES, type QueryParams, type Resource } from '../integrations/mavenlink/client';
import { pollStories } from '../integrations/mavenlink/poll';

const actions = [
  'poll_stories',
  'list_workspaces',
  'create_workspace',
  'update_workspace',
  'list_stories',
  'get_story',
  'create_story',
  'update_story',
  'list_time_entries',
  'create_time_entry',
  'update_time_entry',
] as const;
type Action = (typeof actions)[number];

const creates = actions.filter((a) => a.startsWith('create_'));
const updates = actions.filter((a) => a.startsWith('update_'));

const RESOURCE_OF: Record<Exclude<Action, 'poll_stories'>, Resource> = {
  list_workspaces: 'workspaces',
  create_workspace: 'workspaces',
  update_workspace: 'workspaces',
  list_stories: 'stories',
  get_story: 'stories',
  create_story: 'stories',
  update_story: 'stories',
  list_time_entries: 'time_entries',
  create_time_entry: 'time_entries',
  update_time_entry: 'time_entries',
};

/** Ids arrive as text ("123") or, from `{{ story.id }}`, as whatever the event held. */
const idSchema = z.union([z.string().trim(), z.number().int()]).transform(String);

const options = z
  .object({
    action: z
      .enum(actions, { error: `Choose one of: ${actions.join(', ')}` })
      .default('poll_stories')
      .describe('poll_stories: emit new and changed tasks. list_/create_/update_ workspaces (projects), stories (tasks) and time entries; get_story.'),
    credential: credentialOption('mavenlink'),
    workspace_id: idSchema.optional().describe('The project (workspace) id: filters lists and polls, and is where new stories and time entries go'),
    id: idSchema.optional().describe('get_story, update_*: the id of the object, e.g. {{ story.id }}'),
    attributes: z
      .record(z.string(), z.json())
      .optional()
      .describe('create_*, update_*: the fields to set, e.g. {"title": "{{ issue.fields.summary }}", "state": "started"}'),
    filters: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe('list_*, poll_stories: more query parameters as Mavenlink documents them, e.g. {"story_type": "task"}'),
    max_items: z.number().int().min(1).max(1000, 'At most 1000 per run').default(200).describe('list_*, poll_stories: at most this many objects per run'),
    lookback_minutes: z.number().int().min(0).max(1440).default(2).describe('poll_stories: how many recent minutes every poll re-reads'),
    first_poll: z.enum(['all', 'new']).default('all').describe('poll_stories: on the first poll emit all stories, or only those changed from then on'),
  })
  .strict()
  .superRefine((o, ctx) =>
    requireOptions(o, ctx, [
      { actions: [...updates, 'get_story'], field: 'id', message: 'Enter the id of the object, e.g. {{ story.id }}. If you did, the field it uses is missing from this event' },
      { actions: [...creates, ...updates], field: 'attributes', message: 'Enter the fields to set, e.g. {"title": "…"}' },
    ]),
  );

type Options = z.output<typeof options>;

function createAttributes(o: Options, resource: Resource): JsonObject {
  const attrs: JsonObject = { ...(o.attributes ?? {}) };
  if (resource !== 'workspaces' && attrs.workspace_id === undefined) {
    if (!o.workspace_id) throw new PermanentAgentError('Enter the workspace (project) id the new object belongs to.');
    attrs.workspace_id = o.workspace_id;
  }
  if (resource === 'stories') attrs.story_type ??= 'task';
  if (resource === 'workspaces') attrs.creator_role ??= 'maven';
  return attrs;
}

export const mavenlinkAgent = defineAgent({
  type: 'mavenlink',
  name: 'Mavenlink (Kantata)',
  category: 'Apps',
  icon: 'BriefcaseBusiness',
  summary: 'Watch Mavenlink / Kantata OX tasks for changes, or list, create and update projects, tasks and time entries.',
  description: `Works with the Mavenlink (Kantata OX) API v1 as the user of a **Mavenlink** credential.
In the API, projects are *workspaces* and tasks are *stories*.

**Actions**
- **poll_stories** — emits every story (task) that is new or changed since the last poll, oldest
  change first, optionally only of one **workspace_id** and matching **filters**. Put a Schedule
  (and a Manual trigger) in front of it: each run is one poll. The first poll emits all stories
  (**first_poll** \`all\`), or none and only later changes (\`new\`). Each version of a story is
  emitted once; a short window (**lookback_minutes**) is re-read each time because Mavenlink's
  timestamps have one-second precision.
- **list_workspaces**, **list_stories**, **list_time_entries** — one event per object, page by
  page, at most **max_items**; **filters** are passed as query parameters (e.g. \`{"search": "Acme"}\`).
- **get_story** — the story with **id**.
- **create_story**, **create_time_entry**, **create_workspace** — with **attributes**, e.g.
  \`{"title": "{{ issue.fields.summary }}", "state": "not started"}\`; new stories and time entries
  go into **workspace_id**. Stories are tasks unless \`story_type\` says otherwise.
- **update_story**, **update_time_entry**, **update_workspace** — set **attributes** on **id**.

A wrong or expired token fails at once ("Mavenlink refused the token (401). Check the credential
'Acme Mavenlink'."), as do validation errors (422) with Mavenlink's message. When Mavenlink limits
the request rate (429) the step waits as long as it asks and tries again.

**Emits** one event per object, as a plain object under its singular name:
\`{ "story": { "id", "title", "state", "workspace_id", "updated_at", … } }\`, \`{ "workspace": … }\`, \`{ "time_entry": … }\`.`,
  exampleEvent: {
    story: {
      id: '4711',
      title: 'OPS-42: Printer on fire',
      state: 'started',
      story_type: 'task',
      workspace_id: '1201',
      updated_at: '2026-01-05T09:12:44+00:00',
    },
  },
  options,
  defaultOptions: { action: 'poll_stories', credential: '', workspace_id: '', first_poll: 'all', max_items: 200, lookback_minutes: 2 },
  // poll_stories reads and writes node memory; every action shares the one agent type.
  // Only polling keeps a cursor in memory; actions need no per-node lock.
  capabilities: { receives: true, dryRun: true, stateful: (o) => o.action === 'poll_stories' },
  async run(ctx) {
    const o = ctx.options;
    const cred = await loadCredential(ctx, o.credential, ['mavenlink']);
    const client = new MavenlinkClient(ctx.http.fetch, cred);
    const params: QueryParams = { ...(o.filters ?? {}), ...(o.workspace_id ? { workspace_id: o.workspace_id } : {}) };

    if (o.action === 'poll_stories') {
      const { stories, memory } = await pollStories(
        client,
        await ctx.memory.get(),
        { params, lookbackMinutes: o.lookback_minutes, firstPoll: o.first_poll, maxItems: o.max_items },
        ctx.log,
      );
      await ctx.memory.set(memory as unknown as JsonValue);
      return stories.map((story) => ({ story }));
    }

    const resource = RESOURCE_OF[o.action];
    const singular = RESOURCES[resource];
    if (ctx.dryRun && !o.action.startsWith('list_') && o.action !== 'get_story') ctx.log.info('Test run: this really changes Mavenlink.');

    if (o.action.startsWith('list_')) {
      // Workspaces are not filtered by workspace_id.
      const query = resource === 'workspaces' ? { ...(o.filters ?? {}) } : params;
      const { items, truncated, pages } = await client.listAll(resource, query, { maxItems: o.max_items });
      ctx.log.info(`Read ${items.length} ${resource.replace('_', ' ')} (${pages} page${pages === 1 ? '' : 's'})${truncated ? `; stopped at ${o.max_items}` : ''}.`);
      return items.map((item) => ({ [singular]: item }));
    }
    if (o.action === 'get_story') {
      const story = await client.get('stories', o.id!);
      if (!story) throw new PermanentAgentError(`Mavenlink has no story ${o.id}, or the user of credential '${cred.name}' may not see it.`);
      return [{ story }];
    }
    if (o.action.startsWith('create_')) {
      const created = await client.create(resource, createAttributes(o, resource));
      ctx.log.info(`Created ${singular.replace('_', ' ')} ${String(created.id)}.`);
      return [{ [singular]: created }];
    }
    const updated = await client.update(resource, o.id!, o.attributes ?? {});
    ctx.log.info(`Updated ${singular.replace('_', ' ')} ${o.id}.`);
    return [{ [singular]: updated }];
  },
});
