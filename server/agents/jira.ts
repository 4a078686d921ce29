import { z } from 'zod';
import { credentialOption, loadCredential } from './credential-types';
import { defineAgent, PermanentAgentError, type JsonObject, type JsonValue } from './define-agent';
import { requireOptions } from './required-options';
import { JiraClient, toIssueEvent, type JiraIssue } from '../integrations/jira/client';
import { toAdf } from '../integrations/jira/adf';
import { pollJira } from '../integrations/jira/poll';
import { dedupeJiraWebhook, webhookEvent } from '../integrations/jira/webhook';

export const JIRA_DEFAULT_FIELDS = 'summary,status,updated,created,issuetype,project,description,assignee,priority,labels';

const actions = ['poll', 'get_issue', 'create_issue', 'update_issue', 'transition', 'add_comment', 'webhook'] as const;
type Action = (typeof actions)[number];

const needsIssue: readonly Action[] = ['get_issue', 'update_issue', 'transition', 'add_comment'];

const options = z
  .object({
    action: z
      .enum(actions, { error: `Choose one of: ${actions.join(', ')}` })
      .default('poll')
      .describe('poll: emit new and changed issues. get_issue, create_issue, update_issue, transition, add_comment: act on one issue. webhook: pass on JIRA webhook deliveries once each.'),
    credential: credentialOption('jira_cloud'),
    jql: z.string().trim().optional().describe('poll: which issues, in JQL, e.g. project = OPS AND issuetype = Task. Any ORDER BY is replaced.'),
    fields: z
      .string()
      .trim()
      .default(JIRA_DEFAULT_FIELDS)
      .describe('poll: the issue fields to read, comma-separated (updated is always read)'),
    lookback_minutes: z
      .number({ error: 'Enter a number of minutes, e.g. 5' })
      .int('Enter a whole number of minutes')
      .min(0)
      .max(1440, 'At most 1440 minutes (one day)')
      .default(5)
      .describe('poll: how many recent minutes every poll re-reads, because JIRA search can take a moment to show changes'),
    first_poll: z.enum(['all', 'new']).default('all').describe('poll: on the first poll emit all matching issues, or only those changed from then on'),
    max_issues: z
      .number({ error: 'Enter a number, e.g. 500' })
      .int()
      .min(1)
      .max(1000, 'At most 1000 issues per poll')
      .default(500)
      .describe('poll: at most this many issues per poll; the rest follows with the next poll'),
    reconcile_issues: z
      .array(z.union([z.number(), z.string()]))
      .optional()
      .describe('poll: ids of issues changed just before, which JIRA then includes even if its search has not caught up (optional)'),
    issue: z.string().trim().optional().describe('Issue key or id, e.g. {{ issue.key }} (for get_issue, update_issue, transition, add_comment)'),
    project: z.string().trim().optional().describe('create_issue: project key, e.g. OPS'),
    issue_type: z.string().trim().default('Task').describe('create_issue: issue type, e.g. Task, Bug, Story'),
    summary: z.string().optional().describe('create_issue, update_issue: the summary (one line)'),
    description: z.json().optional().describe('create_issue, update_issue: description as text, or as an Atlassian Document'),
    issue_fields: z
      .record(z.string(), z.json())
      .optional()
      .describe('create_issue, update_issue: more fields as JIRA expects them, e.g. {"labels": ["ops"], "priority": {"name": "High"}}'),
    status: z.string().trim().optional().describe('transition (and create/update): the status to move the issue to, e.g. Done'),
    comment: z.json().optional().describe('add_comment: the comment, as text or as an Atlassian Document'),
  })
  .strict()
  .superRefine((o, ctx) =>
    requireOptions(o, ctx, [
      { actions: ['poll'], field: 'jql', message: 'Enter the JQL of the issues to watch, e.g. project = OPS' },
      { actions: needsIssue, field: 'issue', message: 'Enter the issue key, e.g. {{ issue.key }}. If you did, the field it uses is missing from this event' },
      { actions: ['create_issue'], field: 'project', message: 'Enter the project key, e.g. OPS' },
      { actions: ['create_issue'], field: 'summary', message: 'Enter the summary of the new issue' },
      { actions: ['transition'], field: 'status', message: 'Enter the status to move the issue to, e.g. Done' },
      { actions: ['add_comment'], field: 'comment', message: 'Enter the comment text' },
    ]),
  );

