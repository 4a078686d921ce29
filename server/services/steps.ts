import { uuidv7 } from '../engine/ids';
import { db, dbPool, type Tx } from '../db';
import { env } from '../env';
import { getAgent } from '../agents/registry';
import { isStateful, type AgentHttp, type AgentMemory, type JsonObject } from '../agents/define-agent';
import { outgoingEdges, retryPolicyOf, type FlowGraph, type OutEdge } from '../engine/graph';
import { edgesFor, takeDirectives, type Directives } from '../engine/directives';
import { FROM_FIELD } from '../agents/merge';
import { runAgent, type LogLine, type RunAgentDeps, type RunAgentResult } from '../engine/run-agent';
import { createAgentHttp } from '../engine/safe-http';
import { createBatcher } from '../engine/batcher';
import { rememberBounded } from '../engine/bounded-map';
import { stepJobId, type StepJob } from '../queue/queues';
import { loadFlowVersion } from './flows';
import { nodeMemory } from './agent-memory';
import { credentialsFor } from './credentials';
import { flushOutboxSafely, type OutboxRow } from './outbox';
import { releaseHeldRunsSafely, releaseIfLimited } from './concurrency';
import { announceRunChange, type StepSnapshot } from './monitoring/events';
import { Prisma, type RunStatus } from '../generated/prisma/client';

const outboxSelect = { id: true, runId: true, nodeId: true, eventId: true, availableAt: true, maxAttempts: true, backoffMs: true, maxDelayMs: true } as const;

/**
 * Flow versions never change once saved, so each process keeps them parsed. Concurrent first
 * lookups of one version share one read.
 */
const versionCache = new Map<string, Promise<{ graph: FlowGraph; out: Map<string, OutEdge[]> }>>();

export function compiledVersion(flowId: string, version: number): Promise<{ graph: FlowGraph; out: Map<string, OutEdge[]> }> {
  const key = `${flowId}@${version}`;
  let hit = versionCache.get(key);
  if (!hit) {
    hit = loadFlowVersion(flowId, version).then((graph) => ({ graph, out: outgoingEdges(graph) }));
    // A failed read is not kept: the next lookup tries again.
    hit.catch(() => versionCache.delete(key));
    rememberBounded(versionCache, key, hit, 500);
  }
  return hit;
}

/**
 * What an agent gets for one step (or a test of one): its node's memory, the workspace's
 * credentials, HTTP through the SSRF guard carrying the step's idempotency key, and the limits.
 */
export function agentDeps(workspaceId: string, idempotencyKey: string, memory: AgentMemory, dryRun: boolean): RunAgentDeps {
  const e = env();
  return {
    memory,
    credentials: credentialsFor(workspaceId),
    http: (signal): AgentHttp => createAgentHttp({ idempotencyKey, signal, timeoutMs: e.MUNINN_STEP_TIMEOUT_MS }),
    dryRun,
    timeoutMs: e.MUNINN_STEP_TIMEOUT_MS,
    maxEvents: e.MUNINN_MAX_EVENTS_PER_STEP,
    maxEventBytes: e.MUNINN_MAX_PAYLOAD_BYTES,
  };
}

/** Outbox row fields for a step of `nodeId`, with the node's retry policy. */
export function stepRow(graph: FlowGraph, runId: string, nodeId: string, eventId: string, availableAt?: Date) {
  const policy = retryPolicyOf(graph.nodes.find((n) => n.id === nodeId));
  return {
    runId,
    nodeId,
    eventId,
    maxAttempts: policy.attempts,
    backoffMs: policy.backoffMs,
    maxDelayMs: policy.maxDelayMs,
    ...(availableAt ? { availableAt } : {}),
  };
}

export type StepOutcome =
  | { kind: 'succeeded'; emitted: number; children: number; inline?: number; announced?: boolean }
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; error: string }
  | { kind: 'retry'; error: string; retryAfterMs?: number };

interface PendingWithRun {
  id: bigint;
  status: RunStatus;
  flowId: string;
  flowVersion: number;
  workspaceId: string;
  /** The input event (null only if it vanished). */
  payload: Prisma.JsonValue | null;
  eventNodeId: string | null;
}

export interface StepAttempt {
  attempt: number;
  maxAttempts: number;
}

