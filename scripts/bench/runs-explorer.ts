// Runs explorer benchmark: how fast are the explorer's pages with 10k, 100k and 1M runs?
//
//   npx tsx scripts/bench/runs-explorer.ts                 # 10k, 100k, 1M
//   npx tsx scripts/bench/runs-explorer.ts 10000 100000    # chosen sizes
//
// Works in a scratch database (a copy of the migrated test template, dropped at the end; keep it
// with BENCH_KEEP_DB=1). Runs and events are generated in Postgres with INSERT … SELECT
// generate_series (no round trips), in cumulative stages: each size adds runs to the previous
// ones. Secondary indexes are dropped during each load and rebuilt afterwards, the way a bulk
// import is done; foreign-key triggers are skipped (session_replication_role = replica).
//
// Each query is the explorer's own SQL (runExplorerQuery) run through listRunsAcrossFlows; the
// median of several runs is reported, plus EXPLAIN (ANALYZE, BUFFERS) of one. Results:
// bench/results/runs-explorer.json; write-up: docs/benchmarks-runs.md.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Prisma } from '@/server/generated/prisma/client';
import { createTestDatabase } from '@/server/testing/test-db';
import { listRunsAcrossFlows, runExplorerInput, runExplorerQuery, searchable, searchStrategy, type RunExplorerInput } from '@/server/services/monitoring/run-explorer';
import { getDashboardStats } from '@/server/services/monitoring/stats';

const root = path.resolve(import.meta.dirname, '../..');
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const SIZES = sizes.length ? sizes : [10_000, 100_000, 1_000_000];
const REPEAT = 7;
const FLOWS = 50;
const WORDS = 1_000;
const EVENTS_PER_RUN = 2;

interface QueryResult {
  name: string;
  description: string;
  rows: number;
  medianMs: number;
  p95Ms: number;
  plan: { executionMs: number; planningMs: number; topNode: string; indexes: string[]; sharedHitBlocks: number; sharedReadBlocks: number };
}

interface StageResult {
  runs: number;
  events: number;
  workspaceRuns: number;
  loadSeconds: number;
  indexSeconds: number;
  tableBytes: Record<string, number>;
  queries: QueryResult[];
}

async function main(): Promise<void> {
  const started = performance.now();
  const tdb = await createTestDatabase('bench_runs');
  scratchUrl = tdb.url;
  const client = new pg.Client({ connectionString: tdb.url });
  await client.connect();
  const results: StageResult[] = [];
  try {
    const { ws, other, flowIds } = await seedWorkspaces(client);
    let total = 0;
    for (const size of SIZES) {
      if (size <= total) continue;
      const stage = await loadStage(client, total, size, ws, other, flowIds);
      total = size;
      const queries = await measure(tdb.db, ws, flowIds, size);
      const stats = await timeStats(ws);
      queries.push(stats);
      results.push({ ...stage, queries });
      printStage(results[results.length - 1]!);
    }
    const out = {
      generatedAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '', memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}` },
      postgres: (await client.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v,
      repeat: REPEAT,
      shape: { flows: FLOWS, vocabulary: WORDS, eventsPerRun: EVENTS_PER_RUN, otherWorkspaceShare: 0.05 },
      stages: results,
      totalSeconds: Math.round((performance.now() - started) / 100) / 10,
    };
    await mkdir(path.join(root, 'bench/results'), { recursive: true });
    await writeFile(path.join(root, 'bench/results/runs-explorer.json'), JSON.stringify(out, null, 2) + '\n');
    console.log(`\nWrote bench/results/runs-explorer.json (${out.totalSeconds} s in all).`);
  } finally {
    await client.end();
    if (process.env.BENCH_KEEP_DB) console.log(`Kept ${tdb.url}`);
    else await tdb.drop();
  }
}

async function seedWorkspaces(c: pg.Client) {
  const ws = (await c.query<{ id: string }>(`INSERT INTO "Workspace"(id, name, slug) VALUES (gen_random_uuid(), 'Bench', 'bench') RETURNING id`)).rows[0]!.id;
  const other = (await c.query<{ id: string }>(`INSERT INTO "Workspace"(id, name, slug) VALUES (gen_random_uuid(), 'Noise', 'noise') RETURNING id`)).rows[0]!.id;
  const flowIds = (
    await c.query<{ id: string }>(
      `INSERT INTO "Flow"(id, "workspaceId", name, graph, "updatedAt")
       SELECT gen_random_uuid(), CASE WHEN n <= $3 THEN $1::uuid ELSE $2::uuid END, 'Flow ' || n, '{"nodes":[],"edges":[]}', now()
         FROM generate_series(1, $3 + 5) n RETURNING id, "workspaceId"`,
      [ws, other, FLOWS],
    )
  ).rows.map((r) => r.id);
  return { ws, other, flowIds };
}

/** Secondary indexes of the tables we load, to drop before and rebuild after a bulk load. */
async function secondaryIndexes(c: pg.Client): Promise<Array<{ name: string; def: string }>> {
  const { rows } = await c.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename IN ('Run', 'Event', 'NodeRun') AND i.indexname NOT LIKE '%_pkey'`,
  );
  return rows;
}

