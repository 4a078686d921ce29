import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { httpRequestAgent } from './http-request';
import { makeTestContext } from './test-context';
import { PermanentAgentError } from './define-agent';
import { startTestServer, type TestServer } from '../testing/http-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer((req, res) => {
    if (req.url === '/text') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('plain words');
    if (req.url === '/gone') return void res.writeHead(410).end('gone for good');
    if (req.url === '/busy') return void res.writeHead(503).end('try later');
    res.writeHead(201, { 'content-type': 'application/json', 'x-trace': 'abc' }).end(JSON.stringify({ got: req.body ? JSON.parse(req.body) : null }));
  });
});
afterAll(() => server.close());

describe('http_request agent', () => {
  it('sends JSON and emits status, headers and parsed body', async () => {
    const { ctx, logs } = makeTestContext(httpRequestAgent, { method: 'POST', url: `${server.url}/echo`, headers: { 'x-a': '1' }, body: { a: 1 } });
    const [out] = await httpRequestAgent.run(ctx);
    expect(out).toMatchObject({ status: 201, headers: { 'x-trace': 'abc' }, body: { got: { a: 1 } } });
    const sent = server.requests.at(-1)!;
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers['x-a']).toBe('1');
    expect(logs[0]!.message).toMatch(/POST .* → 201/);
  });

  it('keeps text answers as text', async () => {
    const { ctx } = makeTestContext(httpRequestAgent, { url: `${server.url}/text` });
    expect((await httpRequestAgent.run(ctx))[0]!.body).toBe('plain words');
  });

  it('fails permanently on 4xx and retryably on 5xx, with the answer in the message', async () => {
    const gone = makeTestContext(httpRequestAgent, { url: `${server.url}/gone` });
    await expect(httpRequestAgent.run(gone.ctx)).rejects.toSatisfy((e: Error) => e instanceof PermanentAgentError && /answered 410.*gone for good/.test(e.message));
    const busy = makeTestContext(httpRequestAgent, { url: `${server.url}/busy` });
    await expect(httpRequestAgent.run(busy.ctx)).rejects.toSatisfy((e: Error) => !(e instanceof PermanentAgentError) && /503/.test(e.message));
  });

  it('explains a malformed address and refuses other protocols', async () => {
    await expect(httpRequestAgent.run(makeTestContext(httpRequestAgent, { url: 'not a url' }).ctx)).rejects.toThrow(/not a valid web address/);
    await expect(httpRequestAgent.run(makeTestContext(httpRequestAgent, { url: 'file:///etc/passwd' }).ctx)).rejects.toThrow(/Only http/);
  });

  it('validates options', () => {
    expect(httpRequestAgent.options.safeParse({ url: '' }).success).toBe(false);
    expect(httpRequestAgent.options.safeParse({ url: 'https://x', method: 'TRACE' }).success).toBe(false);
  });
});

