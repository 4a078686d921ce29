import { z } from 'zod';
import { credentialOption, loadCredential } from './credential-types';
import { defineAgent, PermanentAgentError, type AgentContext, type JsonObject } from './define-agent';
import { JiraClient } from '../integrations/jira/client';
import { MavenlinkClient } from '../integrations/mavenlink/client';
import { LinkStore, MAX_LINKS, type Side } from '../integrations/sync/store';
import { jiraSystem, mavenlinkSystem, type SyncSystem } from '../integrations/sync/systems';
import { syncRecord } from '../integrations/sync/sync-record';

const idSchema = z.union([z.string().trim(), z.number().int()]).transform(String);

/**
 * Both kinds on both alternatives: template tooling reads credential types per option path, and a
 * path shared by the alternatives would otherwise seem to take only one kind. The run checks the
 * kind that fits the chosen app (loadCredential below) and says so in words.
 */
const sideCredential = () => credentialOption(['jira_cloud', 'mavenlink']);

const jiraSide = z
  .object({
    system: z.literal('jira'),
    credential: sideCredential(),
    project: z.string().trim().optional().describe('Project key where new issues are created, e.g. OPS'),
    issue_type: z.string().trim().default('Task').describe('Issue type of new issues'),
  })
  .strict();

const mavenlinkSide = z
  .object({
    system: z.literal('mavenlink'),
    credential: sideCredential(),
    workspace_id: idSchema.optional().describe('Workspace (project) id where new stories are created'),
    story_type: z.string().trim().default('task').describe('Story type of new stories: task, deliverable, milestone or issue'),
  })
  .strict();

const sideSchema = z.discriminatedUnion('system', [jiraSide, mavenlinkSide], { error: 'Choose the app of this side: jira or mavenlink' });
const templates = z.record(z.string(), z.json()).default({});

const options = z
  .object({
    direction: z
      .enum(['a_to_b', 'b_to_a', 'both'])
      .default('both')
      .describe('Which way changes flow. both: each event goes from the side it came from to the other.'),
    a: sideSchema.describe('Side A: the app, its credential and where new records go'),
    b: sideSchema.describe('Side B'),
    fields: z
      .object({
        a_to_b: templates.describe('B field ← Liquid template over the A record, e.g. {"title": "{{ issue.fields.summary }}"}'),
        b_to_a: templates.describe('A field ← Liquid template over the B record, e.g. {"status": "…"}'),
      })
      .strict()
      .default({ a_to_b: {}, b_to_a: {} })
      .describe('Field mapping, one set of templates per direction'),
    create: z
      .enum(['a_to_b', 'b_to_a', 'both', 'none'])
      .default('a_to_b')
      .describe('When a record has no linked record yet: create it on the other side in these directions (otherwise skip)'),
    conflict: z
      .enum(['last_writer_wins', 'a_wins', 'b_wins'])
      .default('last_writer_wins')
      .describe('When both sides changed since the last sync: the more recent change wins, or always A, or always B'),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.direction === 'both' && o.a.system === o.b.system) {
      ctx.addIssue({ code: 'custom', path: ['direction'], message: 'With the same app on both sides the sync cannot tell where an event comes from: choose a_to_b or b_to_a (and use one node per direction)' });
    }
    for (const d of ['a_to_b', 'b_to_a'] as const) {
      if ((o.direction === d || o.direction === 'both') && Object.keys(o.fields[d]).length === 0) {
        ctx.addIssue({ code: 'custom', path: ['fields', d], message: `Map at least one field for ${d}, e.g. {"title": "{{ issue.fields.summary }}"}` });
      }
    }
  });

type SideOptions = z.output<typeof sideSchema>;

async function systemFor(ctx: AgentContext<unknown>, side: SideOptions): Promise<SyncSystem> {
  if (side.system === 'jira') {
    const cred = await loadCredential(ctx, side.credential, ['jira_cloud']);
    return jiraSystem(new JiraClient(ctx.http.fetch, cred), { ...(side.project ? { project: side.project } : {}), issue_type: side.issue_type });
  }
  const cred = await loadCredential(ctx, side.credential, ['mavenlink']);
  return mavenlinkSystem(new MavenlinkClient(ctx.http.fetch, cred), { ...(side.workspace_id ? { workspace_id: side.workspace_id } : {}), story_type: side.story_type });
}

