import { PermanentAgentError, type JsonObject, type JsonValue } from '../../agents/define-agent';
import type { CredentialData } from '../../agents/credential-types';
import { errorForStatus, readErrorBody, readJson, send, withQuery, type ApiTarget, type FetchFn } from '../http';
import { adfToText } from './adf';
import { parseJiraTime } from './time';

/**
 * A small hand-written client for the parts of JIRA Cloud REST v3 Muninn uses. Every call goes
 * through the step's `ctx.http.fetch` (SSRF guard, timeout, Idempotency-Key), authenticates with
 * basic auth (account e-mail + API token) and maps errors with ../http.
 */

// A type, not an interface, so that it is assignable to JsonObject.
export type JiraIssue = {
  id: string;
  key: string;
  self: string;
  fields: JsonObject;
};

/** What Muninn emits for an issue: `{ issue: JiraIssueEvent }`. `updated` is ISO 8601 UTC. */
export type JiraIssueEvent = {
  key: string;
  id: string;
  self: string;
  fields: JsonObject;
  updated: string | null;
  /** The description as plain text, for templates that feed systems without rich text. */
  description_text?: string;
};

export interface JiraTransition {
  id: string;
  name: string;
  to: { id: string; name: string };
}

export interface JiraSearchPage {
  issues: JiraIssue[];
  nextPageToken?: string;
  isLast: boolean;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An issue as the API gives it (search, GET issue, webhook payload) → the emitted shape. */
export function toIssueEvent(issue: JsonObject): JiraIssueEvent {
  const fields = isObject(issue.fields) ? issue.fields : {};
  const updatedMs = parseJiraTime(fields.updated ?? issue.updated);
  const event: JiraIssueEvent = {
    key: String(issue.key ?? ''),
    id: String(issue.id ?? ''),
    self: String(issue.self ?? ''),
    fields,
    updated: Number.isNaN(updatedMs) ? null : new Date(updatedMs).toISOString(),
  };
  if ('description' in fields) event.description_text = adfToText(fields.description);
  return event;
}

/** JIRA's error body `{ errorMessages: [...], errors: { field: message } }` in one line. */
export function jiraErrorDetail(body: JsonValue): string {
  if (!isObject(body)) return typeof body === 'string' ? body.slice(0, 300) : '';
  const messages = Array.isArray(body.errorMessages) ? body.errorMessages.filter((m): m is string => typeof m === 'string') : [];
  const fieldErrors = isObject(body.errors) ? Object.entries(body.errors).map(([f, m]) => `${f}: ${String(m)}`) : [];
  return [...messages, ...fieldErrors].join('; ');
}

export class JiraClient {
  private readonly target: ApiTarget;
  private readonly auth: string;

  constructor(
    private readonly fetchFn: FetchFn,
    private readonly credential: { name: string; data: CredentialData<'jira_cloud'> },
  ) {
    const { email, apiToken } = credential.data;
    this.auth = `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`;
    this.target = { service: 'JIRA', credentialName: credential.name, secrets: [apiToken, `${email}:${apiToken}`] };
  }

  get baseUrl(): string {
    return this.credential.data.baseUrl;
  }

  private async call(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    what: string,
    opts: { query?: Parameters<typeof withQuery>[1]; body?: JsonValue; allow404?: boolean } = {},
  ): Promise<JsonValue | undefined> {
    const url = withQuery(`${this.baseUrl}${path}`, opts.query ?? {});
    const headers: Record<string, string> = { authorization: this.auth, accept: 'application/json' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await send(
      this.fetchFn,
      url,
      { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) },
      this.target,
      what,
    );
    if (res.status === 404 && opts.allow404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) throw errorForStatus(res, this.target, what, jiraErrorDetail(await readErrorBody(res)));
    return readJson(res, this.target, what);
  }

  async myself(): Promise<{ accountId: string; displayName?: string; timeZone?: string }> {
    const me = await this.call('GET', '/rest/api/3/myself', 'read the account (myself)');
    if (!isObject(me) || typeof me.accountId !== 'string') {
      throw new PermanentAgentError(`The site in credential '${this.credential.name}' answered, but not like JIRA Cloud. Check its site address.`);
    }
    return {
      accountId: me.accountId,
      ...(typeof me.displayName === 'string' ? { displayName: me.displayName } : {}),
      ...(typeof me.timeZone === 'string' ? { timeZone: me.timeZone } : {}),
    };
  }