async function loadStage(c: pg.Client, from: number, to: number, ws: string, other: string, flowIds: string[]) {
  process.stdout.write(`Loading runs ${from + 1}…${to} `);
  const indexes = await secondaryIndexes(c);
  for (const i of indexes) await c.query(`DROP INDEX "${i.name}"`);
  const t0 = performance.now();
  // Two loaders on halves of the range: the machine's cores work in parallel.
  const mid = Math.floor((from + to) / 2);
  await Promise.all([
    withClient(c, (x) => loadRange(x, from + 1, mid, ws, other, flowIds)),
    withClient(c, (x) => loadRange(x, mid + 1, to, ws, other, flowIds)),
  ]);
  const loadSeconds = (performance.now() - t0) / 1000;
  process.stdout.write(`loaded in ${loadSeconds.toFixed(1)} s, indexing `);
  const t1 = performance.now();
  // CREATE INDEX takes a SHARE lock, which does not conflict with itself: two builders at once.
  const queue = [...indexes].sort((a, b) => Number(b.def.includes('gin')) - Number(a.def.includes('gin')));
  const builder = (x: pg.Client) => async () => {
    await x.query(`SET maintenance_work_mem = '256MB'`);
    for (let next = queue.shift(); next; next = queue.shift()) await x.query(next.def);
  };
  await Promise.all([withClient(c, (x) => builder(x)()), withClient(c, (x) => builder(x)())]);
  await Promise.all([withClient(c, (x) => x.query(`VACUUM (ANALYZE) "Event"`)), withClient(c, (x) => x.query(`VACUUM (ANALYZE) "Run", "NodeRun"`))]);
  const indexSeconds = (performance.now() - t1) / 1000;
  console.log(`in ${indexSeconds.toFixed(1)} s`);
  const counts = (
    await c.query<{ runs: string; events: string; mine: string }>(
      `SELECT (SELECT count(*) FROM "Run") AS runs, (SELECT count(*) FROM "Event") AS events, (SELECT count(*) FROM "Run" WHERE "workspaceId" = $1) AS mine`,
      [ws],
    )
  ).rows[0]!;
  const sizesRow = (
    await c.query<Record<string, string>>(
      `SELECT pg_total_relation_size('"Run"') AS "Run", pg_total_relation_size('"NodeRun"') AS "NodeRun", pg_total_relation_size('"Event"') AS "Event"`,
    )
  ).rows[0]!;
  return {
    runs: Number(counts.runs),
    events: Number(counts.events),
    workspaceRuns: Number(counts.mine),
    loadSeconds: round(loadSeconds),
    indexSeconds: round(indexSeconds),
    tableBytes: Object.fromEntries(Object.entries(sizesRow).map(([k, v]) => [k, Number(v)])),
  };
}

/** Connection string of the scratch database. */
let scratchUrl = '';