/**
 * Executes one step exactly once to success. The NodeRun, the emitted Events, the downstream
 * outbox rows and the run's pending count are written in one transaction that also deletes this
 * step's outbox row; if that row is already gone the step was done by someone else.
 */
export async function executeStep(job: StepJob, attempt: StepAttempt): Promise<StepOutcome> {
  // The outbox row, its run and the input event in one round trip (a row's run always exists:
  // deleting a run deletes its outbox rows).
  const startedAt = new Date();
  const pending = await readStep(job);
  if (!pending) {
    await ensureChildrenFlushed(job);
    return { kind: 'skipped', reason: 'already done' };
  }
  const run = { id: job.runId, status: pending.status, flowId: pending.flowId, flowVersion: pending.flowVersion, workspaceId: pending.workspaceId };
  if (run.status === 'failed' || run.status === 'cancelled') {
    await dropStep(pending.id, job.runId);
    return { kind: 'skipped', reason: `run ${run.status}` };
  }

  // A queued run becomes "running" when its first record says so — or, for a step that takes a
  // while, a moment after it started, so that people watching see it running. Most runs finish
  // their chain in milliseconds and never pay for a separate update of the run.
  const showRunning = run.status === 'queued' ? setTimeout(() => void markRunStarted(run, startedAt), RUNNING_AFTER_MS) : undefined;
  try {
    return await executeClaimedStep(job, attempt, pending, run, startedAt);
  } finally {
    clearTimeout(showRunning);
  }
}

/** A step that is still running after this long marks its queued run as running. */
const RUNNING_AFTER_MS = 300;

async function markRunStarted(run: { id: string; flowId: string; workspaceId: string }, startedAt: Date): Promise<void> {
  try {
    const { rowCount } = await dbPool().query({
      name: 'run-mark-started',
      text: `UPDATE "Run" SET status = 'running', "startedAt" = coalesce("startedAt", $2::timestamptz AT TIME ZONE 'UTC') WHERE id = $1::uuid AND status = 'queued'`,
      values: [run.id, startedAt.toISOString()],
    });
    if (rowCount) void announceRunChange({ ...run, status: 'running', startedAt, finishedAt: null });
  } catch (e) {
    console.warn(`[worker] run ${run.id} not marked running: ${(e as Error).message}`);
  }
}

