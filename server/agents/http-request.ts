import { defineAgent, PermanentAgentError, type AgentContext, type JsonObject, type JsonValue } from './define-agent';
import { authHeaders, forgetTokens } from './http-auth';
import { callName, readAnswer, type HttpAnswer } from './http-answer';
import { cursorOf, nextLinkOf, withParam } from './http-paging';
import { httpRequestOptions, MAX_PAGES, type HttpRequestOptions } from './http-request-options';
import { itemsToEvents, MAX_SPLIT_ITEMS } from './split';
import { getPath } from '../engine/liquid';

/** Same bound as Split: a step that would emit more fails with advice instead of flooding the flow. */
const MAX_ITEMS = MAX_SPLIT_ITEMS;
const count = (n: number) => n.toLocaleString('en-US');

type Ctx = AgentContext<HttpRequestOptions>;

function firstUrl(o: HttpRequestOptions): URL {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    throw new PermanentAgentError(`"${o.url}" is not a valid web address. It should start with https:// or http://.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PermanentAgentError(`Only http:// and https:// addresses can be called, not "${url.protocol}".`);
  }
  for (const [name, value] of Object.entries(o.query ?? {})) url.searchParams.append(name, value);
  return url;
}

function requestBody(ctx: Ctx): { text: string; contentType: string } | undefined {
  const o = ctx.options;
  const given = o.bodyType === 'form' ? o.form : o.bodyType === 'text' ? o.rawBody : o.body;
  if (given === undefined) return undefined;
  if (o.method === 'GET' || o.method === 'DELETE') {
    ctx.log.warn(`The ${o.bodyType} body is not sent: ${o.method} requests carry no body. Use POST, PUT or PATCH to send it.`);
    return undefined;
  }
  if (o.bodyType === 'form') return { text: new URLSearchParams(o.form).toString(), contentType: 'application/x-www-form-urlencoded' };
  if (o.bodyType === 'text') return { text: o.rawBody ?? '', contentType: o.contentType };
  return { text: typeof o.body === 'string' ? o.body : JSON.stringify(o.body), contentType: 'application/json' };
}

function requestHeaders(given: Record<string, string>, contentType: string | undefined): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(given)) {
    try {
      headers.set(name, value);
    } catch {
      throw new PermanentAgentError(`The header "${name}" cannot be sent: a header name is one word without spaces, and its value has no line breaks.`);
    }
  }
  if (contentType && !headers.has('content-type')) headers.set('content-type', contentType);
  return headers;
}

/** The list at `path` in one answer; null counts as an empty list (some APIs send it for "none"). */
function itemsOf(answer: HttpAnswer, path: string, page: number): JsonValue[] {
  const where = page > 1 ? `Answer ${page}` : 'The answer';
  if (typeof answer.body !== 'object' || answer.body === null) {
    throw new PermanentAgentError(`${where} is not JSON, so Muninn cannot take the items at "${path}" from it.`);
  }
  const list = getPath(answer.body, path);
  if (list === null) return [];
  if (list === undefined) {
    const fields = Array.isArray(answer.body) ? '' : Object.keys(answer.body).slice(0, 10).join(', ');
    throw new PermanentAgentError(`${where} has no field "${path}" (the items path).${fields ? ` Its top-level fields are: ${fields}.` : ''}`);
  }
  if (!Array.isArray(list)) throw new PermanentAgentError(`${where} has "${path}", but it is not a list, so it has no items to emit.`);
  return list;
}

/** Where the next page is, or undefined when this was the last one. */
function nextPage(o: HttpRequestOptions, base: URL, url: URL, answer: HttpAnswer, items: JsonValue[] | undefined, page: number): URL | undefined {
  const p = o.pagination;
  switch (p.mode) {
    case 'none':
      return undefined;
    case 'next_link':
      return nextLinkOf(typeof answer.headers.link === 'string' ? answer.headers.link : null, url);
    case 'cursor': {
      if (typeof answer.body !== 'object' || answer.body === null) {
        throw new PermanentAgentError(`The answer is not JSON, so Muninn cannot read the next cursor at "${p.cursorPath}".`);
      }
      const cursor = cursorOf(answer.body, p.cursorPath);
      return cursor === undefined ? undefined : withParam(base, p.cursorParam, cursor);
    }
    case 'page_number': {
      const list = items ?? (Array.isArray(answer.body) ? answer.body : undefined);
      if (!list) {
        throw new PermanentAgentError(
          'Page numbering stops at the first empty page, so Muninn needs to know where the list is: set the items path (e.g. data.items).',
        );
      }
      return list.length === 0 ? undefined : withParam(base, p.pageParam, String(p.startPage + page));
    }
  }
}