async function withClient<T>(_like: pg.Client, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: scratchUrl });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/**
 * Runs i = from…to with one NodeRun and two events each, in ONE statement: the pseudo-random
 * columns are computed once (src) and fed to three INSERTs. Ids are built from i (sequential
 * UUIDs, so the primary keys are appended to, not scattered); foreign-key triggers are off.
 */
async function loadRange(c: pg.Client, from: number, to: number, ws: string, other: string, flowIds: string[]): Promise<void> {
  if (to < from) return;
  await c.query(`SET session_replication_role = replica`);
  await c.query(`SET synchronous_commit = off`);
  const id = (kind: number) => `('${kind}0000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid`;
  await c.query(
    `WITH v AS MATERIALIZED (
       -- A vocabulary of letter-only words (hex digits mapped to letters), so the parser sees words.
       SELECT array_agg(translate(substr(md5(n::text), 1, 8), '0123456789', 'ghijklmnop') ORDER BY n) AS w FROM generate_series(1, ${WORDS}) n
     ), src AS MATERIALIZED (
       SELECT i, ${id(1)} AS run_id, ${id(2)} AS trigger_id, ${id(3)} AS output_id, ${id(4)} AS step_id,
              CASE WHEN i % 20 = 0 THEN $2::uuid ELSE $1::uuid END AS ws,
              CASE WHEN i % 20 = 0 THEN ($4::uuid[])[1 + h.f % cardinality($4::uuid[])] ELSE ($3::uuid[])[1 + h.f % cardinality($3::uuid[])] END AS flow,
              st.status, (ARRAY['webhook','schedule','manual','api'])[1 + h.t % 4] AS kind, t.created,
              CASE WHEN st.status <> 'queued' THEN t.created + interval '40 milliseconds' END AS started,
              CASE WHEN st.status IN ('succeeded','failed','cancelled')
                   THEN t.created + interval '40 milliseconds' + ((10 + ((h.d % 1000003)::float8 / 1000003) ^ 4 * 300000)::int * interval '1 millisecond') END AS finished,
              v.w[1 + (h.a & 1023) % ${WORDS}] AS w1, v.w[1 + ((h.a >> 10) & 1023) % ${WORDS}] AS w2, v.w[1 + ((h.a >> 20) & 1023) % ${WORDS}] AS w3,
              v.w[1 + (h.b & 1023) % ${WORDS}] AS w4, v.w[1 + ((h.b >> 10) & 1023) % ${WORDS}] AS w5, v.w[1 + ((h.b >> 20) & 1023) % ${WORDS}] AS w6
         FROM generate_series($5::bigint, $6::bigint) i CROSS JOIN v,
              -- Independent pseudo-random numbers per column, reproducible from i.
              LATERAL (SELECT hashtext('f' || i) & 2147483647 AS f, (hashtext('s' || i) & 2147483647) % 100 AS s, hashtext('t' || i) & 2147483647 AS t,
                              (hashtext('c' || i) & 2147483647)::bigint AS c, (hashtext('d' || i) & 2147483647)::bigint AS d,
                              hashtext('a' || i) & 2147483647 AS a, hashtext('b' || i) & 2147483647 AS b) h,
              LATERAL (SELECT CASE WHEN h.s < 85 THEN 'succeeded' WHEN h.s < 95 THEN 'failed'
                                   WHEN h.s < 97 THEN 'cancelled' WHEN h.s < 99 THEN 'running' ELSE 'queued' END AS status) st,
              LATERAL (SELECT date_trunc('milliseconds', now() - (h.c * 3623 % 7776000000) * interval '1 millisecond') AS created) t
     ), runs AS (
       INSERT INTO "Run"(id, "workspaceId", "flowId", "flowVersion", status, "triggerKind", "triggerNodeId", error, "pendingSteps", "stepCount", "createdAt", "startedAt", "finishedAt")
       SELECT run_id, ws, flow, 1, status::"RunStatus", kind, 'trigger',
              CASE WHEN status = 'failed' THEN 'Step "Fetch" failed: GET api.example.com answered 500' END, 0, 3, created, started, finished
         FROM src
     ), steps AS (
       -- One recorded step per run (the "fetch" node); its output is the run's second event.
       INSERT INTO "NodeRun"(id, "workspaceId", "runId", "nodeId", "agentType", "inputEventId", status, "startedAt", "finishedAt", "durationMs")
       SELECT step_id, ws, run_id, 'fetch', 'http_request', trigger_id,
              (CASE WHEN status IN ('queued', 'running') THEN 'running' ELSE status END)::"NodeRunStatus",
              COALESCE(started, created), finished, (EXTRACT(EPOCH FROM (finished - started)) * 1000)::int
         FROM src
     )
     INSERT INTO "Event"(id, "workspaceId", "runId", "nodeId", "nodeRunId", payload, "createdAt")
     SELECT trigger_id, ws, run_id, 'trigger', NULL::uuid,
            jsonb_build_object('customer', jsonb_build_object('name', w1, 'email', 'user' || (i % 50000) || '@example.com'),
                               'ticket', 'OPS-' || i, 'note', w2 || ' ' || w3 || ' ' || w4),
            created
       FROM src
     UNION ALL
     SELECT output_id, ws, run_id, 'fetch', step_id,
            jsonb_build_object('status', CASE WHEN status = 'failed' THEN 500 ELSE 200 END, 'body', jsonb_build_object('message', w5 || ' ' || w6, 'id', i)),
            created + interval '20 milliseconds'
       FROM src`,
    [ws, other, flowIds.slice(0, FLOWS), flowIds.slice(FLOWS), from, to],
  );
}