async function executeClaimedStep(
  job: StepJob,
  attempt: StepAttempt,
  pending: PendingWithRun,
  run: { id: string; status: string; flowId: string; flowVersion: number; workspaceId: string },
  startedAt: Date,
): Promise<StepOutcome> {
  const { graph, out } = await compiledVersion(run.flowId, run.flowVersion);
  const node = graph.nodes.find((n) => n.id === job.nodeId);
  const agent = node && getAgent(node.type);

  let payload = (pending.payload ?? {}) as JsonObject;
  // Merge tells its inputs apart by the node each event came from (see merge.ts).
  if (node?.type === 'merge') payload = { ...payload, [FROM_FIELD]: pending.eventNodeId ?? '' };
  const e = env();
  const invoke = (memoryClient: Tx): Promise<RunAgentResult> =>
    !node || !agent
      ? Promise.resolve({ ok: false, permanent: true, logs: [], error: `Node "${job.nodeId}" or its agent type no longer exists in this flow version.` })
      : runAgent(
          agent,
          node.options as JsonObject,
          payload,
          { runId: job.runId, nodeId: job.nodeId, eventId: job.eventId, attempt: attempt.attempt, idempotencyKey: stepJobId(job) },
          agentDeps(run.workspaceId, stepJobId(job), nodeMemory(run.workspaceId, run.flowId, job.nodeId, false, memoryClient), false),
        );
  const base = (result: RunAgentResult): RecordBase => ({
    job,
    pendingId: pending.id,
    workspaceId: run.workspaceId,
    agentType: node?.type ?? 'unknown',
    attempt: attempt.attempt,
    startedAt,
    finishedAt: new Date(),
    logs: result.logs,
  });
  const edges = out.get(job.nodeId) ?? [];

  let result: RunAgentResult;
  if (agent && node && isStateful(agent, node.options)) {
    // Memory and results commit together, one step of this node at a time (see AgentCapabilities).
    const stateful = await runStateful(run.flowId, job.nodeId, pending.id, e.MUNINN_STEP_TIMEOUT_MS, async (tx) => {
      const res = await invoke(tx);
      if (!res.ok) return { result: res };
      const root = base(res);
      const steps = [{ ...root, events: withIds(res.events) }];
      const recorded = await recordSuccess(txClient(tx), root, steps, childSteps(steps[0]!, graph, edges), false);
      return { result: res, rows: recorded!.rows, releaseHeld: recorded!.releaseHeld };
    });
    if (stateful === null) return { kind: 'skipped', reason: 'completed concurrently' };
    if (stateful.rows) {
      await flushOutboxSafely(stateful.rows);
      if (stateful.releaseHeld) await releaseHeldRunsSafely(run.flowId);
      return { kind: 'succeeded', emitted: (stateful.result as { events: unknown[] }).events.length, children: stateful.rows.length };
    }
    result = stateful.result;
  } else {
    result = await invoke(db());
    if (result.ok) {
      // Pure steps downstream run here and now, and everything is recorded in one statement.
      const chain = await runInlineChain(base(result), result.events, graph, out, run);
      const recorded = await recordSuccess('pool', chain.root, chain.steps, chain.next, true);
      if (recorded === null) return { kind: 'skipped', reason: 'completed concurrently' };
      await flushOutboxSafely(recorded.rows);
      if (recorded.releaseHeld) await releaseHeldRunsSafely(run.flowId);
      if (recorded.run) void announceRunChange({ ...recorded.run, id: run.id, flowId: run.flowId, workspaceId: run.workspaceId }, recorded.nodeRuns);
      return { kind: 'succeeded', emitted: result.events.length, children: recorded.rows.length, inline: chain.steps.length - 1, announced: true };
    }
  }
  if (result.ok) throw new Error('unreachable');
  if (!result.permanent && attempt.attempt < attempt.maxAttempts) {
    if (run.status === 'queued') await markRunStarted(run, startedAt);
    await recordRetry(base(result), result.error);
    return { kind: 'retry', error: result.error, ...(result.retryAfterMs ? { retryAfterMs: result.retryAfterMs } : {}) };
  }
  const label = node?.label || node?.id || job.nodeId;
  if (await recordFailure(base(result), result.error, `Step "${label}" failed: ${result.error}`)) await releaseIfLimited(run.flowId);
  return { kind: 'failed', error: result.error };
}

class Rollback extends Error {
  constructor(readonly value: { result: RunAgentResult }) {
    super('rollback');
  }
}

/**
 * Runs a stateful step inside one transaction: a per-node advisory lock serialises the node's
 * steps, the outbox row is claimed first, and a failed attempt rolls everything back (the row
 * returns, memory is untouched) so the retry starts from the same state.
 */