type Options = z.output<typeof options>;

function fieldsToSet(o: Options): JsonObject {
  const fields: JsonObject = { ...(o.issue_fields ?? {}) };
  if (o.summary !== undefined && o.summary.trim() !== '') fields.summary = o.summary.trim();
  if (o.description !== undefined) fields.description = toAdf(o.description as JsonValue);
  return fields;
}

function statusName(issue: JiraIssue): string | undefined {
  const s = issue.fields.status;
  return s && typeof s === 'object' && !Array.isArray(s) && typeof s.name === 'string' ? s.name : undefined;
}

async function mustGet(client: JiraClient, idOrKey: string, credentialName: string): Promise<JiraIssue> {
  const issue = await client.getIssue(idOrKey);
  if (!issue) throw new PermanentAgentError(`JIRA has no issue ${idOrKey}, or the account of credential '${credentialName}' may not see it.`);
  return issue;
}

export const jiraAgent = defineAgent({
  type: 'jira',
  name: 'JIRA',
  category: 'Apps',
  icon: 'SquareKanban',
  summary: 'Watch JIRA Cloud for new and changed issues, or create, update, move and comment on issues.',
  description: `Works with a JIRA Cloud site through its REST API (v3), as the account of a **Jira Cloud**
credential (e-mail + API token).

**Actions**
- **poll** — emits every issue matching the **JQL** that is new or changed since the last poll,
  one event per issue, oldest change first. Put a Schedule (and a Manual trigger) in front of it:
  each run is one poll. The first poll emits all matching issues (**first_poll** \`all\`), or none
  and only later changes (\`new\`). The node remembers where it got to; changing the JQL starts over.
  JIRA's search can take a moment to show a change, so each poll re-reads the last
  **lookback_minutes** (5) and skips issues it already emitted in that version — each version of an
  issue is emitted once. Dates in JQL are read in the JIRA user's own time zone; the poller asks
  JIRA for it and takes care of it.
- **get_issue** — emits the issue named in **issue** (key or id, e.g. \`{{ issue.key }}\`).
- **create_issue** — creates an issue in **project** with **issue_type**, **summary**, an optional
  **description** (plain text is turned into JIRA's rich text) and any **issue_fields**; with
  **status** it is then moved to that status.
- **update_issue** — sets **summary**, **description**, **issue_fields** and/or **status**.
- **transition** — moves the issue to the status named in **status** (e.g. \`Done\`), using the
  workflow transition that leads there. Nothing happens when it already has that status.
- **add_comment** — adds **comment** (text) to the issue.
- **webhook** — put it after a Webhook trigger that receives JIRA webhooks: turns each delivery
  into the same \`{ issue }\` event the poller emits (so it can feed a sync node), with
  \`webhookEvent\` and \`changelog\`. The Webhook trigger already starts one run per delivery
  (\`X-Atlassian-Webhook-Identifier\`); when the event also carries the request \`headers\`, this
  node drops repeated deliveries itself as well.

A wrong token fails at once ("JIRA refused the token (401). Check the credential 'Acme JIRA'."),
as do other refusals (400, 403, 404) with JIRA's own explanation. When JIRA limits the request
rate (429) the step waits as long as JIRA asks and tries again; JIRA outages (5xx) are retried.

**Emits** \`{ "issue": { "key", "id", "self", "fields": { … }, "updated", "description_text" } }\` per issue
(\`updated\` in UTC, ISO 8601); add_comment emits \`{ "comment": { "id", … }, "issue": { "key" } }\`.`,
  exampleEvent: {
    issue: {
      key: 'OPS-42',
      id: '10042',
      self: 'https://acme.atlassian.net/rest/api/3/issue/10042',
      fields: {
        summary: 'Printer on fire',
        status: { name: 'In Progress', statusCategory: { key: 'indeterminate', name: 'In Progress' } },
        issuetype: { name: 'Task' },
        project: { key: 'OPS', name: 'Operations' },
        updated: '2026-01-05T09:12:44.120+0100',
      },
      updated: '2026-01-05T08:12:44.120Z',
      description_text: 'Smoke seen near the third floor printer.',
    },
  },
  options,
  defaultOptions: { action: 'poll', credential: '', jql: 'project = OPS', first_poll: 'all', lookback_minutes: 5, max_issues: 500 },
  // Poll and webhook read and write node memory; every action shares the one agent type.
  // Only polling keeps a cursor in memory; actions need no per-node lock.
  capabilities: { receives: true, dryRun: true, stateful: (o) => o.action === 'poll' },
  async run(ctx) {
    const o = ctx.options;
    const cred = await loadCredential(ctx, o.credential, ['jira_cloud']);
    const client = new JiraClient(ctx.http.fetch, cred);
    if (ctx.dryRun && o.action !== 'poll' && o.action !== 'get_issue' && o.action !== 'webhook') {
      ctx.log.info('Test run: this really changes the issue in JIRA.');
    }

    switch (o.action) {
      case 'poll': {
        const { events, memory } = await pollJira(client, await ctx.memory.get(), {
          jql: o.jql ?? '',
          fields: o.fields.split(',').map((f) => f.trim()).filter(Boolean),
          lookbackMinutes: o.lookback_minutes,
          firstPoll: o.first_poll,
          maxIssues: o.max_issues,
          ...(o.reconcile_issues?.length ? { reconcileIssues: o.reconcile_issues.map(Number).filter(Number.isFinite) } : {}),
        }, ctx.log);
        await ctx.memory.set(memory as unknown as JsonValue);
        return events.map((issue) => ({ issue: issue as unknown as JsonObject }));
      }
      case 'webhook': {
        const { duplicate, deliveryId, seen } = dedupeJiraWebhook(await ctx.memory.get(), ctx.event);
        if (!deliveryId) ctx.log.info('No X-Atlassian-Webhook-Identifier in the event; repeats are left to the Webhook trigger.');
        if (duplicate) {
          ctx.log.info(`Delivery ${deliveryId} was already handled; JIRA sent it again. Dropped.`);
          return [];
        }
        if (deliveryId) await ctx.memory.set(seen);
        return [webhookEvent(ctx.event, deliveryId)];
      }
      case 'get_issue': {
        const issue = await mustGet(client, o.issue!, cred.name);
        return [{ issue: toIssueEvent(issue) as unknown as JsonObject }];
      }
      case 'create_issue': {
        const fields: JsonObject = { project: { key: o.project! }, issuetype: { name: o.issue_type }, ...fieldsToSet(o) };
        const created = await client.createIssue(fields);
        ctx.log.info(`Created ${created.key}.`);
        let issue = await mustGet(client, created.id, cred.name);
        if (o.status && (await client.transitionTo(created.key, o.status, statusName(issue)))) {
          issue = await mustGet(client, created.id, cred.name);
        }
        return [{ issue: toIssueEvent(issue) as unknown as JsonObject }];
      }
      case 'update_issue': {
        const fields = fieldsToSet(o);
        if (Object.keys(fields).length) await client.updateIssue(o.issue!, fields);
        let issue = await mustGet(client, o.issue!, cred.name);
        if (o.status && (await client.transitionTo(o.issue!, o.status, statusName(issue)))) issue = await mustGet(client, o.issue!, cred.name);
        if (!Object.keys(fields).length && !o.status) ctx.log.warn('Nothing to change: set summary, description, issue_fields or status.');
        ctx.log.info(`Updated ${issue.key}.`);
        return [{ issue: toIssueEvent(issue) as unknown as JsonObject }];
      }
      case 'transition': {
        let issue = await mustGet(client, o.issue!, cred.name);
        const moved = await client.transitionTo(issue.key, o.status!, statusName(issue));
        if (moved) issue = await mustGet(client, issue.id, cred.name);
        ctx.log.info(moved ? `Moved ${issue.key} to ${o.status}.` : `${issue.key} already has status ${o.status}.`);
        return [{ issue: toIssueEvent(issue) as unknown as JsonObject, transitioned: moved }];
      }
      case 'add_comment': {
        const comment = await client.addComment(o.issue!, toAdf(o.comment as JsonValue) ?? toAdf('')!);
        ctx.log.info(`Commented on ${o.issue}.`);
        return [{ comment, issue: { key: o.issue! } }];
      }
    }
  },
});
