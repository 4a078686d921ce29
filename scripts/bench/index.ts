// `npm run bench`: measures the execution engine, the raw BullMQ ceiling beside it, webhook
// ingress through the real web app, and process memory, against the local PostgreSQL and Redis.
// Not part of `npm test`. See docs/benchmarks.md for what each figure means and a sample.
//
//   npm run bench                         everything (~3-4 min on 2 cores)
//   npm run bench -- --no-web             skip the webhook ingress and editor parts (no Next.js build/start)
//   npm run bench -- --no-editor          skip the editor part (headless Chromium on 100- and 1,000-step flows)
//   npm run bench -- --workers 1 --concurrency 8 --runs 2000
//
// It uses its own database (a copy of the migrated template, like the integration tests) and its
// own Redis key prefix, and removes both at the end. Results: a table on stdout and
// bench/results/latest.json.
import { fork, spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import autocannon, { type AutocannonResult } from 'autocannon';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@/server/testing/test-db';
import { startWorker, type WorkerHandle } from '@/server/testing/worker-process';
import { createDb, setDb, type Db } from '@/server/db';
import { resetEnvCache } from '@/server/env';
import { closeQueues } from '@/server/queue/queues';
import { defaultWorkspaceId, forgetDefaultWorkspace } from '@/server/services/workspaces';
import { createFlow, getFlow } from '@/server/services/flows';
import { startRun } from '@/server/services/runs';
import { runEditorBench, type EditorBenchResult } from './editor';
import { ensureWorkerBuild } from '../build-worker';
import { WEB_SERVER_BUNDLE } from '../lib/build';
import { cpuTimeMs, freePort, memorySampler, processTree, round, sleep, summarize, until } from './lib';

const root = path.resolve(import.meta.dirname, '../..');
const requireHere = createRequire(import.meta.url);

const { values: args } = parseArgs({
  options: {
    'no-web': { type: 'boolean', default: false },
    'no-ceiling': { type: 'boolean', default: false },
    /** Skip the editor part (headless Chromium opening 100- and 1,000-step flows on the same web server). */
    'no-editor': { type: 'boolean', default: false },
    workers: { type: 'string', default: '1,2' },
    concurrency: { type: 'string', default: '8,32,256' },
    runs: { type: 'string', default: '20000' },
    /** startRun calls in flight at once from the bench process. */
    'trigger-parallel': { type: 'string', default: '32' },
    /** Seconds of measured load per engine/ceiling configuration. */
    seconds: { type: 'string', default: '10' },
    /** Runs in flight allowed per worker slot (workers × concurrency). */
    window: { type: 'string', default: '2' },
    'web-seconds': { type: 'string', default: '10' },
    'web-rate': { type: 'string', default: '500' },
    out: { type: 'string', default: path.join(root, 'bench/results/latest.json') },
  },
});

const list = (s: string) => s.split(',').map((x) => Number(x.trim())).filter((n) => n > 0);
const WORKERS = list(args.workers!);
const CONCURRENCY = list(args.concurrency!);
const RUNS = Number(args.runs);
const TRIGGER_PARALLEL = Number(args['trigger-parallel']);
const PHASE_MS = Number(args.seconds) * 1000;
const WINDOW_PER_SLOT = Number(args.window);
const WEB_SECONDS = Number(args['web-seconds']);
const WEB_RATE = Number(args['web-rate']);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TAG = `muninn-bench-${randomBytes(3).toString('hex')}`;
/** Production settings for the apps: a throwaway encryption key, the bench's own queue prefix. */
const ENCRYPTION_KEY = randomBytes(32).toString('base64');

const log = (msg: string) => process.stdout.write(`[bench] ${msg}\n`);

// ---------------------------------------------------------------------------------------------
// Setup and cleanup

let tdb: TestDatabase | undefined;
let benchDb: Db | undefined;
let sql: pg.Pool | undefined;
let redis: Redis | undefined;
const children = new Set<ChildProcess>();

function track<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function cleanup(): Promise<void> {
  for (const child of children) {
    try {
      // Web servers run in their own process group (detached); workers are single processes.
      if (child.pid && (child as { detachedGroup?: boolean }).detachedGroup) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  await closeQueues().catch(() => undefined);
  if (redis) {
    await deleteKeys(`{${TAG}`).catch(() => undefined);
    redis.disconnect();
  }
  await sql?.end().catch(() => undefined);
  await benchDb?.$disconnect().catch(() => undefined);
  await tdb?.drop().catch((e: Error) => log(`could not drop the bench database: ${e.message}`));
}

async function deleteKeys(prefixStart: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis!.scan(cursor, 'MATCH', `${prefixStart}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis!.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Points this process's queue producer (stepQueue) at a fresh prefix. */
async function switchQueuePrefix(prefix: string): Promise<void> {
  process.env.MUNINN_QUEUE_PREFIX = prefix;
  resetEnvCache();
  await closeQueues();
}

async function resetRuns(): Promise<void> {
  await sql!.query('TRUNCATE "Run" CASCADE');
}

async function finishedCount(): Promise<{ finished: number; failed: number }> {
  const { rows } = await sql!.query<{ finished: string; failed: string }>(
    `SELECT count(*) FILTER (WHERE "finishedAt" IS NOT NULL) AS finished, count(*) FILTER (WHERE status = 'failed') AS failed FROM "Run"`,
  );
  return { finished: Number(rows[0]!.finished), failed: Number(rows[0]!.failed) };
}

function workerEnv(url: string, prefix: string, concurrency: number): Record<string, string> {
  return {
    DATABASE_URL: url,
    REDIS_URL,
    MUNINN_QUEUE_PREFIX: prefix,
    WORKER_CONCURRENCY: String(concurrency),
    WORKER_RECONCILE_MS: '5000', // the production default (startWorker's 1 s is for tests)
    NODE_ENV: 'production',
    MUNINN_ENCRYPTION_KEY: ENCRYPTION_KEY,
  };
}

async function startWorkers(count: number, env: Record<string, string>): Promise<WorkerHandle[]> {
  // The production build (dist/worker.mjs), so the figures (memory above all) are those of `npm start` and the image.
  const handles = Array.from({ length: count }, () => startWorker(env, { compiled: true }));
  for (const h of handles) track(h.proc);
  await until(
    'the worker processes to be ready',
    () => {
      const dead = handles.find((h) => h.proc.exitCode !== null);
      if (dead) throw new Error(`a worker exited at start:\n${dead.output()}`);
      return handles.every((h) => h.output().includes('[worker] ready'));
    },
    60_000,
    100,
  );
  return handles;
}

async function stopWorkers(handles: WorkerHandle[]): Promise<void> {
  const codes = await Promise.all(handles.map((h) => h.stop('SIGTERM')));
  codes.forEach((code, i) => code !== 0 && log(`worker ${i} exited with ${code}:\n${handles[i]!.output().slice(-2000)}`));
}

// ---------------------------------------------------------------------------------------------
// Engine: durable 3-step runs through real worker processes

interface Flow {
  workspaceId: string;
  flowId: string;
  token: string;
}

/** webhook → transform → filter; the filter lets every event through, so all 3 steps persist. */
async function createBenchFlow(): Promise<Flow> {
  forgetDefaultWorkspace();
  const workspaceId = await defaultWorkspaceId();
  const { id } = await createFlow(workspaceId, {
    name: 'Bench: webhook → transform → filter',
    graph: {
      nodes: [
        { id: 'hook', type: 'webhook', options: {} },
        { id: 'shape', type: 'transform', options: { template: { n: '{{ n }}', greeting: 'Hello {{ name }}' } } },
        { id: 'keep', type: 'filter', options: { match: 'all', rules: [{ path: 'n', op: 'gte', value: 0 }] } },
      ],
      edges: [
        { source: 'hook', target: 'shape' },
        { source: 'shape', target: 'keep' },
      ],
    },
  });
  const { webhooks } = await getFlow(workspaceId, id, 'http://bench');
  const token = webhooks[0]?.url.split('/').pop();
  if (!token) throw new Error('the bench flow has no webhook address');
  return { workspaceId, flowId: id, token };
}

interface PhaseResult {
  workers: number;
  concurrency: number;
  /** Runs allowed in flight (triggered, not finished) at once. */
  window: number;
  runs: number;
  failed: number;
  seconds: number;
  runs_per_s: number;
  steps_per_s: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  worker_peak_rss_mb?: number;
  /** CPU time per run of the worker processes, and of the Postgres backends serving them. */
  worker_cpu_ms_per_run?: number;
  postgres_cpu_ms_per_run?: number;
  /** CPU time of the bench process per run: startRun (engine) or Queue.add (ceiling), plus polling. */
  trigger_cpu_ms_per_run?: number;
  load_avg_1m: number;
}

/**
 * Closed-loop load: triggers runs from TRIGGER_PARALLEL lanes while at most `window` of them are
 * unfinished, for `PHASE_MS` or `RUNS` runs, then waits for the last ones. The window keeps every
 * worker slot busy without building an unbounded backlog, so latency means something.
 */
async function drive<K>(window: number, trigger: (i: number) => Promise<K>, finished: () => number, what: string) {
  const accepted = new Map<K, number>();
  let firstStart = Infinity;
  let next = 0;
  const deadline = Date.now() + PHASE_MS;
  await Promise.all(
    Array.from({ length: Math.min(TRIGGER_PARALLEL, window) }, async () => {
      while (next < RUNS && Date.now() < deadline) {
        if (next - finished() >= window) {
          await sleep(2);
          continue;
        }
        const i = next++;
        firstStart = Math.min(firstStart, Date.now());
        const key = await trigger(i);
        accepted.set(key, Date.now());
      }
    }),
  );
  try {
    await until(`the last ${what} to finish`, () => finished() >= next, 60_000, 10);
  } catch (e) {
    log(`${(e as Error).message}; counting what finished`);
  }
  return { accepted, firstStart, triggered: next };
}

function phaseResult(
  base: { workers: number; concurrency: number; window: number; failed: number },
  firstStart: number,
  finishes: Array<[start: number, end: number]>,
  extra: Partial<PhaseResult> = {},
): PhaseResult {
  const latencies = finishes.map(([a, b]) => b - a);
  const lastFinished = Math.max(...finishes.map(([, b]) => b));
  const seconds = (lastFinished - firstStart) / 1000;
  const s = summarize(latencies);
  return {
    ...base,
    runs: latencies.length,
    seconds: round(seconds, 2),
    runs_per_s: round(latencies.length / seconds),
    steps_per_s: round((3 * latencies.length) / seconds),
    p50_ms: s.p50,
    p90_ms: s.p90,
    p99_ms: s.p99,
    max_ms: s.max,
    ...extra,
    load_avg_1m: round(os.loadavg()[0]!, 2),
  };
}

async function postgresBackends(): Promise<number[]> {
  const { rows } = await sql!.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  return rows.map((r) => r.pid);
}

async function enginePhase(url: string, flow: Flow, workers: number, concurrency: number): Promise<PhaseResult> {
  const prefix = `${TAG}-e${workers}x${concurrency}`;
  await switchQueuePrefix(prefix);
  await resetRuns();
  const handles = await startWorkers(workers, workerEnv(url, prefix, concurrency));
  const pids = () => handles.map((h) => h.proc.pid!).filter(Boolean);
  const sampler = memorySampler(pids);
  let done = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      done = (await finishedCount()).finished;
      await sleep(25);
    }
  })();
  const trigger = (i: number) =>
    startRun(flow.workspaceId, { flowId: flow.flowId, triggerKind: 'api', nodeId: 'hook', payload: { n: i, name: 'bench' } }).then((r) => r.runId);
  const window = WINDOW_PER_SLOT * workers * concurrency;
  try {
    // Warm-up: JIT, connection pools, the flow version cache.
    const warm = 20 * workers * Math.min(concurrency, 16);
    await Promise.all(Array.from({ length: warm }, (_, i) => trigger(i)));
    await until('the warm-up runs', () => done >= warm, 60_000, 20);

    const backends = await postgresBackends();
    const cpu0 = pids().reduce((a, p) => a + cpuTimeMs(p), 0);
    const pg0 = backends.reduce((a, p) => a + cpuTimeMs(p), 0);
    const bench0 = process.cpuUsage();
    const t = await drive(window, trigger, () => done - warm, 'runs');
    const benchCpu = process.cpuUsage(bench0);
    const cpu = pids().reduce((a, p) => a + cpuTimeMs(p), 0) - cpu0;
    const pgCpu = backends.reduce((a, p) => a + cpuTimeMs(p), 0) - pg0;

    const { rows } = await sql!.query<{ id: string; status: string; finished_ms: string | null }>(
      `SELECT id, status::text, (extract(epoch FROM "finishedAt") * 1000)::bigint AS finished_ms FROM "Run" WHERE id = ANY($1::uuid[])`,
      [[...t.accepted.keys()]],
    );
    const finishes: Array<[number, number]> = rows.filter((r) => r.finished_ms !== null).map((r) => [t.accepted.get(r.id)!, Number(r.finished_ms)]);
    const failed = rows.filter((r) => r.status !== 'succeeded').length;
    return phaseResult({ workers, concurrency, window, failed }, t.firstStart, finishes, {
      worker_peak_rss_mb: round(sampler.stop().perProcessPeakMb),
      worker_cpu_ms_per_run: round(cpu / Math.max(1, finishes.length), 2),
      postgres_cpu_ms_per_run: round(pgCpu / Math.max(1, finishes.length), 2),
      trigger_cpu_ms_per_run: round((benchCpu.user + benchCpu.system) / 1000 / Math.max(1, t.triggered), 2),
    });
  } finally {
    polling = false;
    await poller;
    sampler.stop();
    await stopWorkers(handles);
    await deleteKeys(`{${prefix}}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Ceiling: raw BullMQ, 3-job chains of no-op jobs, same workers and concurrency

async function ceilingPhase(workers: number, concurrency: number): Promise<PhaseResult> {
  const prefix = `${TAG}-c${workers}x${concurrency}`;
  const env = { ...process.env, REDIS_URL, BENCH_PREFIX: prefix, BENCH_CONCURRENCY: String(concurrency), BENCH_CHAIN: '3' };
  const procs = Array.from({ length: workers }, () =>
    track(fork(path.join(import.meta.dirname, 'ceiling-worker.ts'), [], { env, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })),
  );
  const progress = new Map<ChildProcess, number>();
  const ready = new Set<ChildProcess>();
  for (const p of procs) {
    p.on('message', (m: { type: string; done?: number }) => {
      if (m.type === 'ready') ready.add(p);
      if (m.type === 'progress') progress.set(p, m.done ?? 0);
    });
  }
  const producer = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  const queue = new Queue('chain', {
    connection: producer,
    prefix: `{${prefix}}`,
    defaultJobOptions: { attempts: 3, removeOnComplete: { count: 1_000 }, removeOnFail: { count: 5_000 } },
  });
  const done = () => [...progress.values()].reduce((a, b) => a + b, 0);
  let runNo = 0;
  const trigger = async () => {
    const run = ++runNo;
    await queue.add('step', { run, step: 1, t0: Date.now() }, { jobId: `c${run}-1` });
    return run;
  };
  const window = WINDOW_PER_SLOT * workers * concurrency;
  try {
    await until('the ceiling workers to be ready', () => ready.size === workers, 60_000, 50);
    const warm = 20 * workers * Math.min(concurrency, 16);
    await Promise.all(Array.from({ length: warm }, trigger));
    await until('the ceiling warm-up', () => done() >= warm, 30_000, 20);
    const cpuOf = () => procs.reduce((a, p) => a + (p.pid ? cpuTimeMs(p.pid) : 0), 0);
    const cpu0 = cpuOf();
    const bench0 = process.cpuUsage();
    const t = await drive(window, trigger, () => done() - warm, 'chains');
    const benchCpu = process.cpuUsage(bench0);
    const cpu = cpuOf() - cpu0;
    const reports = await Promise.all(
      procs.map(
        (p) =>
          new Promise<Array<[number, number]>>((resolve) => {
            const onMessage = (m: { type: string; finished?: Array<[number, number]> }) => {
              if (m.type !== 'report') return;
              p.off('message', onMessage);
              resolve(m.finished ?? []);
            };
            p.on('message', onMessage);
            p.send({ type: 'report' });
          }),
      ),
    );
    const finishes: Array<[number, number]> = [];
    for (const [run, finishedAt] of reports.flat()) {
      const at = t.accepted.get(run);
      if (at !== undefined) finishes.push([at, finishedAt]); // else: warm-up
    }
    return phaseResult({ workers, concurrency, window, failed: 0 }, t.firstStart, finishes, {
      worker_cpu_ms_per_run: round(cpu / Math.max(1, finishes.length), 2),
      trigger_cpu_ms_per_run: round((benchCpu.user + benchCpu.system) / 1000 / Math.max(1, t.triggered), 2),
    });
  } finally {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null) return resolve();
            const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
            p.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            p.send({ type: 'stop' });
          }),
      ),
    );
    await queue.close();
    producer.disconnect();
    await deleteKeys(`{${prefix}}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Webhook ingress through the real web app (next start)

interface WebResult {
  skipped?: string;
  /** Ingress only (no worker running): fixed rate, then maximum throughput. */
  fixed?: AutocannonSummary;
  max?: AutocannonSummary;
  /** The fixed rate again with one worker process draining the runs on the same machine. */
  fixed_with_worker?: AutocannonSummary;
  web_peak_rss_mb?: number;
  worker_peak_rss_mb?: number;
  runs_created?: number;
  /** The editor benchmark (scripts/bench/editor.ts) against the same production web server. */
  editor?: EditorBenchResult | { skipped: string };
}

interface AutocannonSummary {
  target_rate: number | null;
  connections: number;
  seconds: number;
  accepted: number;
  rejected: number;
  errors: number;
  requests_per_s: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  web_cpu_ms_per_request?: number;
}

function summarizeCannon(r: AutocannonResult, connections: number, rate: number | null): AutocannonSummary {
  return {
    target_rate: rate,
    connections,
    seconds: r.duration,
    accepted: r['2xx'],
    rejected: r.non2xx,
    errors: r.errors + r.timeouts,
    requests_per_s: round(r['2xx'] / r.duration),
    p50_ms: r.latency.p50,
    p90_ms: r.latency.p90,
    p99_ms: r.latency.p99,
    max_ms: r.latency.max,
  };
}

function nextBin(): string {
  return path.join(path.dirname(requireHere.resolve('next/package.json')), 'dist/bin/next');
}

async function ensureBuild(): Promise<string | undefined> {
  if (existsSync(path.join(root, '.next', 'BUILD_ID'))) return undefined;
  log('no production build (.next/BUILD_ID): running `next build` once; this takes a few minutes on 2 cores');
  const code = await new Promise<number | null>((resolve) => {
    const build = track(spawn(process.execPath, [nextBin(), 'build'], { cwd: root, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, stdio: 'inherit' }));
    build.once('exit', resolve);
  });
  return code === 0 ? undefined : `next build failed (exit ${code}); fix the build or run with --no-web`;
}

async function webPhase(url: string, flow: Flow): Promise<WebResult> {
  const buildProblem = await ensureBuild();
  if (buildProblem) return { skipped: buildProblem };
  const prefix = `${TAG}-web`;
  await switchQueuePrefix(prefix);
  await resetRuns();
  const port = await freePort();
  const env = { ...process.env, ...workerEnv(url, prefix, 8), PORT: String(port), NEXT_TELEMETRY_DISABLED: '1' };
  // The web server `npm start` runs: Next.js behind our HTTP server, which answers webhooks itself.
  ensureWorkerBuild(root);
  const web = track(
    spawn(process.execPath, [WEB_SERVER_BUNDLE], {
      cwd: root,
      env: { ...env, NODE_ENV: 'production', MUNINN_WEB_HOSTNAME: '127.0.0.1' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  (web as { detachedGroup?: boolean }).detachedGroup = true;
  let webOut = '';
  web.stdout!.on('data', (d: Buffer) => (webOut += d.toString()));
  web.stderr!.on('data', (d: Buffer) => (webOut += d.toString()));
  const hook = `http://127.0.0.1:${port}/api/hooks/${flow.token}`;
  const webMem = memorySampler(() => (web.pid ? processTree(web.pid) : []));
  let workers: WorkerHandle[] = [];
  let workerMem: ReturnType<typeof memorySampler> | undefined;
  try {
    await until(
      'the web app to answer',
      async () => {
        if (web.exitCode !== null) throw new Error(`next start exited:\n${webOut}`);
        return fetch(`http://127.0.0.1:${port}/api/hooks/none`, { method: 'POST', body: '{}' }).then(
          (r) => r.status === 404,
          () => false,
        );
      },
      60_000,
      250,
    );
    const body = JSON.stringify({ n: 1, name: 'bench', ticket: 'OPS-7' });
    const headers = { 'content-type': 'application/json' };
    // Warm-up: JIT, lazily loaded route code, connection pools, Prisma's query plan cache.
    await autocannon({ url: hook, method: 'POST', body, headers, connections: 32, duration: 5 });
    await sleep(500);
    const connections = 32;
    // CPU time of the web app per accepted request (its whole process tree).
    const webCpu = () => (web.pid ? processTree(web.pid).reduce((a, p) => a + cpuTimeMs(p), 0) : 0);
    const load = async (what: string, rate: number | null): Promise<AutocannonSummary> => {
      log(`webhook: ${WEB_SECONDS} s ${rate ? `at a fixed ${rate} req/s` : 'at maximum throughput'}${what}`);
      const cpu0 = webCpu();
      const r = await autocannon({ url: hook, method: 'POST', body, headers, connections, duration: WEB_SECONDS, ...(rate ? { overallRate: rate } : {}) });
      const cpu = (webCpu() - cpu0) / Math.max(1, r['2xx']);
      await sleep(1000);
      return { ...summarizeCannon(r, connections, rate), web_cpu_ms_per_request: round(cpu, 2) };
    };
    // Ingress alone: the runs wait in the queue (no worker), so only accepting them is measured.
    // Maximum throughput first: it also finishes warming up the app for the fixed-rate run.
    const max = await load(' (ingress only)', null);
    const fixed = await load(' (ingress only)', WEB_RATE);
    // As `npm start` runs it: one worker beside the web app, draining the runs the load creates.
    workers = await startWorkers(1, workerEnv(url, prefix, 8));
    workerMem = memorySampler(() => workers.map((w) => w.proc.pid!));
    const withWorker = await load(' with one worker draining', WEB_RATE);
    const { rows } = await sql!.query<{ n: string }>('SELECT count(*) AS n FROM "Run"');
    // Large flows in the editor, on the same production web server (no load running meanwhile).
    let editor: WebResult['editor'];
    if (args['no-editor']) editor = { skipped: 'skipped (--no-editor)' };
    else {
      await stopWorkers(workers);
      workers = [];
      editor = await runEditorBench({ baseUrl: `http://127.0.0.1:${port}`, log: (line) => log(`editor: ${line}`) }).catch((e: Error) => ({
        skipped: `failed: ${e.message}`,
      }));
      if ('skipped' in editor) log(`editor: ${editor.skipped}`);
    }
    return {
      editor,
      fixed,
      max,
      fixed_with_worker: withWorker,
      web_peak_rss_mb: round(webMem.stop().treePeakMb),
      worker_peak_rss_mb: round(workerMem.stop().perProcessPeakMb),
      runs_created: Number(rows[0]!.n),
    };
  } finally {
    webMem.stop();
    workerMem?.stop();
    await stopWorkers(workers);
    try {
      if (web.pid) process.kill(-web.pid, 'SIGTERM');
    } catch {
      // gone
    }
    await Promise.race([new Promise((r) => web.once('exit', r)), sleep(10_000)]);
    await deleteKeys(`{${prefix}}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function versionOf(pkg: string): string {
  try {
    // Read from node_modules directly: some packages do not export their package.json.
    return (JSON.parse(readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function gitRevision(): string {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${rev}+changes` : rev;
  } catch {
    return 'unknown';
  }
}

function table(rows: Array<Record<string, string | number | undefined>>): string {
  if (rows.length === 0) return '';
  const cols = Object.keys(rows[0]!);
  const cell = (v: string | number | undefined) => (v === undefined ? '' : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padStart(widths[i]!)).join('  ');
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = os.loadavg().map((l) => round(l, 2));
  process.env.REDIS_URL = REDIS_URL;
  (process.env as Record<string, string | undefined>).NODE_ENV ??= 'production';
  process.env.MUNINN_ENCRYPTION_KEY ??= ENCRYPTION_KEY;
  tdb = await createTestDatabase('bench');
  process.env.DATABASE_URL = tdb.url;
  resetEnvCache();
  // The bench process triggers runs with many startRun calls in flight: give it a larger pool.
  benchDb = createDb(tdb.url, 20);
  setDb(benchDb);
  sql = new pg.Pool({ connectionString: tdb.url, max: 2 });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  const flow = await createBenchFlow();
  log(`database ${new URL(tdb.url).pathname.slice(1)}, redis prefix ${TAG}; ${PHASE_MS / 1000} s per configuration (at most ${RUNS} runs), ${WINDOW_PER_SLOT} runs in flight per worker slot`);

  const engine: PhaseResult[] = [];
  const ceiling: PhaseResult[] = [];
  for (const w of WORKERS) {
    for (const c of CONCURRENCY) {
      log(`engine: ${w} worker process(es) × concurrency ${c}`);
      const e = await enginePhase(tdb.url, flow, w, c);
      engine.push(e);
      log(`  ${e.runs} runs in ${e.seconds} s: ${e.runs_per_s} runs/s, p50 ${e.p50_ms} ms, p99 ${e.p99_ms} ms${e.failed ? `, ${e.failed} FAILED` : ''}`);
      if (!args['no-ceiling']) {
        log(`ceiling: raw BullMQ 3-job chains, ${w} process(es) × concurrency ${c}`);
        const cl = await ceilingPhase(w, c);
        ceiling.push(cl);
        log(`  ${cl.runs} chains in ${cl.seconds} s: ${cl.runs_per_s} runs/s, p50 ${cl.p50_ms} ms, p99 ${cl.p99_ms} ms`);
      }
    }
  }

  let web: WebResult;
  if (args['no-web']) {
    web = { skipped: 'skipped (--no-web)' };
    log('webhook ingress: skipped (--no-web)');
  } else {
    try {
      web = await webPhase(tdb.url, flow);
      if (web.skipped) log(`webhook ingress: ${web.skipped}`);
    } catch (e) {
      web = { skipped: `failed: ${(e as Error).message}` };
      log(`webhook ingress ${web.skipped}`);
    }
  }

  // Headline figures: the best one-worker-process configuration (the issue's target is per process).
  const oneWorker = engine.filter((e) => e.workers === 1);
  const head = [...(oneWorker.length ? oneWorker : engine)].sort((a, b) => b.runs_per_s - a.runs_per_s)[0];
  const headCeiling = head && ceiling.find((c) => c.workers === head.workers && c.concurrency === head.concurrency);
  const ratio = head && headCeiling ? round(head.runs_per_s / headCeiling.runs_per_s, 3) : null;
  const workerPeak = Math.max(0, ...engine.map((e) => e.worker_peak_rss_mb ?? 0), web.worker_peak_rss_mb ?? 0);

  const [pgVersion, redisInfo] = await Promise.all([
    sql.query<{ server_version: string }>('SHOW server_version').then((r) => r.rows[0]!.server_version),
    redis.info('server'),
  ]);
  const result = {
    date: new Date().toISOString(),
    revision: gitRevision(),
    machine: {
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model ?? 'unknown',
      memory_mb: Math.round(os.totalmem() / 1024 / 1024),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      /** 1/5/15-minute load averages: other work on the machine skews every figure. */
      load_avg_at_start: loadAtStart,
      load_avg_at_end: os.loadavg().map((l) => round(l, 2)),
    },
    versions: {
      postgres: pgVersion,
      redis: /redis_version:(\S+)/.exec(redisInfo)?.[1] ?? 'unknown',
      bullmq: versionOf('bullmq'),
      ioredis: versionOf('ioredis'),
      prisma: versionOf('@prisma/client'),
      'adapter-pg': versionOf('@prisma/adapter-pg'),
      next: versionOf('next'),
      autocannon: versionOf('autocannon'),
    },
    settings: { seconds_per_config: PHASE_MS / 1000, max_runs_per_config: RUNS, window_per_slot: WINDOW_PER_SLOT, trigger_parallel: TRIGGER_PARALLEL, web_seconds: WEB_SECONDS, web_rate: WEB_RATE },
    engine: {
      flow: 'webhook → transform → filter (3 persisted steps)',
      headline: head ? { workers: head.workers, concurrency: head.concurrency } : null,
      runs_per_s: head?.runs_per_s ?? null,
      steps_per_s: head?.steps_per_s ?? null,
      p50_ms: head?.p50_ms ?? null,
      p99_ms: head?.p99_ms ?? null,
      configs: engine,
    },
    ceiling: { runs_per_s: headCeiling?.runs_per_s ?? null, configs: ceiling },
    ratio,
    webhook: {
      requests_per_s: web.max?.requests_per_s ?? null,
      p50_ms: web.fixed?.p50_ms ?? null,
      p99_ms: web.fixed?.p99_ms ?? null,
      ...web,
      editor: undefined,
    },
    /** Large flows in the editor (also written to bench/results/editor.json). */
    editor: web.editor ?? { skipped: web.skipped ?? 'not run' },
    worker: { peak_rss_mb: workerPeak },
    web: { peak_rss_mb: web.web_peak_rss_mb ?? null },
    targets: {
      engine_runs_per_s_ge_1000: head ? head.runs_per_s >= 1000 : null,
      ratio_ge_0_25: ratio === null ? null : ratio >= 0.25,
      webhook_p99_le_25ms_at_500: web.fixed ? web.fixed.p99_ms <= 25 && web.fixed.requests_per_s >= WEB_RATE * 0.95 : null,
      worker_rss_le_250mb: workerPeak ? workerPeak <= 250 : null,
    },
    total_seconds: round((Date.now() - started) / 1000),
  };

  mkdirSync(path.dirname(args.out!), { recursive: true });
  writeFileSync(args.out!, `${JSON.stringify(result, null, 2)}\n`);

  const ratioOf = (e: PhaseResult) => {
    const c = ceiling.find((x) => x.workers === e.workers && x.concurrency === e.concurrency);
    return c ? round(e.runs_per_s / c.runs_per_s, 3) : undefined;
  };
  process.stdout.write('\n');
  process.stdout.write(
    `${table([
      ...engine.map((e) => ({
        what: 'engine',
        workers: e.workers,
        conc: e.concurrency,
        runs: e.runs,
        'runs/s': e.runs_per_s,
        'steps/s': e.steps_per_s,
        window: e.window,
        'wkr cpu ms/run': e.worker_cpu_ms_per_run,
        'pg cpu ms/run': e.postgres_cpu_ms_per_run,
        'trigger cpu ms/run': e.trigger_cpu_ms_per_run,
        'p50 ms': e.p50_ms,
        'p99 ms': e.p99_ms,
        'rss MB': e.worker_peak_rss_mb,
        'vs ceil': ratioOf(e),
      })),
      ...ceiling.map((c) => ({
        what: 'ceiling',
        workers: c.workers,
        conc: c.concurrency,
        runs: c.runs,
        'runs/s': c.runs_per_s,
        'steps/s': c.steps_per_s,
        window: c.window,
        'wkr cpu ms/run': c.worker_cpu_ms_per_run,
        'pg cpu ms/run': undefined,
        'trigger cpu ms/run': c.trigger_cpu_ms_per_run,
        'p50 ms': c.p50_ms,
        'p99 ms': c.p99_ms,
        'rss MB': undefined,
        'vs ceil': undefined,
      })),
    ])}\n\n`,
  );
  if (web.fixed && web.max) {
    process.stdout.write(
      `${table(
        [
          { label: `fixed ${WEB_RATE}/s`, w: web.fixed },
          { label: 'max', w: web.max },
          ...(web.fixed_with_worker ? [{ label: `fixed ${WEB_RATE}/s + worker`, w: web.fixed_with_worker }] : []),
        ].map(({ label, w }) => ({
          webhook: label,
          conns: w.connections,
          'accepted/s': w.requests_per_s,
          rejected: w.rejected,
          errors: w.errors,
          'p50 ms': w.p50_ms,
          'p90 ms': w.p90_ms,
          'p99 ms': w.p99_ms,
          'max ms': w.max_ms,
          'web cpu ms/req': w.web_cpu_ms_per_request,
        })),
      )}\n`,
    );
    process.stdout.write(`web peak RSS ${web.web_peak_rss_mb} MB, worker peak RSS ${web.worker_peak_rss_mb} MB (during webhook load)\n\n`);
  } else {
    process.stdout.write(`webhook ingress: ${web.skipped}\n\n`);
  }
  const mark = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'met' : 'NOT met');
  process.stdout.write(
    [
      `headline (1 worker process, concurrency ${head?.concurrency ?? '-'}): engine ${head?.runs_per_s ?? '-'} runs/s, ceiling ${headCeiling?.runs_per_s ?? '-'} runs/s, ratio ${ratio ?? '-'}`,
      `targets: ≥1000 runs/s ${mark(result.targets.engine_runs_per_s_ge_1000)}; ≥25% of ceiling ${mark(result.targets.ratio_ge_0_25)}; ` +
        `webhook p99 ≤25 ms at ${WEB_RATE}/s ${mark(result.targets.webhook_p99_le_25ms_at_500)}; worker RSS ≤250 MB ${mark(result.targets.worker_rss_le_250mb)}`,
      `written to ${path.relative(process.cwd(), args.out!)} in ${result.total_seconds} s`,
    ].join('\n') + '\n',
  );
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: cleaning up…`);
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .then(cleanup)
  .then(() => process.exit(0))
  .catch(async (e: unknown) => {
    console.error(e);
    await cleanup();
    process.exit(1);
  });
