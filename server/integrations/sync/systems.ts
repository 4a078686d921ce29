import { PermanentAgentError, type JsonObject, type JsonValue } from '../../agents/define-agent';
import { adfToText, toAdf } from '../jira/adf';
import { toIssueEvent, type JiraClient, type JiraIssue } from '../jira/client';
import { parseJiraTime } from '../jira/time';
import type { MavenlinkClient } from '../mavenlink/client';

/**
 * The two apps as the sync agent sees them: read a record from an event or by id, tell which
 * mapped values differ from a record, create, update. Every record carries the `context` its
 * templates are rendered against — exactly the shape the app's poller emits (`{ issue }`,
 * `{ story }`), so a record read back after a write renders like the same record arriving from a
 * poll, which is what lets fingerprints recognise echoes.
 */

export interface SyncRecord {
  id: string;
  /** For people: "OPS-7", "story 4711". */
  label: string;
  /** The record version's time (JIRA `updated`, Mavenlink `updated_at`); NaN when unknown. */
  updatedMs: number;
  context: JsonObject;
}

export interface SyncSystem {
  kind: 'jira' | 'mavenlink';
  /** "JIRA issue", "Mavenlink story". */
  noun: string;
  recordFromEvent(event: JsonObject): SyncRecord | undefined;
  get(id: string): Promise<SyncRecord | undefined>;
  /** The subset of `values` that differs from the record (what an update has to send). */
  changes(values: JsonObject, current: SyncRecord): JsonObject;
  create(values: JsonObject): Promise<SyncRecord>;
  update(current: SyncRecord, changes: JsonObject): Promise<SyncRecord>;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Loose equality of a mapped value and a record's value: "7" = 7, null = "" = missing. */
function same(want: JsonValue | undefined, have: JsonValue | undefined): boolean {
  const norm = (v: JsonValue | undefined): string => (v === null || v === undefined || v === '' ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v).trim());
  return norm(want) === norm(have);
}

// ---------------------------------------------------------------- JIRA

export function jiraSystem(client: JiraClient, settings: { project?: string; issue_type: string }): SyncSystem {
  const record = (issue: JsonObject | JiraIssue): SyncRecord => {
    const ev = toIssueEvent(issue);
    return { id: ev.id, label: ev.key || `issue ${ev.id}`, updatedMs: ev.updated ? Date.parse(ev.updated) : NaN, context: { issue: ev as unknown as JsonObject } };
  };
  const fieldsOf = (r: SyncRecord) => ((r.context.issue as JsonObject).fields ?? {}) as JsonObject;
  const statusOf = (r: SyncRecord) => {
    const s = fieldsOf(r).status;
    return isObject(s) && typeof s.name === 'string' ? s.name : undefined;
  };
  /** Mapped values → JIRA fields: `status` is a transition, text descriptions become ADF. */
  const toFields = (values: JsonObject): JsonObject => {
    const fields: JsonObject = {};
    for (const [k, v] of Object.entries(values)) {
      if (k === 'status') continue;
      fields[k] = k === 'description' ? toAdf(v) : v;
    }
    return fields;
  };
  const mustGet = async (id: string) => {
    const issue = await client.getIssue(id);
    if (!issue) throw new Error(`JIRA issue ${id} was just written but cannot be read back; the step will be retried.`);
    return record(issue);
  };

  return {
    kind: 'jira',
    noun: 'JIRA issue',
    recordFromEvent(event) {
      const issue = event.issue;
      if (!isObject(issue) || issue.id === undefined || issue.id === null) return undefined;
      const r = record(issue);
      // A webhook's issue has `fields.updated` in JIRA's format; the poller's has `updated` too.
      if (Number.isNaN(r.updatedMs)) r.updatedMs = parseJiraTime(isObject(issue.fields) ? issue.fields.updated : undefined);
      return r;
    },
    async get(id) {
      const issue = await client.getIssue(id);
      return issue ? record(issue) : undefined;
    },
    changes(values, current) {
      const fields = fieldsOf(current);
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(values)) {
        let equal: boolean;
        if (k === 'status') equal = String(v).trim().toLowerCase() === (statusOf(current) ?? '').toLowerCase();
        else if (k === 'description') equal = same(typeof v === 'string' ? v : adfToText(v), adfToText(fields.description));
        else if (isObject(v) && isObject(fields[k])) {
          // {"name": "High"} matches a priority object that has that name (and more).
          const have = fields[k] as JsonObject;
          equal = Object.entries(v).every(([kk, vv]) => same(vv, have[kk]));
        } else equal = same(v, fields[k]);
        if (!equal) out[k] = v;
      }
      return out;
    },
    async create(values) {
      if (!settings.project) throw new PermanentAgentError('To create JIRA issues, enter the project key (a.project / b.project) in the sync settings.');
      if (!values.summary) throw new PermanentAgentError('To create JIRA issues, map a "summary" field (it rendered empty for this record).');
      const created = await client.createIssue({ project: { key: settings.project }, issuetype: { name: settings.issue_type }, ...toFields(values) });
      let r = await mustGet(created.id);
      if (typeof values.status === 'string' && (await client.transitionTo(created.key, values.status, statusOf(r)))) r = await mustGet(created.id);
      return r;
    },
    async update(current, changes) {
      const fields = toFields(changes);
      if (Object.keys(fields).length) await client.updateIssue(current.id, fields);
      if (typeof changes.status === 'string') await client.transitionTo(current.id, changes.status, statusOf(current));
      return mustGet(current.id);
    },
  };
}

// ---------------------------------------------------------------- Mavenlink

export function mavenlinkSystem(client: MavenlinkClient, settings: { workspace_id?: string; story_type: string }): SyncSystem {
  const record = (story: JsonObject): SyncRecord => ({
    id: String(story.id),
    label: `story ${String(story.id)}`,
    updatedMs: Date.parse(String(story.updated_at ?? '')),
    context: { story },
  });
  return {
    kind: 'mavenlink',
    noun: 'Mavenlink story',
    recordFromEvent(event) {
      const story = event.story;
      if (!isObject(story) || story.id === undefined || story.id === null) return undefined;
      return record(story);
    },
    async get(id) {
      const story = await client.get('stories', id);
      return story ? record(story) : undefined;
    },
    changes(values, current) {
      const story = current.context.story as JsonObject;
      return Object.fromEntries(Object.entries(values).filter(([k, v]) => !same(v, story[k])));
    },
    async create(values) {
      const workspace = values.workspace_id ?? settings.workspace_id;
      if (!workspace) throw new PermanentAgentError('To create Mavenlink stories, enter the workspace (project) id in the sync settings.');
      return record(await client.create('stories', { story_type: settings.story_type, ...values, workspace_id: workspace }));
    },
    async update(current, changes) {
      return record(await client.update('stories', current.id, changes));
    },
  };
}
