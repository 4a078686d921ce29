import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startTestServer, type TestServer } from '../http-server';

/**
 * A local stand-in for JIRA Cloud REST v3, built from Atlassian's public API documentation: the
 * documented request and response shapes, status codes and error bodies
 * (`{ "errorMessages": [...], "errors": { field: message } }`), basic auth with e-mail + API token,
 * the enhanced search `GET /rest/api/3/search/jql` with `nextPageToken` paging (the old
 * `/rest/api/3/search` answers 410 Gone), issues, transitions, comments and `/myself`.
 *
 * JQL: a subset — clauses joined by AND (parentheses allowed), on project, key, status,
 * statusCategory, issuetype, summary (~), created and updated (=, !=, <, <=, >, >=, in, not in),
 * with ORDER BY. Date literals ("2024-01-15 10:23", "2024/01/15", "-5m") are read in the user's
 * time zone, as JIRA does. Unbounded queries (no clause) are refused, as the enhanced search does.
 *
 * Test modes: `searchLag(ms)` makes search eventually consistent (it sees each issue as it was
 * `ms` ago: missing when younger, stale when changed since), `rateLimit(n)` answers the next n
 * requests with 429 + Retry-After. Helpers act as a human would (`humanTransition`, `humanEdit`)
 * and do not count as API writes; `writes()` lists what API clients changed.
 */

export interface StatusDef {
  id: string;
  name: string;
  category: { id: number; key: 'new' | 'indeterminate' | 'done'; name: string; colorName: string };
}

const CATEGORIES = {
  new: { id: 2, key: 'new', name: 'To Do', colorName: 'blue-gray' },
  indeterminate: { id: 4, key: 'indeterminate', name: 'In Progress', colorName: 'yellow' },
  done: { id: 3, key: 'done', name: 'Done', colorName: 'green' },
} as const;

export const JIRA_STATUSES: StatusDef[] = [
  { id: '10000', name: 'To Do', category: CATEGORIES.new },
  { id: '3', name: 'In Progress', category: CATEGORIES.indeterminate },
  { id: '10001', name: 'In Review', category: CATEGORIES.indeterminate },
  { id: '10002', name: 'Done', category: CATEGORIES.done },
];

/** Global transitions of the double's workflow; names differ from status names on purpose. */
const TRANSITIONS = [
  { id: '11', name: 'Reopen', to: '10000' },
  { id: '21', name: 'Start progress', to: '3' },
  { id: '31', name: 'Send to review', to: '10001' },
  { id: '41', name: 'Resolve', to: '10002' },
];

const ISSUE_TYPES = [
  { id: '10001', name: 'Task' },
  { id: '10002', name: 'Bug' },
  { id: '10003', name: 'Story' },
];

export type JiraFields = Record<string, unknown>;

interface IssueRecord {
  id: string;
  key: string;
  projectKey: string;
  fields: JiraFields & { created: number; updated: number };
  comments: Array<{ id: string; body: unknown; created: number }>;
  /** Indexed versions for the eventually consistent search: (changedAt, snapshot of fields). */
  versions: Array<{ at: number; fields: JiraFields & { created: number; updated: number } }>;
}

export interface JiraWrite {
  kind: 'create' | 'update' | 'transition' | 'comment';
  key: string;
  at: number;
}

export interface JiraDoubleOptions {
  email?: string;
  apiToken?: string;
  projects?: Array<{ key: string; name?: string }>;
  /** The user's profile time zone: JQL dates are read in it; timestamps are shown in it. */
  timeZone?: string;
  now?: () => number;
}

export interface JiraDouble {
  url: string;
  email: string;
  apiToken: string;
  requests: TestServer['requests'];
  close(): Promise<void>;
  /** Creates an issue as a person would (not counted as an API write). */
  seedIssue(input: { project?: string; summary: string; status?: string; description?: string; issueType?: string }): JiraApiIssue;
  humanTransition(key: string, statusName: string): JiraApiIssue;
  humanEdit(key: string, fields: { summary?: string; description?: string }): JiraApiIssue;
  issue(key: string): JiraApiIssue | undefined;
  issues(): JiraApiIssue[];
  writes(filter?: { kind?: JiraWrite['kind']; key?: string }): JiraWrite[];
  rateLimit(requests: number, retryAfterSeconds?: number): void;
  searchLag(ms: number): void;
}