describe('http_request agent with a credential', () => {
  let api: TestServer;
  let tokenRequests = 0;
  beforeAll(async () => {
    api = await startTestServer((req, res) => {
      if (req.url === '/oauth/token') {
        tokenRequests++;
        const ok = req.headers.authorization === `Basic ${Buffer.from('muninn:s3cret-client').toString('base64')}` && req.body.includes('grant_type=client_credentials');
        if (!ok) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: `tok-${tokenRequests}`, expires_in: 3600 }));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ auth: req.headers.authorization ?? null, key: req.headers['x-api-key'] ?? null }));
    });
  });
  afterAll(() => api.close());

  const credentials = (type: string, data: Record<string, string>) => ({
    get: async () => ({ type, name: 'Test credential', data }),
  });

  it('signs with basic auth, a header or a bearer token, without the secret in the event or logs', async () => {
    const cases: Array<[string, Record<string, string>, { auth: string | null; key: string | null }]> = [
      ['http_basic', { username: 'ada', password: 'pw-123456' }, { auth: `Basic ${Buffer.from('ada:pw-123456').toString('base64')}`, key: null }],
      ['http_header', { headerName: 'X-API-Key', value: 'key-123456' }, { auth: null, key: 'key-123456' }],
      ['bearer_token', { token: 'bearer-123456' }, { auth: 'Bearer bearer-123456', key: null }],
    ];
    for (const [type, data, expected] of cases) {
      const { ctx, logs } = makeTestContext(httpRequestAgent, { url: `${api.url}/me`, credential: 'c1' }, {}, { credentials: credentials(type, data) });
      const [out] = await httpRequestAgent.run(ctx);
      expect(out!.body).toEqual(expected);
      // The request headers are not part of what the agent emits or logs.
      const secret = Object.values(data).at(-1)!;
      expect(JSON.stringify({ headers: out!.headers, logs })).not.toContain(secret);
    }
  });

  it('gets an OAuth2 client-credentials token once, reuses it, and refuses a wrong client secret', async () => {
    const data = { tokenUrl: `${api.url}/oauth/token`, clientId: 'muninn', clientSecret: 's3cret-client' };
    const before = tokenRequests;
    for (let i = 0; i < 3; i++) {
      const { ctx } = makeTestContext(httpRequestAgent, { url: `${api.url}/me`, credential: 'oauth-1' }, {}, { credentials: credentials('oauth2_client_credentials', data) });
      const [out] = await httpRequestAgent.run(ctx);
      expect((out!.body as { auth: string }).auth).toBe(`Bearer tok-${before + 1}`);
    }
    expect(tokenRequests).toBe(before + 1);
    const wrong = makeTestContext(httpRequestAgent, { url: `${api.url}/me`, credential: 'oauth-2' }, {}, {
      credentials: credentials('oauth2_client_credentials', { ...data, clientSecret: 'nope' }),
    });
    await expect(httpRequestAgent.run(wrong.ctx)).rejects.toSatisfy(
      (e: Error) => e instanceof PermanentAgentError && /token service refused credential 'Test credential' \(invalid_client\)/.test(e.message) && !e.message.includes('nope'),
    );
  });
});

describe('http_request options', () => {
  it('keeps flows saved before query, body kinds and pages valid, with the same meaning', () => {
    const old = httpRequestAgent.options.parse({ method: 'POST', url: 'https://x/y', headers: { 'x-a': '1' }, body: { a: 1 } });
    expect(old).toMatchObject({ method: 'POST', bodyType: 'json', body: { a: 1 }, responseFormat: 'auto', pagination: { mode: 'none' } });
    expect(old.itemsPath).toBeUndefined();
  });

  it('explains invalid options in words', () => {
    const issues = (o: unknown) => httpRequestAgent.options.safeParse({ url: 'https://x', ...(o as object) }).error?.issues ?? [];
    expect(issues({ itemsPath: 'data', responseFormat: 'text' })[0]).toMatchObject({ path: ['itemsPath'], message: expect.stringMatching(/JSON answer/) });
    expect(issues({ pagination: { mode: 'cursor', cursorPath: 'next' }, responseFormat: 'text' })[0]?.message).toMatch(/reads the JSON answer/);
    expect(issues({ pagination: { mode: 'cursor', cursorPath: '' } })[0]?.message).toMatch(/Enter where the answer holds the next cursor/);
    expect(issues({ pagination: { mode: 'next_link', maxPages: 500 } })[0]?.message).toBe('At most 100 pages');
    expect(issues({ pagination: { mode: 'sideways' } })[0]?.message).toMatch(/Choose how to fetch more pages/);
    expect(issues({ bodyType: 'xml' })).toHaveLength(1);
    expect(issues({ query: { q: { nested: true } } })[0]?.message).toBe('Each value must be text or a number');
  });

  it('has a JSON Schema the settings form can draw: a text box per value, a shape picker for pages', () => {
    const schema = z.toJSONSchema(httpRequestAgent.options, { io: 'input' }) as { properties: Record<string, { additionalProperties?: unknown; oneOf?: Array<{ title?: string }> }> };
    for (const key of ['query', 'headers', 'form']) expect(schema.properties[key]!.additionalProperties).toEqual({ type: 'string' });
    expect(schema.properties.pagination!.oneOf?.map((v) => v.title)).toEqual([
      'One request, no pages',
      'Follow the "next" link of the Link header',
      'Cursor from the answer',
      'Page numbers (stop at an empty page)',
    ]);
  });
});

