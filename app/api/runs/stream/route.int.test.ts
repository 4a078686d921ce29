import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { startWorker, waitFor, type WorkerHandle } from '@/server/testing/worker-process';
import { resetEnvCache } from '@/server/env';
import { closeQueues } from '@/server/queue/queues';
import { createSession } from '@/server/auth/sessions';
import { createFlow } from '@/server/services/flows';
import { startRun } from '@/server/services/runs';
import { closeRunEvents, runChangeListenerCount, type RunChange } from '@/server/services/monitoring/events';
import { closeMonitoringRedis, runEventsChannel } from '@/server/services/monitoring/redis';
import { GET } from './route';

let tdb: TestDatabase;
let worker: WorkerHandle;
let server: Server;
let base: string;
let ws: string;
let cookie: string;
let strangerCookie: string;
let flowId: string;

/** Serves the route handler over real HTTP, so the test reads the stream with a real fetch. */
async function serve(handler: (req: Request) => Promise<Response>): Promise<Server> {
  const srv = createServer((req, res) => {
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : [])),
      signal: controller.signal,
    });
    void handler(request).then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.flushHeaders();
      if (!response.body) return void res.end();
      const reader = response.body.getReader();
      res.on('close', () => void reader.cancel().catch(() => undefined));
      for (;;) {
        const { done, value } = await reader.read().catch(() => ({ done: true as const, value: undefined }));
        if (done) break;
        res.write(value);
      }
      res.end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return srv;
}

interface Stream {
  events: Array<{ event: string; data: string }>;
  comments: string[];
  close(): void;
  done: Promise<void>;
}