export type JiraApiIssue = { id: string; key: string; self: string; fields: Record<string, unknown> };

class JqlError extends Error {}

type Clause = { field: string; op: string; values: string[] };

const FIELD_ALIASES: Record<string, string> = { type: 'issuetype', updateddate: 'updated', createddate: 'created', category: 'statuscategory' };

function tokenize(jql: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(!=|>=|<=|!~|[=<>~(),])|([^\s=<>!~(),"']+))/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < jql.length) {
    if (/^\s*$/.test(jql.slice(pos))) break;
    re.lastIndex = pos;
    m = re.exec(jql);
    if (!m) throw new JqlError(`Error in the JQL Query: the character '${jql[pos]}' is a reserved JQL character (at position ${pos}).`);
    pos = re.lastIndex;
    if (m[1] !== undefined || m[2] !== undefined) tokens.push(`\u0000${(m[1] ?? m[2])!.replace(/\\(.)/g, '$1')}`);
    else tokens.push((m[3] ?? m[4])!);
  }
  return tokens;
}

const isWord = (t: string | undefined, w: string) => t !== undefined && !t.startsWith('\u0000') && t.toLowerCase() === w;
const literal = (t: string) => (t.startsWith('\u0000') ? t.slice(1) : t);

/** Parses the supported JQL subset into AND-ed clauses and an ORDER BY list. */
function parseJql(jql: string): { clauses: Clause[]; order: Array<{ field: string; dir: 'asc' | 'desc' }> } {
  const tokens = tokenize(jql);
  let i = 0;
  const clauses: Clause[] = [];
  const order: Array<{ field: string; dir: 'asc' | 'desc' }> = [];
  const expectClause = () => {
    while (tokens[i] === '(') i++;
    const fieldTok = tokens[i++];
    if (fieldTok === undefined) throw new JqlError("Error in the JQL Query: Expecting a field name but got the end of the query.");
    const field = literal(fieldTok).toLowerCase();
    let op = tokens[i++];
    if (op === undefined) throw new JqlError(`Error in the JQL Query: Expecting an operator after '${field}'.`);
    if (isWord(op, 'not') && isWord(tokens[i], 'in')) {
      i++;
      op = 'not in';
    } else if (isWord(op, 'in')) op = 'in';
    else if (isWord(op, 'is')) throw new JqlError("The double does not support the 'is' operator.");
    if (!['=', '!=', '<', '<=', '>', '>=', '~', '!~', 'in', 'not in'].includes(op)) {
      throw new JqlError(`Error in the JQL Query: Expecting operator but got '${op}'.`);
    }
    const values: string[] = [];
    if (op === 'in' || op === 'not in') {
      if (tokens[i++] !== '(') throw new JqlError(`Error in the JQL Query: Expecting '(' after '${op}'.`);
      while (tokens[i] !== ')') {
        const v = tokens[i++];
        if (v === undefined) throw new JqlError("Error in the JQL Query: Expecting ')' before the end of the query.");
        if (v !== ',') values.push(literal(v));
      }
      i++;
    } else {
      const v = tokens[i++];
      if (v === undefined) throw new JqlError(`Error in the JQL Query: Expecting either a value, list or function but got the end of the query.`);
      values.push(literal(v));
    }
    while (tokens[i] === ')') i++;
    clauses.push({ field: FIELD_ALIASES[field] ?? field, op, values });
  };
  while (i < tokens.length) {
    if (isWord(tokens[i], 'order') && isWord(tokens[i + 1], 'by')) {
      i += 2;
      while (i < tokens.length) {
        const f = literal(tokens[i++]!).toLowerCase();
        let dir: 'asc' | 'desc' = 'asc';
        if (isWord(tokens[i], 'asc') || isWord(tokens[i], 'desc')) dir = tokens[i++]!.toLowerCase() as 'asc' | 'desc';
        order.push({ field: FIELD_ALIASES[f] ?? f, dir });
        if (tokens[i] === ',') i++;
      }
      break;
    }
    if (clauses.length) {
      if (isWord(tokens[i], 'or')) throw new JqlError('The double supports only AND between clauses, not OR.');
      if (!isWord(tokens[i], 'and')) throw new JqlError(`Error in the JQL Query: Expecting either 'OR' or 'AND' but got '${literal(tokens[i]!)}'.`);
      i++;
    }
    expectClause();
  }
  return { clauses, order };
}

/** Wall clock of a zone at an instant. */
function zoned(ms: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
}

function offsetMinutes(ms: number, timeZone: string): number {
  const z = zoned(ms, timeZone);
  return Math.round((Date.UTC(z.y, z.mo - 1, z.d, z.h, z.mi, z.s) - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** A wall-clock time in a zone → instant (the earlier one when ambiguous). */
function fromZoned(y: number, mo: number, d: number, h: number, mi: number, timeZone: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const first = guess - offsetMinutes(guess, timeZone) * 60_000;
  return guess - offsetMinutes(first, timeZone) * 60_000;
}

/** JIRA's timestamp format, in the user's zone: 2024-01-15T10:23:45.123+0100. */
function formatJiraTime(ms: number, timeZone: string): string {
  const off = offsetMinutes(ms, timeZone);
  const local = new Date(ms + off * 60_000).toISOString().slice(0, 23);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

function parseJqlDate(value: string, timeZone: string, now: number): number {
  const rel = /^([+-]?)(\d+)([mhdw])$/i.exec(value.trim());
  if (rel) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[rel[3]!.toLowerCase() as 'm' | 'h' | 'd' | 'w'];
    return now + (rel[1] === '-' ? -1 : 1) * Number(rel[2]) * unit;
  }
  const m = /^(\d{4})[-/](\d{2})[-/](\d{2})(?:\s+(\d{2}):(\d{2}))?$/.exec(value.trim());
  if (!m) {
    throw new JqlError(
      `Date value '${value}' for field 'updated' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
    );
  }
  return fromZoned(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), timeZone);
}

export async function startJiraDouble(opts: JiraDoubleOptions = {}): Promise<JiraDouble> {
  const email = opts.email ?? 'robot@acme.test';
  const apiToken = opts.apiToken ?? 'ATATT-jira-double-token-0001';
  const timeZone = opts.timeZone ?? 'UTC';
  const clock = opts.now ?? Date.now;
  const projects = (opts.projects ?? [{ key: 'OPS', name: 'Operations' }]).map((p, i) => ({ id: String(10000 + i), key: p.key, name: p.name ?? p.key }));
  const issues = new Map<string, IssueRecord>(); // by id
  const byKey = new Map<string, string>();
  const counters = new Map<string, number>();
  const writes: JiraWrite[] = [];
  let nextId = 10001;
  let nextComment = 20001;
  let lastTick = 0;
  let limited = 0;
  let limitedRetryAfter = 1;
  let lagMs = 0;
  let base = '';

  /** Strictly increasing change times, so every change has its own `updated`. */
  const tick = () => {
    lastTick = Math.max(clock(), lastTick + 1);
    return lastTick;
  };
  const statusById = (id: string) => JIRA_STATUSES.find((s) => s.id === id)!;
  const statusByName = (name: string) => JIRA_STATUSES.find((s) => s.name.toLowerCase() === name.toLowerCase());

  const snapshot = (r: IssueRecord) => {
    r.versions.push({ at: r.fields.updated, fields: structuredClone(r.fields) });
    if (r.versions.length > 20) r.versions.shift();
  };

  function apiFields(r: { id: string; key: string; projectKey: string }, f: IssueRecord['fields']): Record<string, unknown> {
    const project = projects.find((p) => p.key === r.projectKey)!;
    const status = statusById(f.status as string);
    const type = ISSUE_TYPES.find((t) => t.id === f.issuetype) ?? ISSUE_TYPES[0]!;
    return {
      summary: f.summary,
      description: f.description ?? null,
      status: {
        self: `${base}/rest/api/3/status/${status.id}`,
        id: status.id,
        name: status.name,
        statusCategory: { self: `${base}/rest/api/3/statuscategory/${status.category.id}`, ...status.category },
      },
      issuetype: { self: `${base}/rest/api/3/issuetype/${type.id}`, id: type.id, name: type.name, subtask: false },
      project: { self: `${base}/rest/api/3/project/${project.id}`, id: project.id, key: project.key, name: project.name },
      labels: f.labels ?? [],
      priority: f.priority ?? { id: '3', name: 'Medium' },
      assignee: f.assignee ?? null,
      duedate: f.duedate ?? null,
      created: formatJiraTime(f.created, timeZone),
      updated: formatJiraTime(f.updated, timeZone),
    };
  }

  function present(r: IssueRecord, f = r.fields, select?: (name: string) => boolean): JiraApiIssue {
    const all = apiFields(r, f);
    const fields = select ? Object.fromEntries(Object.entries(all).filter(([k]) => select(k))) : all;
    return { id: r.id, key: r.key, self: `${base}/rest/api/3/issue/${r.id}`, fields };
  }

  function find(idOrKey: string): IssueRecord | undefined {
    const id = issues.has(idOrKey) ? idOrKey : byKey.get(idOrKey.toUpperCase());
    return id ? issues.get(id) : undefined;
  }

  function newIssue(projectKey: string, fields: Partial<IssueRecord['fields']>): IssueRecord {
    const n = (counters.get(projectKey) ?? 0) + 1;
    counters.set(projectKey, n);
    const at = tick();
    const r: IssueRecord = {
      id: String(nextId++),
      key: `${projectKey}-${n}`,
      projectKey,
      fields: { status: '10000', issuetype: '10001', labels: [], ...fields, created: at, updated: at },
      comments: [],
      versions: [],
    };
    issues.set(r.id, r);
    byKey.set(r.key, r.id);
    snapshot(r);
    return r;
  }

  function change(r: IssueRecord, mutate: () => boolean): void {
    if (!mutate()) return;
    r.fields.updated = tick();
    snapshot(r);
  }

  const adfOf = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });
  const isAdf = (v: unknown) => typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'doc' && Array.isArray((v as { content?: unknown }).content);

  // ---------- JQL evaluation ----------
  function fieldValue(r: { key: string; projectKey: string }, f: IssueRecord['fields'], field: string): string | number | undefined {
    switch (field) {
      case 'project':
        return r.projectKey;
      case 'key':
      case 'issuekey':
      case 'id':
        return r.key;
      case 'status':
        return statusById(f.status as string).name;
      case 'statuscategory':
        return statusById(f.status as string).category.name;
      case 'issuetype':
        return (ISSUE_TYPES.find((t) => t.id === f.issuetype) ?? ISSUE_TYPES[0]!).name;
      case 'summary':
      case 'text':
        return String(f.summary ?? '');
      case 'created':
        return f.created;
      case 'updated':
        return f.updated;
      default:
        throw new JqlError(`Field '${field}' does not exist or you do not have permission to view it.`);
    }
  }

  function matches(r: IssueRecord, f: IssueRecord['fields'], c: Clause, now: number): boolean {
    const actual = fieldValue(r, f, c.field);
    if (c.field === 'created' || c.field === 'updated') {
      const v = actual as number;
      const t = parseJqlDate(c.values[0]!, timeZone, now);
      switch (c.op) {
        case '=':
          return v === t;
        case '!=':
          return v !== t;
        case '<':
          return v < t;
        case '<=':
          return v <= t;
        case '>':
          return v > t;
        case '>=':
          return v >= t;
        default:
          throw new JqlError(`The operator '${c.op}' is not supported by the '${c.field}' field.`);
      }
    }
    const a = String(actual).toLowerCase();
    const vals = c.values.map((v) => v.toLowerCase());
    if (c.field === 'project' && !vals.every((v) => projects.some((p) => p.key.toLowerCase() === v || p.id === v))) {
      throw new JqlError(`The value '${c.values.find((v) => !projects.some((p) => p.key.toLowerCase() === v.toLowerCase()))}' does not exist for the field 'project'.`);
    }
    switch (c.op) {
      case '=':
      case 'in':
        return vals.includes(a);
      case '!=':
      case 'not in':
        return !vals.includes(a);
      case '~':
        return a.includes(vals[0]!);
      case '!~':
        return !a.includes(vals[0]!);
      default:
        throw new JqlError(`The operator '${c.op}' is not supported by the '${c.field}' field.`);
    }
  }

  function compareBy(order: Array<{ field: string; dir: 'asc' | 'desc' }>) {
    return (x: { r: IssueRecord; f: IssueRecord['fields'] }, y: { r: IssueRecord; f: IssueRecord['fields'] }) => {
      for (const o of order) {
        const a = o.field === 'key' ? Number(x.r.id) : fieldValue(x.r, x.f, o.field);
        const b = o.field === 'key' ? Number(y.r.id) : fieldValue(y.r, y.f, o.field);
        if (a === b || a === undefined || b === undefined) continue;
        const cmp = a < b ? -1 : 1;
        return o.dir === 'asc' ? cmp : -cmp;
      }
      return Number(y.r.id) - Number(x.r.id);
    };
  }

  // ---------- HTTP ----------
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, errorMessages: string[], errors: Record<string, string> = {}) =>
    json(res, status, { errorMessages, errors });

  function handle(req: IncomingMessage & { body: string }, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://double');
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    const now = clock();

    if (limited > 0) {
      limited--;
      return json(res, 429, { errorMessages: ['Rate limit exceeded.'], errors: {} }, { 'retry-after': String(limitedRetryAfter) });
    }
    const expected = `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      res.setHeader('x-seraph-loginreason', 'AUTHENTICATED_FAILED');
      return fail(res, 401, ['Client must be authenticated to access this resource.']);
    }
    let body: Record<string, unknown> = {};
    if (req.body) {
      try {
        body = JSON.parse(req.body) as Record<string, unknown>;
      } catch {
        return fail(res, 400, ['Unexpected character: was expecting a JSON value.']);
      }
    }

    if (path === '/rest/api/3/myself' && method === 'GET') {
      return json(res, 200, {
        self: `${base}/rest/api/3/user?accountId=5b10ac8d82e05b22cc7d4ef5`,
        accountId: '5b10ac8d82e05b22cc7d4ef5',
        accountType: 'atlassian',
        emailAddress: email,
        displayName: 'Muninn Robot',
        active: true,
        timeZone,
        locale: 'en_US',
      });
    }
    if (path === '/rest/api/3/search' || path === '/rest/api/2/search') {
      return fail(res, 410, [
        'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046',
      ]);
    }
    if (path === '/rest/api/3/search/jql' && (method === 'GET' || method === 'POST')) {
      const q = method === 'GET'
        ? {
            jql: url.searchParams.get('jql') ?? '',
            fields: url.searchParams.getAll('fields').flatMap((f) => f.split(',')).filter(Boolean),
            maxResults: Number(url.searchParams.get('maxResults') ?? 50),
            nextPageToken: url.searchParams.get('nextPageToken') ?? undefined,
            reconcile: url.searchParams.getAll('reconcileIssues').flatMap((f) => f.split(',')).filter(Boolean),
          }
        : {
            jql: String(body.jql ?? ''),
            fields: Array.isArray(body.fields) ? body.fields.map(String) : [],
            maxResults: Number(body.maxResults ?? 50),
            nextPageToken: typeof body.nextPageToken === 'string' ? body.nextPageToken : undefined,
            reconcile: Array.isArray(body.reconcileIssues) ? body.reconcileIssues.map(String) : [],
          };
      let parsed: ReturnType<typeof parseJql>;
      try {
        parsed = parseJql(q.jql);
        if (!parsed.clauses.length) {
          return fail(res, 400, ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']);
        }
      } catch (e) {
        if (e instanceof JqlError) return fail(res, 400, [e.message]);
        throw e;
      }
      const jqlHash = createHash('sha1').update(q.jql).digest('hex').slice(0, 10);
      let offset = 0;
      if (q.nextPageToken) {
        try {
          const t = JSON.parse(Buffer.from(q.nextPageToken, 'base64url').toString()) as { o: number; q: string };
          if (t.q !== jqlHash || !Number.isInteger(t.o)) throw new Error('mismatch');
          offset = t.o;
        } catch {
          return fail(res, 400, ['The provided next page token is invalid or expired.']);
        }
      }
      const maxResults = Math.min(Math.max(Number.isFinite(q.maxResults) ? q.maxResults : 50, 1), 100);
      const visible: Array<{ r: IssueRecord; f: IssueRecord['fields'] }> = [];
      try {
        for (const r of issues.values()) {
          // The search index lags: it knows each issue as it was lagMs ago (unless reconciled).
          const reconciled = q.reconcile.includes(r.id);
          const version = reconciled || lagMs === 0 ? r.versions.at(-1) : [...r.versions].reverse().find((v) => v.at <= now - lagMs);
          if (!version) continue;
          if (parsed.clauses.every((c) => matches(r, version.fields, c, now))) visible.push({ r, f: version.fields });
        }
      } catch (e) {
        if (e instanceof JqlError) return fail(res, 400, [e.message]);
        throw e;
      }
      visible.sort(compareBy(parsed.order.length ? parsed.order : [{ field: 'key', dir: 'desc' }]));
      const page = visible.slice(offset, offset + maxResults);
      const wanted = new Set(q.fields.map((f) => f.trim()).filter(Boolean));
      const select = wanted.has('*all') || wanted.has('*navigable') ? undefined : (name: string) => wanted.has(name);
      const hasMore = offset + maxResults < visible.length;
      return json(res, 200, {
        issues: page.map(({ r, f }) => (wanted.size === 0 ? { id: r.id } : present(r, f, select))),
        ...(hasMore ? { nextPageToken: Buffer.from(JSON.stringify({ o: offset + maxResults, q: jqlHash })).toString('base64url') } : {}),
        isLast: !hasMore,
      });
    }

    if (path === '/rest/api/3/issue' && method === 'POST') {
      const fields = (body.fields ?? {}) as Record<string, unknown>;
      const errors: Record<string, string> = {};
      const projectRef = fields.project as { key?: string; id?: string } | undefined;
      const project = projects.find((p) => p.key === projectRef?.key || p.id === projectRef?.id);
      if (!project) errors.project = 'valid project is required';
      const typeRef = fields.issuetype as { name?: string; id?: string } | undefined;
      const type = ISSUE_TYPES.find((t) => t.name === typeRef?.name || t.id === typeRef?.id);
      if (!type) errors.issuetype = 'valid issue type is required';
      if (typeof fields.summary !== 'string' || !fields.summary.trim()) errors.summary = 'You must specify a summary of the issue.';
      else if (/[\r\n]/.test(fields.summary)) errors.summary = 'The summary is invalid because it contains newline characters.';
      else if (fields.summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
      if (fields.description !== undefined && fields.description !== null && !isAdf(fields.description)) errors.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format).';
      for (const k of Object.keys(fields)) {
        if (!['project', 'issuetype', 'summary', 'description', 'labels', 'priority', 'assignee', 'duedate'].includes(k)) {
          errors[k] = `Field '${k}' cannot be set. It is not on the appropriate screen, or unknown.`;
        }
      }
      if (Object.keys(errors).length) return fail(res, 400, [], errors);
      const r = newIssue(project!.key, {
        summary: fields.summary as string,
        issuetype: type!.id,
        ...(fields.description ? { description: fields.description } : {}),
        ...(Array.isArray(fields.labels) ? { labels: fields.labels } : {}),
        ...(fields.priority ? { priority: fields.priority } : {}),
        ...(fields.duedate ? { duedate: fields.duedate } : {}),
      });
      writes.push({ kind: 'create', key: r.key, at: now });
      return json(res, 201, { id: r.id, key: r.key, self: `${base}/rest/api/3/issue/${r.id}` });
    }

    const issueMatch = /^\/rest\/api\/3\/issue\/([^/]+)(?:\/(transitions|comment))?$/.exec(path);
    if (issueMatch) {
      const r = find(decodeURIComponent(issueMatch[1]!));
      if (!r) return fail(res, 404, ['Issue does not exist or you do not have permission to see it.']);
      const sub = issueMatch[2];
      if (!sub && method === 'GET') {
        const wanted = new Set(url.searchParams.getAll('fields').flatMap((f) => f.split(',')).filter(Boolean));
        const select = wanted.size === 0 || wanted.has('*all') || wanted.has('*navigable') ? undefined : (n: string) => wanted.has(n);
        return json(res, 200, { expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations', ...present(r, r.fields, select) });
      }
      if (!sub && method === 'PUT') {
        const fields = (body.fields ?? {}) as Record<string, unknown>;
        const errors: Record<string, string> = {};
        for (const [k, v] of Object.entries(fields)) {
          if (k === 'summary' && (typeof v !== 'string' || !v.trim())) errors.summary = 'You must specify a summary of the issue.';
          else if (k === 'description' && v !== null && !isAdf(v)) errors.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format).';
          else if (!['summary', 'description', 'labels', 'priority', 'assignee', 'duedate'].includes(k)) {
            errors[k] = `Field '${k}' cannot be set. It is not on the appropriate screen, or unknown.`;
          }
        }
        if (Object.keys(errors).length) return fail(res, 400, [], errors);
        change(r, () => {
          let changed = false;
          for (const [k, v] of Object.entries(fields)) {
            if (JSON.stringify(r.fields[k] ?? null) !== JSON.stringify(v ?? null)) {
              r.fields[k] = v;
              changed = true;
            }
          }
          return changed;
        });
        writes.push({ kind: 'update', key: r.key, at: now });
        res.writeHead(204).end();
        return;
      }
      if (sub === 'transitions' && method === 'GET') {
        return json(res, 200, {
          expand: 'transitions',
          transitions: TRANSITIONS.filter((t) => t.to !== r.fields.status).map((t) => {
            const to = statusById(t.to);
            return {
              id: t.id,
              name: t.name,
              to: { self: `${base}/rest/api/3/status/${to.id}`, id: to.id, name: to.name, statusCategory: to.category },
              hasScreen: false,
              isGlobal: true,
              isInitial: false,
              isAvailable: true,
              isConditional: false,
              isLooped: false,
            };
          }),
        });
      }
      if (sub === 'transitions' && method === 'POST') {
        const id = String((body.transition as { id?: unknown } | undefined)?.id ?? '');
        const t = TRANSITIONS.find((x) => x.id === id && x.to !== r.fields.status);
        if (!t) return fail(res, 400, [`Transition id '${id}' is not valid for this issue.`]);
        change(r, () => {
          r.fields.status = t.to;
          return true;
        });
        writes.push({ kind: 'transition', key: r.key, at: now });
        res.writeHead(204).end();
        return;
      }
      if (sub === 'comment' && method === 'POST') {
        if (!isAdf(body.body)) return fail(res, 400, [], { comment: 'Comment body can not be empty!' });
        const c = { id: String(nextComment++), body: body.body, created: now };
        change(r, () => {
          r.comments.push(c);
          return true;
        });
        writes.push({ kind: 'comment', key: r.key, at: now });
        const stamp = formatJiraTime(now, timeZone);
        return json(res, 201, {
          self: `${base}/rest/api/3/issue/${r.id}/comment/${c.id}`,
          id: c.id,
          author: { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Muninn Robot' },
          body: c.body,
          created: stamp,
          updated: stamp,
        });
      }
    }
    return fail(res, 404, ['Not found']);
  }

  const server = await startTestServer(handle);
  base = server.url;

  return {
    url: server.url,
    email,
    apiToken,
    requests: server.requests,
    close: () => server.close(),
    seedIssue(input) {
      const project = input.project ?? projects[0]!.key;
      if (!projects.some((p) => p.key === project)) throw new Error(`No project ${project} in the JIRA double`);
      const status = input.status ? statusByName(input.status) : JIRA_STATUSES[0];
      if (!status) throw new Error(`No status ${input.status} in the JIRA double`);
      const type = ISSUE_TYPES.find((t) => t.name === (input.issueType ?? 'Task'))!;
      const r = newIssue(project, { summary: input.summary, status: status.id, issuetype: type.id, ...(input.description ? { description: adfOf(input.description) } : {}) });
      return present(r);
    },
    humanTransition(key, statusName) {
      const r = find(key);
      const status = statusByName(statusName);
      if (!r || !status) throw new Error(`No issue ${key} or status ${statusName} in the JIRA double`);
      change(r, () => {
        if (r.fields.status === status.id) return false;
        r.fields.status = status.id;
        return true;
      });
      return present(r);
    },
    humanEdit(key, fields) {
      const r = find(key);
      if (!r) throw new Error(`No issue ${key} in the JIRA double`);
      change(r, () => {
        if (fields.summary !== undefined) r.fields.summary = fields.summary;
        if (fields.description !== undefined) r.fields.description = adfOf(fields.description);
        return true;
      });
      return present(r);
    },
    issue(key) {
      const r = find(key);
      return r ? present(r) : undefined;
    },
    issues() {
      return [...issues.values()].map((r) => present(r));
    },
    writes(filter = {}) {
      return writes.filter((w) => (!filter.kind || w.kind === filter.kind) && (!filter.key || w.key === filter.key));
    },
    rateLimit(requests, retryAfterSeconds = 1) {
      limited = requests;
      limitedRetryAfter = retryAfterSeconds;
    },
    searchLag(ms) {
      lagMs = ms;
    },
  };
}
