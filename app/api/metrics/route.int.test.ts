import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from 'prom-client';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { startWorker, waitFor, type WorkerHandle } from '@/server/testing/worker-process';
import { startTestServer, type TestServer } from '@/server/testing/http-server';
import { resetEnvCache } from '@/server/env';
import { closeQueues } from '@/server/queue/queues';
import { closeScheduleQueue } from '@/server/services/schedules';
import { createFlow } from '@/server/services/flows';
import { startRun } from '@/server/services/runs';
import { publishRunChange } from '@/server/services/monitoring/events';
import { closeMonitoringRedis } from '@/server/services/monitoring/redis';
import { GET } from './route';

let tdb: TestDatabase;
let worker: WorkerHandle | undefined;
let api: TestServer;
let ws: string;
let prefix: string;

async function scrape(headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await GET(new Request('http://localhost/api/metrics', { headers }));
  return { status: res.status, text: await res.text() };
}

/** The value of one series, e.g. value(text, 'muninn_queue_jobs', { queue: 'steps', state: 'waiting' }). */
function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (.+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v) && Object.keys(found).length === Object.keys(labels).length) return Number(m[3]);
  }
  return undefined;
}

beforeAll(async () => {
  tdb = await createTestDatabase('metrics');
  prefix = testQueuePrefix('metrics');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: prefix, MUNINN_ALLOWED_HOSTS: '127.0.0.1' });
  delete process.env.MUNINN_METRICS_TOKEN;
  resetEnvCache();
  ws = (await tdb.db.workspace.create({ data: { name: 'Mine', slug: 'mine' } })).id;
  api = await startTestServer((_req, res) => void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"missing"}'));
});

afterAll(async () => {
  if (worker) expect(await worker.stop('SIGTERM'), worker.output()).toBe(0);
  await closeMonitoringRedis();
  await closeQueues();
  await closeScheduleQueue();
  await api?.close();
  await tdb?.drop();
});

