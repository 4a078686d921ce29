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