describe('http_request query, body kinds and response formats', () => {
  let echo: TestServer;
  beforeAll(async () => {
    echo = await startTestServer((req, res) => {
      if (req.url === '/html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Welcome</h1>');
      if (req.url === '/json-text') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('{"looks":"like json"}');
      if (req.url === '/nothing') return void res.writeHead(204).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: req.url, type: req.headers['content-type'] ?? null, raw: req.body }));
    });
  });
  afterAll(() => echo.close());

  const run = async (options: Record<string, unknown>, event = {}) => {
    const { ctx, logs } = makeTestContext(httpRequestAgent, options, event);
    return { events: await httpRequestAgent.run(ctx), logs };
  };

  it('adds query parameters to the address, encoded, next to the ones already there', async () => {
    const { events } = await run({ url: `${echo.url}/search?fixed=1`, query: { q: 'status = "open" & more', n: 5 } });
    const url = new URL((events[0]!.body as { url: string }).url, echo.url);
    expect([...url.searchParams]).toEqual([
      ['fixed', '1'],
      ['q', 'status = "open" & more'],
      ['n', '5'],
    ]);
  });

  it('sends form fields as a web form does', async () => {
    const { events } = await run({ method: 'POST', url: `${echo.url}/form`, bodyType: 'form', form: { name: 'Ada Lovelace', tags: 'a&b' } });
    const body = events[0]!.body as { type: string; raw: string };
    expect(body.type).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(body.raw))).toEqual({ name: 'Ada Lovelace', tags: 'a&b' });
  });

  it('sends text as it is with the chosen content type; a content-type header wins', async () => {
    const csv = 'id,name\n1,Ada\n';
    const sent = await run({ method: 'PUT', url: `${echo.url}/csv`, bodyType: 'text', rawBody: csv, contentType: 'text/csv' });
    expect(sent.events[0]!.body).toMatchObject({ type: 'text/csv', raw: csv });
    const own = await run({ method: 'POST', url: `${echo.url}/xml`, bodyType: 'text', rawBody: '<a/>', headers: { 'Content-Type': 'application/xml' } });
    expect(own.events[0]!.body).toMatchObject({ type: 'application/xml', raw: '<a/>' });
  });

  it('does not send a body with GET, and says so', async () => {
    const { events, logs } = await run({ method: 'GET', url: `${echo.url}/get`, body: { a: 1 } });
    expect(events[0]!.body).toMatchObject({ raw: '', type: null });
    expect(logs.find((l) => l.level === 'warn')?.message).toMatch(/not sent: GET requests carry no body/);
  });

  it('reads the answer as asked: json fails clearly on HTML, text keeps JSON as text', async () => {
    await expect(run({ url: `${echo.url}/html`, responseFormat: 'json' })).rejects.toSatisfy(
      (e: Error) => e instanceof PermanentAgentError && /answered with content of type text\/html that is not JSON: <h1>Welcome<\/h1>/.test(e.message),
    );
    expect((await run({ url: `${echo.url}/json-text`, responseFormat: 'json' })).events[0]!.body).toEqual({ looks: 'like json' });
    expect((await run({ url: `${echo.url}/json-text`, responseFormat: 'text' })).events[0]!.body).toBe('{"looks":"like json"}');
    expect((await run({ url: `${echo.url}/nothing`, responseFormat: 'json' })).events[0]).toMatchObject({ status: 204, body: null });
  });
});