  /** One page of the enhanced search (`/rest/api/3/search/jql`; the old `/search` is gone). */
  async search(q: { jql: string; fields: readonly string[]; maxResults: number; nextPageToken?: string; reconcileIssues?: readonly number[] }): Promise<JiraSearchPage> {
    const body = await this.call('GET', '/rest/api/3/search/jql', 'search issues', {
      query: {
        jql: q.jql,
        fields: q.fields.join(','),
        maxResults: q.maxResults,
        nextPageToken: q.nextPageToken,
        ...(q.reconcileIssues?.length ? { reconcileIssues: q.reconcileIssues } : {}),
      },
    });
    if (!isObject(body) || !Array.isArray(body.issues)) {
      throw new PermanentAgentError(`JIRA answered the search in an unexpected format. Check the site address in credential '${this.credential.name}'.`);
    }
    const next = typeof body.nextPageToken === 'string' && body.nextPageToken ? body.nextPageToken : undefined;
    return {
      issues: body.issues.filter(isObject).map((i) => ({ id: String(i.id), key: String(i.key), self: String(i.self ?? ''), fields: isObject(i.fields) ? i.fields : {} })),
      ...(next ? { nextPageToken: next } : {}),
      isLast: body.isLast === true || !next,
    };
  }

  /** The issue, or undefined when it does not exist (or the account may not see it). */
  async getIssue(idOrKey: string, fields?: readonly string[]): Promise<JiraIssue | undefined> {
    const body = await this.call('GET', `/rest/api/3/issue/${encodeURIComponent(idOrKey)}`, `read issue ${idOrKey}`, {
      query: fields?.length ? { fields: fields.join(',') } : {},
      allow404: true,
    });
    if (body === undefined) return undefined;
    if (!isObject(body)) throw new PermanentAgentError(`JIRA answered in an unexpected format when reading issue ${idOrKey}.`);
    return { id: String(body.id), key: String(body.key), self: String(body.self ?? ''), fields: isObject(body.fields) ? body.fields : {} };
  }

  async createIssue(fields: JsonObject): Promise<{ id: string; key: string; self: string }> {
    const body = await this.call('POST', '/rest/api/3/issue', 'create the issue', { body: { fields } });
    if (!isObject(body) || body.id === undefined) throw new PermanentAgentError('JIRA answered in an unexpected format when creating the issue.');
    return { id: String(body.id), key: String(body.key), self: String(body.self ?? '') };
  }

  async updateIssue(idOrKey: string, fields: JsonObject): Promise<void> {
    await this.call('PUT', `/rest/api/3/issue/${encodeURIComponent(idOrKey)}`, `update issue ${idOrKey}`, { body: { fields } });
  }

  async transitions(idOrKey: string): Promise<JiraTransition[]> {
    const body = await this.call('GET', `/rest/api/3/issue/${encodeURIComponent(idOrKey)}/transitions`, `list the transitions of issue ${idOrKey}`);
    const list = isObject(body) && Array.isArray(body.transitions) ? body.transitions.filter(isObject) : [];
    return list.map((t) => {
      const to = isObject(t.to) ? t.to : {};
      return { id: String(t.id), name: String(t.name ?? ''), to: { id: String(to.id ?? ''), name: String(to.name ?? '') } };
    });
  }

  async transition(idOrKey: string, transitionId: string): Promise<void> {
    await this.call('POST', `/rest/api/3/issue/${encodeURIComponent(idOrKey)}/transitions`, `move issue ${idOrKey}`, {
      body: { transition: { id: transitionId } },
    });
  }

  /**
   * Moves the issue to the status named `status` (case-insensitive), through the transition that
   * leads there (matched by target status first, then by transition name). False when it already
   * has that status.
   */
  async transitionTo(idOrKey: string, status: string, currentStatus?: string): Promise<boolean> {
    const wanted = status.trim().toLowerCase();
    if (currentStatus !== undefined && currentStatus.trim().toLowerCase() === wanted) return false;
    const transitions = await this.transitions(idOrKey);
    const t = transitions.find((x) => x.to.name.toLowerCase() === wanted) ?? transitions.find((x) => x.name.toLowerCase() === wanted);
    if (!t) {
      const options = [...new Set(transitions.map((x) => x.to.name))].join(', ') || 'none';
      throw new PermanentAgentError(
        `Issue ${idOrKey} cannot be moved to status "${status}" from its current status${currentStatus ? ` "${currentStatus}"` : ''}. Statuses it can move to now: ${options}.`,
      );
    }
    await this.transition(idOrKey, t.id);
    return true;
  }

  async addComment(idOrKey: string, body: JsonObject): Promise<{ id: string; self: string; created: string | null }> {
    const res = await this.call('POST', `/rest/api/3/issue/${encodeURIComponent(idOrKey)}/comment`, `comment on issue ${idOrKey}`, { body: { body } });
    const c = isObject(res) ? res : {};
    return { id: String(c.id ?? ''), self: String(c.self ?? ''), created: typeof c.created === 'string' ? c.created : null };
  }
}
