import { PermanentAgentError, type JsonObject, type JsonValue } from '../../agents/define-agent';
import type { CredentialData } from '../../agents/credential-types';
import { errorForStatus, readErrorBody, readJson, send, withQuery, type ApiTarget, type FetchFn } from '../http';

/**
 * A small client for the Mavenlink (Kantata OX) API v1. Answers come as
 * `{ count, results: [{ key: 'stories', id: '7' }], stories: { '7': {...} }, meta: { page_count, … } }`:
 * `results` gives the order, the objects sit in a map under their plural name. The client hands
 * out plain objects in `results` order. Errors come as `{ errors: [{ type, message }] }`.
 */

export const RESOURCES = {
  workspaces: 'workspace',
  stories: 'story',
  time_entries: 'time_entry',
} as const;
export type Resource = keyof typeof RESOURCES;

/** Kantata's limit on per_page. */
export const MAX_PER_PAGE = 200;

export type QueryParams = Record<string, string | number | boolean | undefined>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `results` + keyed objects → plain objects in order. Objects of other keys (includes) are left out. */
export function flattenResults(body: JsonValue, key?: string): JsonObject[] {
  if (!isObject(body) || !Array.isArray(body.results)) return [];
  const out: JsonObject[] = [];
  for (const ref of body.results) {
    if (!isObject(ref) || typeof ref.key !== 'string' || ref.id === undefined) continue;
    if (key && ref.key !== key) continue;
    const bucket = body[ref.key];
    const item = isObject(bucket) ? bucket[String(ref.id)] : undefined;
    if (isObject(item)) out.push(item);
  }
  return out;
}

export function mavenlinkErrorDetail(body: JsonValue): string {
  if (isObject(body) && Array.isArray(body.errors)) {
    return body.errors
      .map((e) => (isObject(e) ? [typeof e.field === 'string' ? `${e.field}: ` : '', String(e.message ?? e.type ?? '')].join('') : String(e)))
      .filter(Boolean)
      .join('; ');
  }
  return typeof body === 'string' ? body.slice(0, 300) : '';
}

export interface ListPage {
  items: JsonObject[];
  count: number;
  pageCount: number;
}

export class MavenlinkClient {
  private readonly target: ApiTarget;

  constructor(
    private readonly fetchFn: FetchFn,
    private readonly credential: { name: string; data: CredentialData<'mavenlink'> },
  ) {
    this.target = { service: 'Mavenlink', credentialName: credential.name, secrets: [credential.data.token] };
  }

  private async call(method: 'GET' | 'POST' | 'PUT', path: string, what: string, opts: { query?: QueryParams; body?: JsonValue; allow404?: boolean } = {}) {
    const url = withQuery(`${this.credential.data.baseUrl}${path}`, opts.query ?? {});
    const headers: Record<string, string> = { authorization: `Bearer ${this.credential.data.token}`, accept: 'application/json' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await send(this.fetchFn, url, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) }, this.target, what);
    if (res.status === 404 && opts.allow404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) throw errorForStatus(res, this.target, what, mavenlinkErrorDetail(await readErrorBody(res)));
    return readJson(res, this.target, what);
  }

  async me(): Promise<JsonObject | undefined> {
    return flattenResults(await this.call('GET', '/users/me.json', 'read the current user') ?? null, 'users')[0];
  }

  async listPage(resource: Resource, params: QueryParams, page: number, perPage: number): Promise<ListPage> {
    const body = await this.call('GET', `/${resource}.json`, `list ${resource.replace('_', ' ')}`, { query: { ...params, page, per_page: perPage } });
    if (!isObject(body) || !Array.isArray(body.results)) {
      throw new PermanentAgentError(`Mavenlink answered in an unexpected format. Check the API address of credential '${this.credential.name}'.`);
    }
    const meta = isObject(body.meta) ? body.meta : {};
    const count = typeof body.count === 'number' ? body.count : Number(meta.count ?? 0);
    const pageCount = Number(meta.page_count ?? Math.ceil(count / perPage));
    return { items: flattenResults(body, resource), count, pageCount: Number.isFinite(pageCount) ? pageCount : 1 };
  }

  /** Every page (page/per_page until page_count), up to `maxItems`. */
  async listAll(resource: Resource, params: QueryParams, opts: { maxItems: number; perPage?: number }): Promise<{ items: JsonObject[]; truncated: boolean; pages: number }> {
    const perPage = Math.min(opts.perPage ?? MAX_PER_PAGE, MAX_PER_PAGE);
    const items: JsonObject[] = [];
    let page = 1;
    for (;;) {
      const res = await this.listPage(resource, params, page, perPage);
      items.push(...res.items);
      if (items.length >= opts.maxItems) return { items: items.slice(0, opts.maxItems), truncated: items.length > opts.maxItems || page < res.pageCount, pages: page };
      if (page >= res.pageCount || res.items.length === 0) return { items, truncated: false, pages: page };
      page++;
    }
  }

  /** One object, or undefined when it does not exist (or the user may not see it). */
  async get(resource: Resource, id: string): Promise<JsonObject | undefined> {
    const singular = RESOURCES[resource].replace('_', ' ');
    const body = await this.call('GET', `/${resource}/${encodeURIComponent(id)}.json`, `read ${singular} ${id}`, { allow404: true });
    return body === undefined ? undefined : flattenResults(body, resource)[0];
  }

  async create(resource: Resource, attributes: JsonObject): Promise<JsonObject> {
    const singular = RESOURCES[resource];
    const body = await this.call('POST', `/${resource}.json`, `create the ${singular.replace('_', ' ')}`, { body: { [singular]: attributes } });
    const created = flattenResults(body ?? null, resource)[0];
    if (!created) throw new PermanentAgentError(`Mavenlink answered in an unexpected format when creating the ${singular.replace('_', ' ')}.`);
    return created;
  }

  async update(resource: Resource, id: string, attributes: JsonObject): Promise<JsonObject> {
    const singular = RESOURCES[resource];
    const body = await this.call('PUT', `/${resource}/${encodeURIComponent(id)}.json`, `update ${singular.replace('_', ' ')} ${id}`, { body: { [singular]: attributes } });
    const updated = flattenResults(body ?? null, resource)[0];
    if (!updated) throw new PermanentAgentError(`Mavenlink answered in an unexpected format when updating ${singular.replace('_', ' ')} ${id}.`);
    return updated;
  }
}
