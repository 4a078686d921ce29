import type { IncomingMessage, ServerResponse } from 'node:http';
import { startTestServer, type TestServer } from '../http-server';

/**
 * A local stand-in for the Mavenlink (Kantata OX) API v1, built from its public documentation:
 * bearer-token auth, answers as `{ count, results: [{ key, id }], <plural>: { id: {...} }, meta }`,
 * page/per_page paging (per_page at most 200, default 20) with `meta.page_count`, the
 * `updated_after` filter (strict, on one-second timestamps) and `order=<field>:asc|desc`, and the
 * documented errors: 401 `{ errors: [{ type: 'oauth', … }] }`, 422 `{ errors: [{ type: 'validation', … }] }`,
 * 404, and 429 with Retry-After in rate-limit mode.
 *
 * Served under `/api/v1` like the real API, so `url` is what a credential's baseUrl holds.
 * Helpers act as a person would (`humanUpdateStory`) and are not counted in `writes()`.
 */

export const STORY_STATES = ['not started', 'started', 'needs feedback', 'blocked', 'completed'] as const;
const STORY_TYPES = ['task', 'deliverable', 'milestone', 'issue'] as const;

type Obj = Record<string, unknown>;

interface Row {
  id: string;
  created: number;
  updated: number;
  data: Obj;
}

export interface MavenlinkWrite {
  kind: 'create' | 'update';
  resource: 'workspaces' | 'stories' | 'time_entries';
  id: string;
  at: number;
}

export interface MavenlinkDoubleOptions {
  token?: string;
  now?: () => number;
}

export interface MavenlinkDouble {
  /** The API base, ending in /api/v1. */
  url: string;
  token: string;
  requests: TestServer['requests'];
  close(): Promise<void>;
  seedWorkspace(input: { title: string; description?: string }): Obj;
  seedStory(input: { workspace_id: string; title: string; state?: string; story_type?: string; description?: string }): Obj;
  humanUpdateStory(id: string, patch: Obj): Obj;
  story(id: string): Obj | undefined;
  stories(workspaceId?: string): Obj[];
  timeEntries(): Obj[];
  writes(filter?: { kind?: MavenlinkWrite['kind']; resource?: MavenlinkWrite['resource']; id?: string }): MavenlinkWrite[];
  rateLimit(requests: number, retryAfterSeconds?: number): void;
}