async function runStateful(
  flowId: string,
  nodeId: string,
  pendingId: bigint,
  timeoutMs: number,
  work: (tx: Tx) => Promise<{ result: RunAgentResult; rows?: OutboxRow[]; releaseHeld?: boolean }>,
): Promise<{ result: RunAgentResult; rows?: OutboxRow[]; releaseHeld?: boolean } | null> {
  try {
    return await db().$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${`${flowId}:${nodeId}`}))) AS l`;
        if (!(await claim(tx, pendingId))) return null;
        const done = await work(tx);
        if (!done.rows) throw new Rollback(done);
        return done;
      },
      { timeout: timeoutMs + 15_000, maxWait: 30_000 },
    );
  } catch (e) {
    if (e instanceof Rollback) return e.value;
    throw e;
  }
}

interface RecordBase {
  job: StepJob;
  pendingId: bigint;
  workspaceId: string;
  agentType: string;
  attempt: number;
  startedAt: Date;
  finishedAt: Date;
  logs: LogLine[];
}

/** Deletes this step's outbox row; false when another worker already finished the step. */
async function claim(tx: Tx, pendingId: bigint): Promise<boolean> {
  const res = await tx.pendingStep.deleteMany({ where: { id: pendingId } });
  return res.count === 1;
}

function nodeRunData(r: RecordBase, status: 'succeeded' | 'failed' | 'retrying', error: string | null) {
  return {
    agentType: r.agentType,
    status,
    attempt: r.attempt,
    logs: r.logs as unknown as Prisma.InputJsonValue,
    error,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.finishedAt.getTime() - r.startedAt.getTime(),
  };
}

/** Creates or updates the step's NodeRun; an earlier failed attempt keeps its place in `attempts`. */
async function upsertNodeRun(tx: Tx, r: RecordBase, status: 'succeeded' | 'failed' | 'retrying', error: string | null, id = uuidv7()) {
  const key = { runId: r.job.runId, nodeId: r.job.nodeId, inputEventId: r.job.eventId };
  const data = nodeRunData(r, status, error);
  const row = await tx.nodeRun.upsert({
    where: { runId_nodeId_inputEventId: key },
    create: { id, workspaceId: r.workspaceId, ...key, ...data },
    update: data,
    select: { id: true },
  });
  return row.id;
}

/** A recorded step: its base record and the events it emitted (directives taken off). */
interface RecordedStep extends RecordBase {
  events: EmittedEvent[];
}

interface EmittedEvent {
  id: string;
  payload: JsonObject;
  directives: Directives;
}

/** A downstream step that will go through the outbox. */
interface NextStep {
  nodeId: string;
  eventId: string;
  maxAttempts: number;
  backoffMs: number;
  maxDelayMs: number;
  availableAt: string;
}

const withIds = (emitted: JsonObject[]): EmittedEvent[] => emitted.map((ev) => ({ id: uuidv7(), ...takeDirectives(ev) }));

/** The steps an emitted event starts: one per edge it travels. */
function childSteps(step: RecordedStep, graph: FlowGraph, edges: OutEdge[]): NextStep[] {
  const nowMs = Date.now();
  return step.events.flatMap((ev) =>
    edgesFor(edges, ev.directives).map((edge) => {
      const row = stepRow(graph, step.job.runId, edge.target, ev.id);
      return { ...row, availableAt: new Date(nowMs + (ev.directives.delayMs ?? 0)).toISOString() };
    }),
  );
}

/** At most this many pure steps run inside one job; the rest go through the queue. */
const MAX_INLINE_STEPS = 32;

/**
 * After a step succeeded: runs the pure ("inline") steps it feeds right here, breadth first, and
 * the steps they feed, until an agent that is not pure, a delay, a failure, or the cap. A step
 * that fails here is not recorded as failed: it goes through the queue like any other step and
 * gets its retries and history there. Nothing is written until the caller records the chain.
 */
async function runInlineChain(
  root: RecordBase,
  emitted: JsonObject[],
  graph: FlowGraph,
  out: Map<string, OutEdge[]>,
  run: { id: string; workspaceId: string; flowId: string },
): Promise<{ root: RecordBase; steps: RecordedStep[]; next: NextStep[] }> {
  const first: RecordedStep = { ...root, events: withIds(emitted) };
  const steps = [first];
  const next: NextStep[] = [];
  const queue = [first];
  for (let step = queue.shift(); step; step = queue.shift()) {
    for (const child of childSteps(step, graph, out.get(step.job.nodeId) ?? [])) {
      const node = graph.nodes.find((n) => n.id === child.nodeId);
      const agent = node && getAgent(node.type);
      const input = step.events.find((ev) => ev.id === child.eventId)!;
      if (!node || !agent?.capabilities.inline || input.directives.delayMs || steps.length >= MAX_INLINE_STEPS) {
        next.push(child);
        continue;
      }
      const job = { runId: run.id, nodeId: child.nodeId, eventId: child.eventId };
      const startedAt = new Date();
      const idempotencyKey = stepJobId(job);
      const res = await runAgent(
        agent,
        node.options as JsonObject,
        input.payload,
        { ...job, attempt: 1, idempotencyKey },
        agentDeps(run.workspaceId, idempotencyKey, nodeMemory(run.workspaceId, run.flowId, job.nodeId, false), false),
      );
      if (!res.ok) {
        next.push(child);
        continue;
      }
      const recorded: RecordedStep = {
        job,
        pendingId: root.pendingId,
        workspaceId: root.workspaceId,
        agentType: node.type,
        attempt: 1,
        startedAt,
        finishedAt: new Date(),
        logs: res.logs,
        events: withIds(res.events),
      };
      steps.push(recorded);
      queue.push(recorded);
    }
  }
  return { root, steps, next };
}

/** Runs SQL with $1… parameters, on the pg pool (named, so prepared once per connection) or in a Prisma transaction. */
interface SqlClient {
  query<T>(name: string, text: string, values: unknown[]): Promise<T[]>;
}

function poolClient(): SqlClient {
  const pool = dbPool();
  return { query: async <T>(name: string, text: string, values: unknown[]) => (await pool.query({ name, text, values })).rows as T[] };
}

function txClient(tx: Tx): SqlClient {
  return { query: <T>(_name: string, text: string, values: unknown[]) => tx.$queryRawUnsafe<T[]>(text, ...values) };
}

const stepKey = (s: { runId: string; nodeId: string; eventId: string }) => `${s.runId}|${s.nodeId}|${s.eventId}`;

/**
 * The outbox rows of several steps, their runs and input events in one round trip (a read only:
 * a queued run is marked running by its record, see executeStep). Steps of a busy worker are read
 * together (see createBatcher): the database then pays its per-statement cost once for all.
 */
const READ_STEPS_SQL = `
  SELECT p.id::text AS id, p."runId"::text AS "runId", p."nodeId", p."eventId"::text AS "eventId", r.status::text AS status,
         r."flowId", r."flowVersion", r."workspaceId", e.payload, e."nodeId" AS "eventNodeId"
  FROM jsonb_to_recordset($1::jsonb) AS i("runId" uuid, "nodeId" text, "eventId" uuid)
  JOIN "PendingStep" p ON p."runId" = i."runId" AND p."nodeId" = i."nodeId" AND p."eventId" = i."eventId"
  JOIN "Run" r ON r.id = p."runId"
  LEFT JOIN "Event" e ON e.id = p."eventId"`;

const readSteps = createBatcher(async (jobs: Array<{ job: StepJob }>) => {
  const rows = await poolClient().query<Omit<PendingWithRun, 'id'> & { id: string; runId: string; nodeId: string; eventId: string }>(
    'steps-read',
    READ_STEPS_SQL,
    [JSON.stringify(jobs.map(({ job }) => ({ runId: job.runId, nodeId: job.nodeId, eventId: job.eventId })))],
  );
  const byKey = new Map(rows.map((r) => [stepKey(r), r]));
  return jobs.map(({ job }) => {
    const row = byKey.get(stepKey(job));
    if (!row) return undefined;
    const { runId: _r, nodeId: _n, eventId: _e, ...rest } = row;
    return { ...rest, id: BigInt(row.id) } satisfies PendingWithRun;
  });
}, 64);

function readStep(job: StepJob): Promise<PendingWithRun | undefined> {
  return readSteps({ job });
}

/**
 * The success records of steps — each with the pure steps run inline after it — in ONE statement
 * (atomic by itself, or part of the caller's transaction): claims each step's outbox row (the
 * stateful path has claimed it already), upserts the NodeRuns, writes the emitted Events and the
 * outbox rows of the next steps, and does each run's bookkeeping (pending count, step count,
 * succeeded when nothing is left, failed when the step budget is spent). Everything hangs off the
 * claim: a step that another worker finished first writes nothing. A run that already ended
 * (failed, cancelled) or ends here by its budget keeps these records but starts nothing new.
 * Several steps of one run in one batch are summed per run.
 */
const recordSql = (claim: boolean) => `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb)
      AS j("pendingId" bigint, "runId" uuid, "workspaceId" uuid, "nodeRuns" jsonb, events jsonb, next jsonb, delta int, k int, "startedAt" timestamptz)
  ), claimed AS (
    ${claim ? 'DELETE FROM "PendingStep" p USING input j WHERE p.id = j."pendingId" RETURNING p.id' : 'SELECT "pendingId" AS id FROM input'}
  ), ok AS (
    SELECT j.* FROM input j WHERE j."pendingId" IN (SELECT id FROM claimed)
  ), node_run AS (
    INSERT INTO "NodeRun" (id, "workspaceId", "runId", "nodeId", "agentType", "inputEventId", status, attempt, logs, error, "startedAt", "finishedAt", "durationMs")
    SELECT s.id, ok."workspaceId", ok."runId", s."nodeId", s."agentType", s."inputEventId", 'succeeded'::"NodeRunStatus", s.attempt, s.logs, NULL,
           s."startedAt" AT TIME ZONE 'UTC', s."finishedAt" AT TIME ZONE 'UTC', s."durationMs"
    FROM ok CROSS JOIN LATERAL jsonb_to_recordset(ok."nodeRuns")
      AS s(id uuid, "nodeId" text, "agentType" text, "inputEventId" uuid, attempt int, logs jsonb, "startedAt" timestamptz, "finishedAt" timestamptz, "durationMs" int)
    ON CONFLICT ("runId", "nodeId", "inputEventId") DO UPDATE SET
      "agentType" = EXCLUDED."agentType", status = EXCLUDED.status, attempt = EXCLUDED.attempt, logs = EXCLUDED.logs, error = NULL,
      "startedAt" = EXCLUDED."startedAt", "finishedAt" = EXCLUDED."finishedAt", "durationMs" = EXCLUDED."durationMs"
    RETURNING id::text AS id, "runId"::text AS "runId", "nodeId", "inputEventId"::text AS "inputEventId", "agentType", attempt, "durationMs"
  ), per_run AS (
    SELECT "runId", sum(delta)::int AS delta, sum(k)::int AS k, count(*)::int AS jobs, min("startedAt") AS "startedAt" FROM ok GROUP BY "runId"
  ), run AS (
    UPDATE "Run" r SET
      "pendingSteps" = r."pendingSteps" + CASE WHEN r.status IN ('failed', 'cancelled') OR ${OVER_BUDGET} THEN -pr.jobs ELSE pr.delta END,
      "stepCount" = r."stepCount" + pr.k,
      status = CASE WHEN ${OVER_BUDGET} THEN 'failed'::"RunStatus" WHEN ${RUN_DONE} THEN 'succeeded'::"RunStatus"
                    WHEN r.status = 'queued' THEN 'running'::"RunStatus" ELSE r.status END,
      "startedAt" = CASE WHEN r.status IN ('queued', 'running') THEN coalesce(r."startedAt", pr."startedAt" AT TIME ZONE 'UTC') ELSE r."startedAt" END,
      error = CASE WHEN ${OVER_BUDGET} THEN $3 ELSE r.error END,
      "finishedAt" = CASE WHEN ${OVER_BUDGET} OR ${RUN_DONE} THEN ($4::timestamptz AT TIME ZONE 'UTC') ELSE r."finishedAt" END
    FROM per_run pr
    WHERE r.id = pr."runId"
    RETURNING r.id::text AS id, r.status, r."startedAt" AT TIME ZONE 'UTC' AS "startedAt", r."finishedAt" AT TIME ZONE 'UTC' AS "finishedAt",
      CASE WHEN r.status IN ('succeeded', 'failed') THEN ${RELEASE_NEEDED} ELSE false END AS "releaseHeld"
  ), events AS (
    INSERT INTO "Event" (id, "workspaceId", "runId", "nodeId", "nodeRunId", payload, "createdAt")
    SELECT e.id, ok."workspaceId", ok."runId", e."nodeId", nr.id::uuid, e.payload, ($4::timestamptz AT TIME ZONE 'UTC')
    FROM ok CROSS JOIN LATERAL jsonb_to_recordset(ok.events) AS e(id uuid, "nodeId" text, "inputEventId" uuid, payload jsonb)
    JOIN node_run nr ON nr."runId" = ok."runId"::text AND nr."nodeId" = e."nodeId" AND nr."inputEventId" = e."inputEventId"::text
  ), steps AS (
    INSERT INTO "PendingStep" ("runId", "nodeId", "eventId", "maxAttempts", "backoffMs", "maxDelayMs", "availableAt", "createdAt")
    SELECT ok."runId", s."nodeId", s."eventId", s."maxAttempts", s."backoffMs", s."maxDelayMs", s."availableAt" AT TIME ZONE 'UTC', ($4::timestamptz AT TIME ZONE 'UTC')
    FROM ok JOIN run ON run.id = ok."runId"::text
      CROSS JOIN LATERAL jsonb_to_recordset(ok.next)
        AS s("nodeId" text, "eventId" uuid, "maxAttempts" int, "backoffMs" int, "maxDelayMs" int, "availableAt" timestamptz)
    WHERE run.status NOT IN ('failed', 'cancelled')
    RETURNING id::text AS id, "runId"::text AS "runId", "nodeId", "eventId"::text AS "eventId", "availableAt" AT TIME ZONE 'UTC' AS "availableAt",
              "maxAttempts", "backoffMs", "maxDelayMs"
  )
  SELECT (SELECT coalesce(json_agg(id::text), '[]'::json) FROM claimed) AS claimed,
         (SELECT coalesce(json_agg(r), '[]'::json) FROM run r) AS runs,
         (SELECT coalesce(json_agg(n), '[]'::json) FROM node_run n) AS "nodeRuns",
         (SELECT coalesce(json_agg(s), '[]'::json) FROM steps s) AS steps`;

const OVER_BUDGET = `(r.status IN ('running', 'queued') AND r."stepCount" + pr.k >= $2::int AND r."pendingSteps" + pr.delta > 0)`;
const RUN_DONE = `(r.status IN ('running', 'queued') AND r."pendingSteps" + pr.delta <= 0)`;
/** An ended run frees a slot of its flow's concurrency limit (see concurrency.ts for why "has a limit", not only "has held rows"). */
const RELEASE_NEEDED = `(EXISTS (SELECT 1 FROM "Flow" f WHERE f.id = r."flowId" AND f."maxConcurrentRuns" IS NOT NULL)
        OR EXISTS (SELECT 1 FROM "PendingStep" h WHERE h."heldFlowId" = r."flowId"))`;

interface RecordItem {
  root: RecordBase;
  steps: RecordedStep[];
  next: NextStep[];
}

interface RecordResult {
  rows: OutboxRow[];
  /** The run after the record (absent only when it vanished). */
  run?: { status: RunStatus; startedAt: Date | null; finishedAt: Date | null };
  nodeRuns: StepSnapshot[];
  /** The run ended and its flow has a concurrency limit (or waiting runs): release them. */
  releaseHeld?: boolean;
}

interface RecordRow {
  claimed: string[];
  runs: Array<{ id: string; status: RunStatus; startedAt: string | null; finishedAt: string | null; releaseHeld: boolean }>;
  nodeRuns: Array<{ id: string; runId: string; nodeId: string; inputEventId: string; agentType: string; attempt: number; durationMs: number | null }>;
  steps: Array<{ id: string; runId: string; nodeId: string; eventId: string; availableAt: string; maxAttempts: number; backoffMs: number; maxDelayMs: number }>;
}

async function recordMany(client: SqlClient, items: RecordItem[], claim: boolean): Promise<Array<RecordResult | null>> {
  const budget = env().MUNINN_MAX_STEPS_PER_RUN;
  const input = items.map(({ root, steps, next }) => ({
    pendingId: root.pendingId.toString(),
    runId: root.job.runId,
    workspaceId: root.workspaceId,
    nodeRuns: steps.map((s) => ({
      id: uuidv7(),
      nodeId: s.job.nodeId,
      agentType: s.agentType,
      inputEventId: s.job.eventId,
      attempt: s.attempt,
      logs: s.logs,
      startedAt: s.startedAt.toISOString(),
      finishedAt: s.finishedAt.toISOString(),
      durationMs: s.finishedAt.getTime() - s.startedAt.getTime(),
    })),
    events: steps.flatMap((s) => s.events.map((ev) => ({ id: ev.id, nodeId: s.job.nodeId, inputEventId: s.job.eventId, payload: ev.payload }))),
    next,
    delta: next.length - 1,
    k: steps.length,
    startedAt: root.startedAt.toISOString(),
  }));
  const [row] = await client.query<RecordRow>(claim ? 'steps-record' : 'steps-record-claimed', recordSql(claim), [
    JSON.stringify(input),
    budget,
    `The run was stopped after ${budget} steps (the step budget per run). Check the flow for a node that emits too many events.`,
    new Date().toISOString(),
  ]);
  const claimed = new Set(row!.claimed);
  const date = (v: string | null) => (v === null ? null : new Date(v));
  return items.map(({ root, steps, next }) => {
    if (!claimed.has(root.pendingId.toString())) return null;
    const runId = root.job.runId;
    const run = row!.runs.find((r) => r.id === runId);
    const mine = new Set(steps.map((s) => `${s.job.nodeId}|${s.job.eventId}`));
    const children = new Set(next.map((n) => `${n.nodeId}|${n.eventId}`));
    return {
      rows: row!.steps
        .filter((st) => st.runId === runId && children.has(`${st.nodeId}|${st.eventId}`))
        .map((st) => ({ ...st, id: BigInt(st.id), availableAt: new Date(st.availableAt) })),
      ...(run ? { run: { status: run.status, startedAt: date(run.startedAt), finishedAt: date(run.finishedAt) }, releaseHeld: run.releaseHeld } : {}),
      nodeRuns: row!.nodeRuns
        .filter((n) => n.runId === runId && mine.has(`${n.nodeId}|${n.inputEventId}`))
        .map(({ runId: _r, inputEventId: _i, ...n }) => ({ ...n, status: 'succeeded' as const })),
    };
  });
}

/** Steps of a busy worker are recorded together: one statement and one commit for the batch. */
const recordBatch = createBatcher((items: RecordItem[]) => recordMany(poolClient(), items, true), 64);

async function recordSuccess(client: SqlClient | 'pool', root: RecordBase, steps: RecordedStep[], next: NextStep[], claim: boolean): Promise<RecordResult | null> {
  if (client === 'pool' && claim) return recordBatch({ root, steps, next });
  const [result] = await recordMany(client === 'pool' ? poolClient() : client, [{ root, steps, next }], claim);
  return result ?? null;
}

/** A failed attempt that will be retried: visible in the step's history while it waits. */
async function recordRetry(r: RecordBase, error: string): Promise<void> {
  await db().$transaction(async (tx) => {
    const key = { runId: r.job.runId, nodeId: r.job.nodeId, inputEventId: r.job.eventId };
    const existing = await tx.nodeRun.findUnique({ where: { runId_nodeId_inputEventId: key }, select: { attempts: true, status: true } });
    if (existing?.status === 'succeeded') return;
    const attempts = [...((existing?.attempts as unknown[] | undefined) ?? []), { attempt: r.attempt, startedAt: r.startedAt, finishedAt: r.finishedAt, error }];
    await upsertNodeRun(tx, r, 'retrying', error);
    await tx.nodeRun.update({ where: { runId_nodeId_inputEventId: key }, data: { attempts: attempts as unknown as Prisma.InputJsonValue } });
  });
}

/** Returns whether the run ended here (so a slot of its flow's concurrency limit is free). */
async function recordFailure(r: RecordBase, error: string, runError: string): Promise<boolean> {
  return db().$transaction(async (tx) => {
    if (!(await claim(tx, r.pendingId))) return false;
    await upsertNodeRun(tx, r, 'failed', error);
    const ended = await tx.run.updateMany({
      where: { id: r.job.runId, status: { in: ['queued', 'running'] } },
      data: { status: 'failed', error: runError, finishedAt: new Date() },
    });
    // A run that failed on its first step may never have been marked running: it started then.
    const startedAt = Prisma.sql`(${r.startedAt.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
    await tx.$executeRaw`UPDATE "Run" SET "pendingSteps" = "pendingSteps" - 1, "stepCount" = "stepCount" + 1, "startedAt" = coalesce("startedAt", ${startedAt}) WHERE id = ${r.job.runId}::uuid`;
    return ended.count > 0;
  });
}

/** A step of a run that already ended (failed or cancelled): removed without running. */
async function dropStep(pendingId: bigint, runId: string): Promise<void> {
  await db().$transaction(async (tx) => {
    if (!(await claim(tx, pendingId))) return;
    await tx.$executeRaw`UPDATE "Run" SET "pendingSteps" = "pendingSteps" - 1 WHERE id = ${runId}::uuid`;
  });
}

/** A redelivered step that already succeeded: make sure the steps it created reach the queue. */
async function ensureChildrenFlushed(job: StepJob): Promise<void> {
  const nodeRun = await db().nodeRun.findUnique({
    where: { runId_nodeId_inputEventId: { runId: job.runId, nodeId: job.nodeId, inputEventId: job.eventId } },
    select: { id: true, status: true },
  });
  if (nodeRun?.status !== 'succeeded') return;
  const emitted = await db().event.findMany({ where: { nodeRunId: nodeRun.id }, select: { id: true } });
  const rows = await db().pendingStep.findMany({
    where: { runId: job.runId, enqueuedAt: null, eventId: { in: emitted.map((e) => e.id) } },
    select: outboxSelect,
  });
  await flushOutboxSafely(rows);
}