describe('http_request pages', () => {
  let api: TestServer;
  beforeAll(async () => {
    api = await startTestServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const n = Number(url.searchParams.get('p') ?? url.searchParams.get('page') ?? 1);
      const send = (body: unknown, headers: Record<string, string> = {}) =>
        void res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      switch (url.pathname) {
        case '/link':
          // Relative links, as GitHub-style APIs may send, and a "last" link that must be ignored.
          return send({ data: { items: [{ id: n * 10 + 1 }, { id: n * 10 + 2 }] } }, n < 3 ? { link: `</link?p=${n + 1}>; rel="next", </link?p=3>; rel="last"` } : {});
        case '/loop':
          return send({ data: { items: [{ id: 1 }] } }, { link: '</loop>; rel="next"' });
        case '/offsite':
          return send({ data: { items: [] } }, { link: `<http://localhost:${req.headers.host!.split(':')[1]}/link>; rel="next"` });
        case '/cursor': {
          const order = [null, 'c2', 'c3'];
          const at = order.indexOf(url.searchParams.get('cursor'));
          return send({ items: [`item-${at + 1}`], meta: { next_cursor: order[at + 1] ?? null } });
        }
        case '/pages':
          return send({ results: n <= 3 ? [{ page: n }] : [] });
        case '/list':
          return send(n <= 2 ? [n] : []);
        case '/endless':
          return send({ results: [{ page: n }] });
        case '/many':
          return send({ results: Array.from({ length: 600 }, (_, i) => ({ i })) });
        default:
          return void res.writeHead(404).end();
      }
    });
  });
  afterAll(() => api.close());

  const run = async (options: Record<string, unknown>, overrides = {}) => {
    const before = api.requests.length;
    const { ctx, logs } = makeTestContext(httpRequestAgent, { url: `${api.url}/x`, ...options }, {}, overrides);
    const events = await httpRequestAgent.run(ctx);
    return { events, logs, requests: api.requests.slice(before) };
  };
  const runFailing = async (options: Record<string, unknown>) => {
    const before = api.requests.length;
    const error = await httpRequestAgent.run(makeTestContext(httpRequestAgent, options).ctx).then(
      () => undefined,
      (e: Error) => e,
    );
    return { error, requests: api.requests.slice(before) };
  };

  it('follows the "next" link, emits one event per item across pages, signs and keys every page', async () => {
    const credentials = { get: async () => ({ type: 'bearer_token', name: 'API', data: { token: 'tok-123456' } }) };
    const { events, requests } = await run(
      { url: `${api.url}/link`, pagination: { mode: 'next_link' }, itemsPath: 'data.items', credential: 'c1' },
      { credentials },
    );
    expect(events).toEqual([{ id: 11 }, { id: 12 }, { id: 21 }, { id: 22 }, { id: 31 }, { id: 32 }]);
    expect(requests.map((r) => r.url)).toEqual(['/link', '/link?p=2', '/link?p=3']);
    expect(requests.every((r) => r.headers.authorization === 'Bearer tok-123456')).toBe(true);
    expect(requests.map((r) => r.headers['idempotency-key'])).toEqual(['run-1:node-1:event-1', 'run-1:node-1:event-1:page-2', 'run-1:node-1:event-1:page-3']);
  });

  it('without an items path emits one event per page, numbered', async () => {
    const { events } = await run({ url: `${api.url}/link`, pagination: { mode: 'next_link' } });
    expect(events.map((e) => [e.page, e.status, (e.body as { data: { items: Array<{ id: number }> } }).data.items[0]!.id])).toEqual([
      [1, 200, 11],
      [2, 200, 21],
      [3, 200, 31],
    ]);
  });

  it('sends the cursor of each answer in the chosen parameter until there is none', async () => {
    const { events, requests } = await run({
      url: `${api.url}/cursor?limit=1`,
      pagination: { mode: 'cursor', cursorPath: 'meta.next_cursor', cursorParam: 'cursor' },
      itemsPath: 'items',
    });
    expect(events).toEqual([
      { value: 'item-1', index: 0 },
      { value: 'item-2', index: 1 },
      { value: 'item-3', index: 2 },
    ]);
    expect(requests.map((r) => r.url)).toEqual(['/cursor?limit=1', '/cursor?limit=1&cursor=c2', '/cursor?limit=1&cursor=c3']);
  });

  it('counts pages until one is empty, and does not emit the empty one', async () => {
    const items = await run({ url: `${api.url}/pages`, pagination: { mode: 'page_number', pageParam: 'page', startPage: 1 }, itemsPath: 'results' });
    expect(items.events).toEqual([{ page: 1 }, { page: 2 }, { page: 3 }]);
    expect(items.requests.map((r) => r.url)).toEqual(['/pages?page=1', '/pages?page=2', '/pages?page=3', '/pages?page=4']);
    // An answer that is itself the list needs no items path; one event per non-empty page.
    const whole = await run({ url: `${api.url}/list`, pagination: { mode: 'page_number' } });
    expect(whole.events.map((e) => [e.page, e.body])).toEqual([
      [1, [1]],
      [2, [2]],
    ]);
  });

  it('stops at max pages and notes it in the log, without failing', async () => {
    const { events, logs, requests } = await run({ url: `${api.url}/endless`, pagination: { mode: 'page_number', maxPages: 3 }, itemsPath: 'results' });
    expect(events).toEqual([{ page: 1 }, { page: 2 }, { page: 3 }]);
    expect(requests).toHaveLength(3);
    expect(logs.at(-1)).toMatchObject({ level: 'info', message: expect.stringMatching(/Stopped after 3 pages, the max pages setting/) });
  });

  it('stops when the API points back at a page it already sent', async () => {
    const { events, logs, requests } = await run({ url: `${api.url}/loop`, pagination: { mode: 'next_link' }, itemsPath: 'data.items' });
    expect(events).toEqual([{ id: 1 }]);
    expect(requests).toHaveLength(1);
    expect(logs.find((l) => l.level === 'warn')?.message).toMatch(/already sent/);
  });

  it('refuses a next link to another site, so headers and credentials stay put', async () => {
    const { error, requests } = await runFailing({ url: `${api.url}/offsite`, pagination: { mode: 'next_link' } });
    expect(error).toBeInstanceOf(PermanentAgentError);
    expect(error?.message).toMatch(/next page of GET 127\.0\.0\.1:\d+\/offsite is on another site \(localhost:\d+\)/);
    expect(requests).toHaveLength(1);
  });

  it('fails with advice when the items would exceed what one step may emit, without fetching further', async () => {
    const { error, requests } = await runFailing({ url: `${api.url}/many`, pagination: { mode: 'page_number', maxPages: 50 }, itemsPath: 'results' });
    expect(error).toBeInstanceOf(PermanentAgentError);
    expect(error?.message).toMatch(/more than 1,000 items \(1,200 after 2 pages\).*lower max pages/);
    expect(requests).toHaveLength(2);
  });

  it('says what is wrong when the items are not where the path points', async () => {
    const missing = await runFailing({ url: `${api.url}/link`, itemsPath: 'data.issues' });
    expect(missing.error?.message).toBe('The answer has no field "data.issues" (the items path). Its top-level fields are: data.');
    const notList = await runFailing({ url: `${api.url}/cursor`, itemsPath: 'meta' });
    expect(notList.error?.message).toMatch(/has "meta", but it is not a list/);
    const noList = await runFailing({ url: `${api.url}/endless`, pagination: { mode: 'page_number' } });
    expect(noList.error?.message).toMatch(/set the items path/);
    expect(noList.requests).toHaveLength(1);
  });
});