export const syncAgent = defineAgent({
  type: 'sync',
  name: 'Two-way sync',
  category: 'Apps',
  icon: 'ArrowLeftRight',
  summary: 'Keep records of two apps in sync (JIRA issues ⇄ Mavenlink tasks): create, update, skip what is unchanged.',
  description: `Keeps pairs of records in two apps in step — e.g. JIRA issues and Mavenlink tasks. Feed it
the events of the apps' pollers (or webhooks); for each record it **creates** the linked record on
the other side when there is none yet, **updates** it when a mapped field changed, and **skips** it
when nothing mapped changed. One node handles both directions with the same credentials and the
same memory.

**Settings**
- **a**, **b** — the two sides: the app (\`jira\` or \`mavenlink\`), its credential, and where new
  records go (JIRA \`project\` + \`issue_type\`; Mavenlink \`workspace_id\` + \`story_type\`).
- **fields** — the mapping, as Liquid templates. \`a_to_b\` says how to fill B's fields from an A
  record, \`b_to_a\` the reverse. JIRA records are seen as \`issue\` (\`{{ issue.key }}\`,
  \`{{ issue.fields.summary }}\`, \`{{ issue.fields.status.statusCategory.key }}\`,
  \`{{ issue.description_text }}\`), Mavenlink stories as \`story\` (\`{{ story.title }}\`,
  \`{{ story.state }}\`). On the JIRA side, \`status\` moves the issue through its workflow and a text
  \`description\` becomes rich text; other keys are JIRA fields. On the Mavenlink side, keys are
  story fields (\`title\`, \`state\`, \`description\`, \`due_date\`…). A field whose template renders
  empty is left alone, so a \`{% case %}\` can map only the values it knows.
- **direction** — \`both\` (each event travels from the side it came from), \`a_to_b\` or \`b_to_a\`.
- **create** — in which directions missing records are created (default \`a_to_b\`); elsewhere
  unlinked records are skipped.
- **conflict** — when both records changed since the last sync: \`last_writer_wins\` (the later
  update time wins), \`a_wins\` or \`b_wins\`. The loser's event is skipped; fields the winner does
  not map are never overwritten.

**How it remembers.** The node's memory holds one link per pair: the two ids and, per side, a
fingerprint of its mapped fields as of the last sync plus the version time last seen. An event
whose mapped fields have the remembered fingerprint is skipped. After every write Muninn reads
the written record back and remembers *its* fingerprint, so when that app's poller reports the
change Muninn made, it is recognised as an echo and not synced back — no ping-pong. Older
versions than the one already synced (JIRA search can lag) are skipped too.

"Test this node" shows what would happen (\`would_create\`, \`would_update\`) without writing.
Two things to know: a record is created in the other app when it is first seen, so if a step
is cut off right after creating and before it is recorded, the retry can create it twice (rare;
delete the spare). And lossy mappings (several JIRA statuses onto one Mavenlink state) can only
sync back what the other side can express.

**Emits** one event per record created or updated:
\`{ "sync": { "action": "created" | "updated", "direction": "a_to_b", "source": {…}, "target": {…}, "changed": ["state"] } }\`.`,
  exampleEvent: {
    sync: {
      action: 'updated',
      direction: 'a_to_b',
      source: { system: 'jira', id: '10042', label: 'OPS-42' },
      target: { system: 'mavenlink', id: '4711', label: 'story 4711' },
      changed: ['state'],
    },
  },
  options,
  defaultOptions: {
    direction: 'both',
    a: { system: 'jira', credential: '', project: 'OPS', issue_type: 'Task' },
    b: { system: 'mavenlink', credential: '', workspace_id: '', story_type: 'task' },
    fields: {
      a_to_b: {
        title: '{{ issue.key }}: {{ issue.fields.summary }}',
        state: "{% case issue.fields.status.statusCategory.key %}{% when 'done' %}completed{% when 'indeterminate' %}started{% else %}not started{% endcase %}",
      },
      b_to_a: { status: "{% case story.state %}{% when 'completed' %}Done{% when 'started' %}In Progress{% when 'not started' %}To Do{% endcase %}" },
    },
    create: 'a_to_b',
    conflict: 'last_writer_wins',
  },
  capabilities: { receives: true, dryRun: true, stateful: true },
  // The templates are rendered by the agent against each record, not by the engine against the event.
  rawOptions: ['fields'],
  async run(ctx) {
    const o = ctx.options;
    const systems: Record<Side, SyncSystem> = { a: await systemFor(ctx, o.a), b: await systemFor(ctx, o.b) };
    const store = new LinkStore(await ctx.memory.get());
    const outcome = await syncRecord(ctx.event, systems, { direction: o.direction, create: o.create, conflict: o.conflict, templates: o.fields as { a_to_b: JsonObject; b_to_a: JsonObject } }, store, {
      log: ctx.log,
      dryRun: ctx.dryRun,
    });
    if (store.size > MAX_LINKS) {
      throw new PermanentAgentError(`This sync node already links ${MAX_LINKS.toLocaleString('en-US')} pairs, the most it can hold. Split the sync into several nodes (e.g. per project).`);
    }
    if (store.changed && !ctx.dryRun) await ctx.memory.set(store.toJSON());
    const emit = ['created', 'updated', 'would_create', 'would_update'].includes(outcome.action);
    return emit ? [{ sync: outcome as unknown as JsonObject }] : [];
  },
});
