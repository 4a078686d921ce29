import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setDb } from '@/server/db';
import { resetEnvCache } from '@/server/env';
import { closeQueues } from '@/server/queue/queues';
import { defaultWorkspaceId, forgetDefaultWorkspace } from '@/server/services/workspaces';
import { createFlow, getFlow } from '@/server/services/flows';
import { handleWebhookRequest, isWebhookRequest } from './webhook-listener';

let tdb: TestDatabase;
let server: Server;
let base: string;
let ws: string;

beforeAll(async () => {
  tdb = await createTestDatabase('ingress');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: testQueuePrefix('ingress'), MUNINN_MAX_PAYLOAD_BYTES: '2000' });
  resetEnvCache();
  setDb(tdb.db);
  forgetDefaultWorkspace();
  ws = await defaultWorkspaceId();
  // The listener alone, as scripts/web-server.ts puts it in front of Next.js.
  server = createServer((req, res) => {
    if (isWebhookRequest(req)) return void handleWebhookRequest(req, res);
    res.writeHead(418).end('not a webhook');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  delete process.env.MUNINN_MAX_PAYLOAD_BYTES;
  await closeQueues();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await tdb?.drop();
});

async function hookToken(name: string): Promise<{ id: string; token: string }> {
  const { id } = await createFlow(ws, { name, graph: { nodes: [{ id: 'hook', type: 'webhook', options: {} }], edges: [] } });
  const token = (await getFlow(ws, id, 'http://l')).webhooks[0]!.url.split('/').pop()!;
  return { id, token };
}

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

describe('the webhook listener in front of Next.js', () => {
  it('accepts a delivery into a new run with the API security headers, once per delivery id', async () => {
    const { token } = await hookToken('Listener');
    const res = await post(`/api/hooks/${token}`, '{"ticket":"OPS-7"}', { 'webhook-id': 'delivery-1' });
    expect(res.status).toBe(202);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const { runId } = (await res.json()) as { runId: string };
    const event = await tdb.db.event.findFirstOrThrow({ where: { runId } });
    expect(event.payload).toEqual({ ticket: 'OPS-7' });

    const again = await post(`/api/hooks/${token}`, '{"ticket":"OPS-7"}', { 'webhook-id': 'delivery-1' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ runId, duplicate: true });
  });

  it('answers unknown addresses, inactive flows, bad JSON and oversized bodies in plain words, and writes nothing', async () => {
    const { id, token } = await hookToken('Listener refusals');
    const before = await tdb.db.run.count();
    const unknown = await post('/api/hooks/nope', '{}');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(/webhook address was not found/);
    expect((await post(`/api/hooks/${token}`, 'not json')).status).toBe(400);
    const big = await post(`/api/hooks/${token}`, JSON.stringify({ text: 'x'.repeat(5_000) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { message: string } }).error.message).toMatch(/larger than the limit/);
    await tdb.db.flow.update({ where: { id }, data: { active: false } });
    expect((await post(`/api/hooks/${token}`, '{}')).status).toBe(404);
    expect(await tdb.db.run.count()).toBe(before);
  });

  it('leaves every other request to Next.js', async () => {
    expect((await fetch(`${base}/api/hooks/x`, { method: 'GET' })).status).toBe(418);
    expect((await post('/api/health', '{}')).status).toBe(418);
  });
});