export const httpRequestAgent = defineAgent({
  type: 'http_request',
  name: 'HTTP request',
  category: 'HTTP',
  icon: 'Globe',
  summary: 'Call any web API and pass its answer on.',
  description: `Sends a request to a web address and emits the response. Every option can use values
from the incoming event with Liquid, e.g. \`https://api.example.com/issues/{{ issue.key }}\`.

- **Query parameters** are added to the address (\`?status=open\`), encoded for you.
- **Body kind** (POST, PUT and PATCH): **json** sends the JSON body; **form** sends the form
  fields as a web form does (\`application/x-www-form-urlencoded\`); **text** sends the text as
  it is, with the content type you choose (\`text/csv\`, \`application/xml\`…).
- **Response format**: **auto** reads JSON when the answer looks like JSON and text otherwise;
  **json** fails the step when the answer is not JSON; **text** always keeps the text.

A response that is not successful (status outside 200–299) fails the step with the status and
the start of the answer. Requests carry an \`Idempotency-Key\` header that stays the same when the
step is retried, so APIs that honour it perform the effect once.

**Credential** (optional): signs the request with basic auth, a header such as \`X-API-Key\`, a
bearer token, or OAuth2 client credentials (Muninn asks the token service for an access token,
reuses it until it expires and then asks again). Secrets never appear in events or logs.

**Pages**: APIs that answer in pages can be followed page by page, with the same method,
headers, credential and body:
- **next link**: the \`Link: <…>; rel="next"\` header of each answer (GitHub, GitLab, Shopify…).
  A link to another site is refused, so headers and credentials stay with the site you chose.
- **cursor**: the answer holds the cursor of the next page (e.g. \`meta.next_cursor\`); it is sent
  in a query parameter (e.g. \`cursor\`). Paging stops when the cursor is empty.
- **page numbers**: \`page=1\`, \`page=2\`, … until a page has no items (set the items path,
  unless the answer itself is the list). That empty page is not emitted.

At most **max pages** are fetched (${MAX_PAGES} at most); stopping there is noted in the step log.
Each page has its own idempotency key (the step's key, then \`…:page-2\`, \`…:page-3\`).

**Emits**
- without an items path: one event per answer with \`status\`, \`headers\` and \`body\` (parsed
  JSON, or text). When paging, each event also has \`page\` (1 for the first answer).
- with an **items path** (e.g. \`data.issues\`): one event per item of that list, across all
  pages. An item that is an object is emitted as it is; anything else as \`{ "value": …, "index": 0 }\`.
  More than ${count(MAX_ITEMS)} items fail the step: ask the API for fewer (a filter in the query) or lower max pages.`,
  exampleEvent: { status: 200, headers: { 'content-type': 'application/json' }, body: { id: 7, name: 'Acme' } },
  options: httpRequestOptions,
  defaultOptions: { method: 'GET', url: 'https://example.com' },
  capabilities: { receives: true, dryRun: true },
  // A path is not a template: keep "{{" from being rendered away.
  rawOptions: ['itemsPath'],
  async run(ctx) {
    const o = ctx.options;
    const base = firstUrl(o);
    const body = requestBody(ctx);
    const auth = o.credential ? await authHeaders(ctx, o.credential) : {};
    const headers = requestHeaders({ ...o.headers, ...auth }, body?.contentType);
    // Unique per request, stable across retries of the step: the same page gets the same key.
    const key = headers.get('idempotency-key') ?? ctx.step.idempotencyKey;
    const maxPages = o.pagination.mode === 'none' ? 1 : o.pagination.maxPages;

    const answers: JsonObject[] = [];
    const items: JsonValue[] = [];
    let url = o.pagination.mode === 'page_number' ? withParam(base, o.pagination.pageParam, String(o.pagination.startPage)) : base;
    const fetched = new Set<string>();
    for (let page = 1; ; page++) {
      ctx.signal.throwIfAborted();
      fetched.add(url.toString());
      headers.set('idempotency-key', page === 1 ? key : `${key}:page-${page}`);
      const res = await ctx.http.fetch(url.toString(), { method: o.method, headers, ...(body ? { body: body.text } : {}) });
      if (res.status === 401 && o.credential) forgetTokens(o.credential);
      const answer = await readAnswer(res, callName(o.method, url), o.responseFormat);
      ctx.log.info(`${o.method} ${url.toString()} → ${res.status}`);

      const pageItems = o.itemsPath ? itemsOf(answer, o.itemsPath, page) : undefined;
      const next = nextPage(o, base, url, answer, pageItems, page);
      const emptyLastPage = o.pagination.mode === 'page_number' && next === undefined;
      if (pageItems) items.push(...pageItems);
      else if (!emptyLastPage) answers.push(o.pagination.mode === 'none' ? answer : { ...answer, page });
      if (items.length > MAX_ITEMS) {
        throw new PermanentAgentError(
          `The answers hold more than ${count(MAX_ITEMS)} items (${count(items.length)} after ${page === 1 ? 'the first page' : `${page} pages`}); one step can emit at most ${count(MAX_ITEMS)}. Ask the API for fewer (a filter in the query) or lower max pages.`,
        );
      }

      if (!next) break;
      if (next.origin !== base.origin) {
        throw new PermanentAgentError(
          `The next page of ${callName(o.method, url)} is on another site (${next.host}). Muninn does not send this request's headers and credential there, so paging stopped.`,
        );
      }
      if (fetched.has(next.toString())) {
        ctx.log.warn(`The API pointed again at a page it had already sent (${next.toString()}), so paging stopped.`);
        break;
      }
      if (page >= maxPages) {
        ctx.log.info(`Stopped after ${page} pages, the max pages setting; the API has more.`);
        break;
      }
      url = next;
    }
    return o.itemsPath ? itemsToEvents(items) : answers;
  },
});
