import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