/** Kantata's timestamps: seconds precision with an offset. */
function stamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export async function startMavenlinkDouble(opts: MavenlinkDoubleOptions = {}): Promise<MavenlinkDouble> {
  const token = opts.token ?? 'ml-double-token-0001';
  const clock = opts.now ?? Date.now;
  const tables = { workspaces: new Map<string, Row>(), stories: new Map<string, Row>(), time_entries: new Map<string, Row>() };
  const nextId = { workspaces: 1201, stories: 4701, time_entries: 9001 };
  const writes: MavenlinkWrite[] = [];
  let limited = 0;
  let retryAfter = 1;

  type Resource = keyof typeof tables;
  const singular: Record<Resource, string> = { workspaces: 'workspace', stories: 'story', time_entries: 'time_entry' };

  function present(resource: Resource, r: Row): Obj {
    const common = { id: r.id, created_at: stamp(r.created), updated_at: stamp(r.updated) };
    if (resource === 'stories') {
      return {
        title: '',
        description: '',
        state: 'not started',
        story_type: 'task',
        archived: false,
        parent_id: null,
        priority: 'normal',
        start_date: null,
        due_date: null,
        percentage_complete: 0,
        ...r.data,
        ...common,
      };
    }
    if (resource === 'workspaces') return { title: '', description: '', archived: false, status: { color: 'green', message: 'Active' }, ...r.data, ...common };
    return { billable: true, notes: '', ...r.data, ...common };
  }

  function insert(resource: Resource, data: Obj): Row {
    const now = clock();
    const row: Row = { id: String(nextId[resource]++), created: now, updated: now, data };
    tables[resource].set(row.id, row);
    return row;
  }

  function patch(row: Row, attrs: Obj): boolean {
    let changed = false;
    for (const [k, v] of Object.entries(attrs)) {
      if (JSON.stringify(row.data[k] ?? null) !== JSON.stringify(v ?? null)) {
        row.data[k] = v;
        changed = true;
      }
    }
    if (changed) row.updated = Math.max(clock(), row.updated + 1);
    return changed;
  }

  /** Validation as documented; returns messages (empty when valid). */
  function validate(resource: Resource, attrs: Obj, creating: boolean): Array<{ field: string; message: string }> {
    const errors: Array<{ field: string; message: string }> = [];
    const need = (field: string, message: string) => {
      const v = attrs[field];
      if (creating && (v === undefined || v === null || (typeof v === 'string' && !v.trim()))) errors.push({ field, message });
    };
    if (resource === 'stories') {
      need('title', "Title can't be blank");
      need('workspace_id', "Workspace can't be blank");
      if (attrs.workspace_id !== undefined && !tables.workspaces.has(String(attrs.workspace_id))) errors.push({ field: 'workspace_id', message: 'Workspace does not exist' });
      if (attrs.state !== undefined && !(STORY_STATES as readonly string[]).includes(String(attrs.state))) {
        errors.push({ field: 'state', message: `State must be one of: ${STORY_STATES.join(', ')}` });
      }
      if (attrs.story_type !== undefined && !(STORY_TYPES as readonly string[]).includes(String(attrs.story_type))) {
        errors.push({ field: 'story_type', message: `Story type must be one of: ${STORY_TYPES.join(', ')}` });
      }
      if ('title' in attrs && !creating && !String(attrs.title ?? '').trim()) errors.push({ field: 'title', message: "Title can't be blank" });
    } else if (resource === 'workspaces') {
      need('title', "Title can't be blank");
      need('creator_role', 'Creator role must be maven or buyer');
    } else {
      need('workspace_id', "Workspace can't be blank");
      need('date_performed', "Date performed can't be blank");
      need('time_in_minutes', "Time in minutes can't be blank");
      if (attrs.time_in_minutes !== undefined && !(Number.isInteger(Number(attrs.time_in_minutes)) && Number(attrs.time_in_minutes) >= 0)) {
        errors.push({ field: 'time_in_minutes', message: 'Time in minutes must be a whole number' });
      }
      if (attrs.story_id !== undefined && attrs.story_id !== null && !tables.stories.has(String(attrs.story_id))) errors.push({ field: 'story_id', message: 'Story does not exist' });
    }
    for (const k of Object.keys(attrs)) if (['id', 'created_at', 'updated_at'].includes(k)) errors.push({ field: k, message: `${k} cannot be set` });
    return errors;
  }

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  const keyed = (resource: Resource, rows: Row[], meta?: Obj) => ({
    count: meta?.count ?? rows.length,
    results: rows.map((r) => ({ key: resource, id: r.id })),
    [resource]: Object.fromEntries(rows.map((r) => [r.id, present(resource, r)])),
    meta: meta ?? { count: rows.length, page_count: 1, page_number: 1, page_size: rows.length },
  });

  function handle(req: IncomingMessage & { body: string }, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://double');
    const method = req.method ?? 'GET';
    if (limited > 0) {
      limited--;
      return json(res, 429, { errors: [{ type: 'rate_limit', message: 'Too many requests. Please retry later.' }] }, { 'retry-after': String(retryAfter) });
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      return json(res, 401, { errors: [{ type: 'oauth', message: 'Invalid OAuth 2 Access Token' }] });
    }
    const m = /^\/api\/v1\/(workspaces|stories|time_entries|users\/me)(?:\/([^/.]+))?\.json$/.exec(url.pathname);
    if (!m) return json(res, 404, { errors: [{ type: 'system', message: 'Resource not found' }] });
    if (m[1] === 'users/me') {
      return json(res, 200, {
        count: 1,
        results: [{ key: 'users', id: '501' }],
        users: { '501': { id: '501', full_name: 'Muninn Robot', email_address: 'robot@acme.test', account_id: '77' } },
        meta: { count: 1, page_count: 1, page_number: 1, page_size: 1 },
      });
    }
    const resource = m[1] as Resource;
    const id = m[2];
    let body: Obj = {};
    if (req.body) {
      try {
        body = JSON.parse(req.body) as Obj;
      } catch {
        return json(res, 400, { errors: [{ type: 'system', message: 'Could not parse the request body as JSON' }] });
      }
    }

    if (!id && method === 'GET') {
      const q = url.searchParams;
      let rows = [...tables[resource].values()];
      const filterId = (field: string) => {
        const v = q.get(field);
        if (v) rows = rows.filter((r) => String(r.data[field] ?? '') === v);
      };
      if (resource !== 'workspaces') filterId('workspace_id');
      if (resource === 'time_entries') filterId('story_id');
      if (resource === 'stories') filterId('story_type');
      const only = q.get('only');
      if (only) rows = rows.filter((r) => only.split(',').includes(r.id));
      for (const [param, cmp] of [
        ['updated_after', (r: Row, t: number) => Math.floor(r.updated / 1000) * 1000 > t],
        ['updated_before', (r: Row, t: number) => Math.floor(r.updated / 1000) * 1000 < t],
        ['created_after', (r: Row, t: number) => Math.floor(r.created / 1000) * 1000 > t],
      ] as const) {
        const v = q.get(param);
        if (!v) continue;
        const t = Date.parse(v);
        if (Number.isNaN(t)) return json(res, 400, { errors: [{ type: 'system', message: `${param} must be an ISO 8601 date time` }] });
        rows = rows.filter((r) => cmp(r, t));
      }
      const search = q.get('search');
      if (search) rows = rows.filter((r) => String(r.data.title ?? '').toLowerCase().includes(search.toLowerCase()));
      const [orderField = 'id', orderDir = 'asc'] = (q.get('order') ?? 'id:asc').split(':');
      const sortKey = (r: Row) => (orderField === 'updated_at' ? Math.floor(r.updated / 1000) : orderField === 'created_at' ? Math.floor(r.created / 1000) : Number(r.id));
      rows.sort((a, b) => (sortKey(a) - sortKey(b) || Number(a.id) - Number(b.id)) * (orderDir === 'desc' ? -1 : 1));
      const perPage = Math.min(Math.max(Number(q.get('per_page') ?? 20) || 20, 1), 200);
      const pageNumber = Math.max(Number(q.get('page') ?? 1) || 1, 1);
      const pageCount = Math.max(Math.ceil(rows.length / perPage), 1);
      const slice = rows.slice((pageNumber - 1) * perPage, pageNumber * perPage);
      return json(res, 200, keyed(resource, slice, { count: rows.length, page_count: pageCount, page_number: pageNumber, page_size: perPage }));
    }
    if (id && method === 'GET') {
      const row = tables[resource].get(id);
      if (!row) return json(res, 404, { errors: [{ type: 'system', message: `${singular[resource]} ${id} not found` }] });
      return json(res, 200, keyed(resource, [row]));
    }
    if (!id && method === 'POST') {
      const attrs = body[singular[resource]];
      if (!attrs || typeof attrs !== 'object' || Array.isArray(attrs)) {
        return json(res, 422, { errors: [{ type: 'validation', message: `The request body must hold a "${singular[resource]}" object` }] });
      }
      const errors = validate(resource, attrs as Obj, true);
      if (errors.length) return json(res, 422, { errors: errors.map((e) => ({ type: 'validation', field: e.field, message: e.message })) });
      const data = { ...(attrs as Obj) };
      for (const k of ['workspace_id', 'story_id']) if (data[k] !== undefined && data[k] !== null) data[k] = String(data[k]);
      const row = insert(resource, data);
      writes.push({ kind: 'create', resource, id: row.id, at: clock() });
      return json(res, 200, keyed(resource, [row]));
    }
    if (id && method === 'PUT') {
      const row = tables[resource].get(id);
      if (!row) return json(res, 404, { errors: [{ type: 'system', message: `${singular[resource]} ${id} not found` }] });
      const attrs = body[singular[resource]];
      if (!attrs || typeof attrs !== 'object' || Array.isArray(attrs)) {
        return json(res, 422, { errors: [{ type: 'validation', message: `The request body must hold a "${singular[resource]}" object` }] });
      }
      const errors = validate(resource, attrs as Obj, false);
      if (errors.length) return json(res, 422, { errors: errors.map((e) => ({ type: 'validation', field: e.field, message: e.message })) });
      patch(row, attrs as Obj);
      writes.push({ kind: 'update', resource, id, at: clock() });
      return json(res, 200, keyed(resource, [row]));
    }
    return json(res, 404, { errors: [{ type: 'system', message: 'Resource not found' }] });
  }

  const server = await startTestServer(handle);
  return {
    url: `${server.url}/api/v1`,
    token,
    requests: server.requests,
    close: () => server.close(),
    seedWorkspace(input) {
      return present('workspaces', insert('workspaces', { ...input, creator_role: 'maven' }));
    },
    seedStory(input) {
      if (!tables.workspaces.has(input.workspace_id)) throw new Error(`No workspace ${input.workspace_id} in the Mavenlink double`);
      return present('stories', insert('stories', { state: 'not started', story_type: 'task', ...input }));
    },
    humanUpdateStory(id, attrs) {
      const row = tables.stories.get(id);
      if (!row) throw new Error(`No story ${id} in the Mavenlink double`);
      patch(row, attrs);
      return present('stories', row);
    },
    story(id) {
      const row = tables.stories.get(id);
      return row ? present('stories', row) : undefined;
    },
    stories(workspaceId) {
      return [...tables.stories.values()].filter((r) => !workspaceId || r.data.workspace_id === workspaceId).map((r) => present('stories', r));
    },
    timeEntries() {
      return [...tables.time_entries.values()].map((r) => present('time_entries', r));
    },
    writes(filter = {}) {
      return writes.filter((w) => (!filter.kind || w.kind === filter.kind) && (!filter.resource || w.resource === filter.resource) && (!filter.id || w.id === filter.id));
    },
    rateLimit(requests, retryAfterSeconds = 1) {
      limited = requests;
      retryAfter = retryAfterSeconds;
    },
  };
}