describe('GET /api/metrics', () => {
  it('exposes queue depth, run and step counters, durations and heartbeats that change as jobs flow', async () => {
    const good = await createFlow(ws, {
      name: 'Good',
      graph: {
        nodes: [
          { id: 'start', type: 'manual', options: {} },
          { id: 'shape', type: 'transform', options: { template: { ok: true } } },
        ],
        edges: [{ source: 'start', target: 'shape' }],
      },
    });
    const bad = await createFlow(ws, {
      name: 'Bad',
      graph: {
        nodes: [
          { id: 'start', type: 'manual', options: {} },
          { id: 'fetch', type: 'http_request', options: { method: 'GET', url: `${api.url}/missing` } },
        ],
        edges: [{ source: 'start', target: 'fetch' }],
      },
    });

    // No worker yet: the two runs' first steps wait in the queue.
    const runs = [await startRun(ws, { flowId: good.id, triggerKind: 'manual' }), await startRun(ws, { flowId: bad.id, triggerKind: 'manual' })];
    await new Promise((r) => setTimeout(r, 300));
    const first = await scrape();
    expect(first.status).toBe(200);
    let text = first.text;
    expect(value(text, 'muninn_queue_jobs', { queue: 'steps', state: 'waiting' })).toBe(2);
    expect(value(text, 'muninn_queue_jobs', { queue: 'steps', state: 'active' })).toBe(0);
    expect(value(text, 'muninn_queue_waiting', { queue: 'steps' })).toBe(2);
    expect(value(text, 'muninn_queue_jobs', { queue: 'schedules', state: 'waiting' })).toBe(0);
    expect(value(text, 'muninn_queue_oldest_waiting_seconds', { queue: 'steps' })).toBeGreaterThanOrEqual(0.25);
    expect(value(text, 'muninn_runs_in_progress', { status: 'queued' })).toBe(2);
    expect(value(text, 'muninn_runs_total', { status: 'succeeded' })).toBe(0);
    expect(value(text, 'muninn_workers_alive')).toBe(0);
    expect(text).toContain('# TYPE muninn_runs_total counter');
    expect(text).toContain('# TYPE muninn_run_duration_seconds histogram');
    for (const source of ['queues', 'counters', 'heartbeats', 'database']) expect(value(text, 'muninn_monitoring_source_up', { source })).toBe(1);

    // A real worker process takes the jobs; its maintenance loop writes the heartbeat.
    worker = startWorker({
      DATABASE_URL: tdb.url,
      MUNINN_QUEUE_PREFIX: prefix,
      MUNINN_ALLOWED_HOSTS: '127.0.0.1',
      MUNINN_WORKER_ID: 'metrics-test-worker',
      WORKER_HEARTBEAT_MS: '200',
    });
    await waitFor(
      async () => {
        ({ text } = await scrape());
        return value(text, 'muninn_runs_total', { status: 'succeeded' }) === 1 && value(text, 'muninn_runs_total', { status: 'failed' }) === 1;
      },
      { what: `both runs to be counted; last scrape:\n${text}`, timeoutMs: 30_000 },
    );
    expect(value(text, 'muninn_queue_jobs', { queue: 'steps', state: 'waiting' })).toBe(0);
    expect(value(text, 'muninn_queue_oldest_waiting_seconds', { queue: 'steps' })).toBe(0);
    expect(value(text, 'muninn_runs_in_progress', { status: 'queued' })).toBe(0);
    expect(value(text, 'muninn_runs_total', { status: 'cancelled' })).toBe(0);
    expect(value(text, 'muninn_steps_total', { status: 'succeeded', agent: 'manual' })).toBe(2);
    expect(value(text, 'muninn_steps_total', { status: 'succeeded', agent: 'transform' })).toBe(1);
    expect(value(text, 'muninn_steps_total', { status: 'failed', agent: 'http_request' })).toBe(1);
    expect(value(text, 'muninn_run_duration_seconds_count', { status: 'succeeded' })).toBe(1);
    expect(value(text, 'muninn_run_duration_seconds_bucket', { status: 'succeeded', le: '+Inf' })).toBe(1);
    expect(value(text, 'muninn_run_duration_seconds_sum', { status: 'failed' })).toBeGreaterThan(0);
    expect(value(text, 'muninn_step_duration_seconds_count', { status: 'succeeded' })).toBe(3);
    expect(value(text, 'muninn_workers_alive')).toBe(1);
    const beat = value(text, 'muninn_worker_last_heartbeat_seconds', { worker: 'metrics-test-worker' })!;
    expect(Math.abs(beat - Date.now() / 1000)).toBeLessThan(5);

    // Announcing the same change again does not count it twice.
    await publishRunChange(runs[0]!.runId);
    ({ text } = await scrape());
    expect(value(text, 'muninn_runs_total', { status: 'succeeded' })).toBe(1);

    // A worker that stops cleanly stops counting as alive at once.
    expect(await worker.stop('SIGTERM')).toBe(0);
    ({ text } = await scrape());
    expect(value(text, 'muninn_workers_alive')).toBe(0);

    // prom-client's global registry is left alone.
    expect(await register.getSingleMetricAsString('muninn_runs_total').catch(() => '')).toBe('');
  });

  it('asks for the bearer token when MUNINN_METRICS_TOKEN is set', async () => {
    process.env.MUNINN_METRICS_TOKEN = 'scrape-me-please';
    resetEnvCache();
    try {
      expect((await scrape()).status).toBe(401);
      expect((await scrape({ authorization: 'Bearer wrong' })).status).toBe(401);
      const ok = await scrape({ authorization: 'Bearer scrape-me-please' });
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('muninn_queue_jobs');
    } finally {
      delete process.env.MUNINN_METRICS_TOKEN;
      resetEnvCache();
    }
  });
});