/** Opens the event stream and parses it as it arrives. */
async function open(query: string, withCookie = cookie): Promise<{ status: number; stream?: Stream; body?: unknown }> {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/runs/stream${query}`, { headers: withCookie ? { cookie: withCookie } : {}, signal: abort.signal });
  if (res.status !== 200) return { status: res.status, body: await res.json() };
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const stream: Stream = { events: [], comments: [], close: () => abort.abort(), done: Promise.resolve() };
  const decoder = new TextDecoder();
  let buffer = '';
  stream.done = (async () => {
    const reader = res.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const lines = block.split('\n');
          const comment = lines.find((l) => l.startsWith(':'));
          if (comment) stream.comments.push(comment);
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          if (event && data !== undefined) stream.events.push({ event, data });
        }
      }
    } catch {
      // aborted
    }
  })();
  await waitFor(async () => stream.events.some((e) => e.event === 'ready'), { what: 'the ready event' });
  return { status: 200, stream };
}

const changes = (s: Stream) => s.events.filter((e) => e.event === 'run').map((e) => JSON.parse(e.data) as RunChange);

const graph = {
  nodes: [
    { id: 'start', type: 'manual', options: {} },
    { id: 'shape', type: 'transform', options: { template: { greeting: 'Hello {{ name }}' } } },
  ],
  edges: [{ source: 'start', target: 'shape' }],
};

beforeAll(async () => {
  tdb = await createTestDatabase('runstream');
  const prefix = testQueuePrefix('runstream');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: prefix, MUNINN_SSE_HEARTBEAT_MS: '300' });
  resetEnvCache();
  ws = (await tdb.db.workspace.create({ data: { name: 'Mine', slug: 'mine' } })).id;
  const theirs = (await tdb.db.workspace.create({ data: { name: 'Theirs', slug: 'theirs' } })).id;
  const member = await tdb.db.user.create({ data: { email: 'viewer@example.com', name: 'Viewer' } });
  const stranger = await tdb.db.user.create({ data: { email: 'stranger@example.com', name: 'Stranger' } });
  await tdb.db.membership.create({ data: { workspaceId: ws, userId: member.id, role: 'viewer' } });
  await tdb.db.membership.create({ data: { workspaceId: theirs, userId: stranger.id, role: 'owner' } });
  cookie = `muninn_session=${(await createSession(member.id)).token}`;
  strangerCookie = `muninn_session=${(await createSession(stranger.id)).token}`;
  flowId = (await createFlow(ws, { name: 'Greeter', graph })).id;
  server = await serve(GET);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  worker = startWorker({ DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: prefix });
});

afterAll(async () => {
  const code = await worker?.stop('SIGTERM');
  expect(code, worker?.output()).toBe(0);
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await closeRunEvents();
  await closeMonitoringRedis();
  await closeQueues();
  await tdb?.drop();
});

describe('GET /api/runs/stream', () => {
  it('streams the changes of a flow’s runs as the worker executes them, with heartbeats', async () => {
    const { stream } = await open(`?flowId=${flowId}`);
    const { runId } = await startRun(ws, { flowId, triggerKind: 'manual', payload: { name: 'Ada' } });
    await waitFor(async () => changes(stream!).some((c) => c.status === 'succeeded'), { what: 'the run to succeed on the stream', timeoutMs: 30_000 });
    const seen = changes(stream!);
    expect(seen.every((c) => c.runId === runId && c.flowId === flowId && c.workspaceId === ws)).toBe(true);
    // Each notification reads the committed state when it is sent, so under load a later state may
    // already show in an earlier notification; what must hold: the states seen, and every step.
    expect(seen.every((c) => ['queued', 'running', 'succeeded'].includes(c.status))).toBe(true);
    // queued, and one per step; "running" too when the first step takes a while (a quick chain
    // goes from queued to succeeded in one record).
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.map((c) => c.status)).toContain('queued');
    expect(seen.filter((c) => c.nodeId).every((c) => c.status === 'succeeded' || c.status === 'running')).toBe(true);
    expect(
      seen
        .filter((c) => c.nodeId)
        .map((c) => `${c.nodeId}:${c.stepStatus}`)
        .sort(),
    ).toEqual(['shape:succeeded', 'start:succeeded']);
    // Notifications carry ids and statuses only, never payloads.
    expect(JSON.stringify(seen)).not.toContain('Ada');
    await waitFor(async () => stream!.comments.length >= 2, { what: 'heartbeats' });
    expect(stream!.comments[0]).toMatch(/^: keep-alive/);
    stream!.close();
    await stream!.done;
  });

  it('delivers only the run asked for, through one shared Redis subscription, and cleans up on disconnect', async () => {
    const first = await startRun(ws, { flowId, triggerKind: 'manual', payload: { name: 'One' } });
    await waitFor(async () => (await tdb.db.run.findUniqueOrThrow({ where: { id: first.runId } })).status === 'succeeded', { what: 'the first run' });
    const { stream: oneRun } = await open(`?runId=${first.runId}`);
    const { stream: wholeWorkspace } = await open('');
    expect(runChangeListenerCount()).toBe(2);
    const probe = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const [, subscribers] = (await probe.pubsub('NUMSUB', runEventsChannel())) as [string, number];
    expect(Number(subscribers)).toBe(1);
    await probe.quit();

    const second = await startRun(ws, { flowId, triggerKind: 'manual', payload: { name: 'Two' } });
    await waitFor(async () => changes(wholeWorkspace!).some((c) => c.runId === second.runId && c.status === 'succeeded'), {
      what: 'the second run on the workspace stream',
      timeoutMs: 30_000,
    });
    expect(changes(oneRun!)).toEqual([]);

    oneRun!.close();
    wholeWorkspace!.close();
    await Promise.all([oneRun!.done, wholeWorkspace!.done]);
    await waitFor(async () => runChangeListenerCount() === 0, { what: 'listeners to be removed after disconnect' });
  });

  it('answers 401 without a session, 404 for another workspace’s run or flow, 400 for bad ids', async () => {
    expect((await open(`?flowId=${flowId}`, '')).status).toBe(401);
    const foreign = await open(`?flowId=${flowId}`, strangerCookie);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const run = await tdb.db.run.findFirstOrThrow({ where: { flowId } });
    expect((await open(`?runId=${run.id}`, strangerCookie)).status).toBe(404);
    expect((await open('?runId=nope')).status).toBe(400);
    expect((await open(`?runId=${run.id}&flowId=${flowId}`)).status).toBe(400);
    expect(runChangeListenerCount()).toBe(0);
  });
});