async function measure(db: Awaited<ReturnType<typeof createTestDatabase>>['db'], ws: string, flowIds: string[], size: number): Promise<QueryResult[]> {
  const now = Date.now();
  const day = 86_400_000;
  // A word of the vocabulary (in ~0.5% of runs), a ticket number (one run), a value in every output.
  const word = (await db.$queryRaw<Array<{ w: string }>>`SELECT translate(substr(md5('500'), 1, 8), '0123456789', 'ghijklmnop') AS w`)[0]!.w;
  const ticket = `OPS-${Math.floor(size * 0.37) + 1}`;
  const firstPage = await listRunsAcrossFlows(ws, { limit: 50 });
  const secondPageCursor = firstPage.nextCursor;
  // A cursor deep in the list: about 90% of the way through the newest-first order.
  const deep = (
    await db.$queryRaw<Array<{ createdAt: Date; id: string }>>`
      SELECT "createdAt", id FROM "Run" WHERE "workspaceId" = ${ws}::uuid ORDER BY "createdAt" DESC, id DESC OFFSET ${Math.floor(size * 0.95 * 0.9)} LIMIT 1`
  )[0]!;
  const deepCursor = Buffer.from(JSON.stringify({ s: 'createdAt', o: 'desc', v: deep.createdAt.toISOString(), id: deep.id })).toString('base64url');

  const cases: Array<{ name: string; description: string; input: RunExplorerInput }> = [
    { name: 'first page', description: 'newest 50 runs, no filter', input: { limit: 50 } },
    { name: 'next page', description: 'page 2 through the cursor', input: { limit: 50, cursor: secondPageCursor } },
    { name: 'deep page', description: 'a page 90% down the list (keyset, no OFFSET)', input: { limit: 50, cursor: deepCursor } },
    { name: 'failed', description: 'status = failed', input: { limit: 50, statuses: ['failed'] } },
    {
      name: 'filtered',
      description: '3 flows, failed or cancelled, webhook, last 30 days',
      input: { limit: 50, flowIds: flowIds.slice(0, 3), statuses: ['failed', 'cancelled'], triggerKinds: ['webhook'], from: new Date(now - 30 * day) },
    },
    { name: 'slow runs', description: 'duration ≥ 60 s, sorted by duration desc', input: { limit: 50, sort: 'duration', durationMinMs: 60_000 } },
    { name: 'by duration', description: 'all finished runs sorted by duration asc', input: { limit: 50, sort: 'duration', order: 'asc' } },
    { name: 'search: rare', description: `search "${ticket}" (one run)`, input: { limit: 50, search: ticket } },
    { name: 'search: word', description: `search "${word}" (~0.5% of runs)`, input: { limit: 50, search: word } },
    { name: 'search: everywhere', description: 'search "200" (in most runs)', input: { limit: 50, search: '200' } },
    { name: 'search + filter', description: `search "${word}", failed, last 7 days`, input: { limit: 50, search: word, statuses: ['failed'], from: new Date(now - 7 * day) } },
  ];
  const out: QueryResult[] = [];
  for (const c of cases) {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < REPEAT; i++) {
      const t = performance.now();
      const page = await listRunsAcrossFlows(ws, c.input);
      times.push(performance.now() - t);
      rows = page.items.length;
    }
    const parsed = runExplorerInput.parse(c.input);
    const strategy = searchable(parsed.search) ? await searchStrategy(parsed.search) : 'collect';
    const sql = runExplorerQuery(ws, parsed, strategy);
    const [explain] = await db.$queryRaw<Array<{ 'QUERY PLAN': unknown }>>(Prisma.sql`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`);
    out.push({ name: c.name, description: c.description + (parsed.search ? ` [${strategy}]` : ''), rows, medianMs: round(median(times)), p95Ms: round(percentile(times, 0.95)), plan: summarisePlan(explain!['QUERY PLAN']) });
  }
  return out;
}

async function timeStats(ws: string): Promise<QueryResult> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    // `now` given: the short-lived cache of slow results is bypassed, every call computes.
    await getDashboardStats(ws, { range: '30d' }, { includeQueues: false, now: new Date() });
    times.push(performance.now() - t);
  }
  return {
    name: 'dashboard stats',
    description: 'monitoring.stats, 30 days (buckets, rates, percentiles, top failing, storage)',
    rows: 1,
    medianMs: round(median(times)),
    p95Ms: round(percentile(times, 0.95)),
    plan: { executionMs: 0, planningMs: 0, topNode: '(several queries)', indexes: [], sharedHitBlocks: 0, sharedReadBlocks: 0 },
  };
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

function summarisePlan(raw: unknown): QueryResult['plan'] {
  const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan: PlanNode; 'Execution Time': number; 'Planning Time': number }>;
  const top = doc[0]!;
  const indexes = new Set<string>();
  const nodes: string[] = [];
  const walk = (n: PlanNode) => {
    nodes.push(n['Node Type']);
    if (n['Index Name']) indexes.add(n['Index Name']);
    n.Plans?.forEach(walk);
  };
  walk(top.Plan);
  return {
    executionMs: round(top['Execution Time']),
    planningMs: round(top['Planning Time']),
    topNode: nodes.slice(0, 4).join(' → '),
    indexes: [...indexes],
    sharedHitBlocks: top.Plan['Shared Hit Blocks'] ?? 0,
    sharedReadBlocks: top.Plan['Shared Read Blocks'] ?? 0,
  };
}

function printStage(s: StageResult): void {
  console.log(
    `\n${s.runs.toLocaleString('en')} runs (${s.workspaceRuns.toLocaleString('en')} in the workspace), ${s.events.toLocaleString('en')} events — ` +
      `Run ${mb(s.tableBytes.Run!)}, Event ${mb(s.tableBytes.Event!)}`,
  );
  const rows = s.queries.map((q) => [q.name, q.description, String(q.rows), q.medianMs.toFixed(1), q.p95Ms.toFixed(1), q.plan.executionMs.toFixed(1), q.plan.indexes.join(', ')]);
  const head = ['query', 'what', 'rows', 'median ms', 'p95 ms', 'EXPLAIN ms', 'indexes'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const round = (n: number) => Math.round(n * 10) / 10;
const median = (xs: number[]) => percentile(xs, 0.5);
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round(p * (s.length - 1)))]!;
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
