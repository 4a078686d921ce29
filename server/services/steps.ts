import { randomUUID } from 'node:crypto';
import { db, type Tx } from '../db';
import { env } from '../env';
import { getAgent } from '../agents/registry';
import { isStateful, type AgentHttp, type JsonObject } from '../agents/define-agent';
import { outgoingEdges, retryPolicyOf, type FlowGraph, type OutEdge } from '../engine/graph';
import { edgesFor, takeDirectives } from '../engine/directives';
import { FROM_FIELD } from '../agents/merge';
import { runAgent, type LogLine, type RunAgentResult } from '../engine/run-agent';
import { createAgentHttp } from '../engine/safe-http';
import type { StepJob } from '../queue/queues';
import { loadFlowVersion } from './flows';
import { nodeMemory } from './agent-memory';
import { credentialsFor } from './credentials';
import { flushOutboxSafely, type OutboxRow } from './outbox';
import { publishRunChange } from './monitoring/events';
import { Prisma, type RunStatus } from '../generated/prisma/client';

const outboxSelect = { id: true, runId: true, nodeId: true, eventId: true, availableAt: true, maxAttempts: true, backoffMs: true, maxDelayMs: true } as const;

/** Flow versions never change once saved, so the worker keeps them. */
const versionCache = new Map<string, { graph: FlowGraph; out: Map<string, OutEdge[]> }>();

export async function compiledVersion(flowId: string, version: number) {
  const key = `${flowId}@${version}`;
  let hit = versionCache.get(key);
  if (!hit) {
    const graph = await loadFlowVersion(flowId, version);
    hit = { graph, out: outgoingEdges(graph) };
    if (versionCache.size > 500) versionCache.delete(versionCache.keys().next().value!);
    versionCache.set(key, hit);
  }
  return hit;
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
  | { kind: 'succeeded'; emitted: number; children: number }
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
  /** This statement moved the run from queued to running. */
  started: boolean;
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
  // deleting a run deletes its outbox rows); a queued run is marked running in the same statement.
  const startedAt = new Date();
  const [pending] = await db().$queryRaw<PendingWithRun[]>`
    WITH p AS (
      SELECT p.id, r.status::text AS status, r."flowId", r."flowVersion", r."workspaceId", e.payload, e."nodeId" AS "eventNodeId"
      FROM "PendingStep" p JOIN "Run" r ON r.id = p."runId" LEFT JOIN "Event" e ON e.id = p."eventId"
      WHERE p."runId" = ${job.runId}::uuid AND p."nodeId" = ${job.nodeId} AND p."eventId" = ${job.eventId}::uuid
    ), started AS (
      UPDATE "Run" SET status = 'running', "startedAt" = (${startedAt.toISOString()}::timestamptz AT TIME ZONE 'UTC')
      WHERE id = ${job.runId}::uuid AND status = 'queued' AND EXISTS (SELECT 1 FROM p)
      RETURNING id
    )
    SELECT p.*, EXISTS (SELECT 1 FROM started) AS started FROM p`;
  if (!pending) {
    await ensureChildrenFlushed(job);
    return { kind: 'skipped', reason: 'already done' };
  }
  const run = { id: job.runId, status: pending.status, flowId: pending.flowId, flowVersion: pending.flowVersion, workspaceId: pending.workspaceId };
  if (run.status === 'failed' || run.status === 'cancelled') {
    await dropStep(pending.id, job.runId);
    return { kind: 'skipped', reason: `run ${run.status}` };
  }

  const { graph, out } = await compiledVersion(run.flowId, run.flowVersion);
  const node = graph.nodes.find((n) => n.id === job.nodeId);
  const agent = node && getAgent(node.type);
  if (pending.started) void publishRunChange(run.id);

  let payload = (pending.payload ?? {}) as JsonObject;
  // Merge tells its inputs apart by the node each event came from (see merge.ts).
  if (node?.type === 'merge') payload = { ...payload, [FROM_FIELD]: pending.eventNodeId ?? '' };
  const e = env();
  const idempotencyKey = `${job.runId}:${job.nodeId}:${job.eventId}`;
  const invoke = (memoryClient: Tx): Promise<RunAgentResult> =>
    !node || !agent
      ? Promise.resolve({ ok: false, permanent: true, logs: [], error: `Node "${job.nodeId}" or its agent type no longer exists in this flow version.` })
      : runAgent(
          agent,
          node.options as JsonObject,
          payload,
          { runId: job.runId, nodeId: job.nodeId, eventId: job.eventId, attempt: attempt.attempt, idempotencyKey },
          {
            memory: nodeMemory(run.workspaceId, run.flowId, job.nodeId, false, memoryClient),
            credentials: credentialsFor(run.workspaceId),
            http: (signal): AgentHttp => createAgentHttp({ idempotencyKey, signal, timeoutMs: e.MUNINN_STEP_TIMEOUT_MS }),
            dryRun: false,
            timeoutMs: e.MUNINN_STEP_TIMEOUT_MS,
            maxEvents: e.MUNINN_MAX_EVENTS_PER_STEP,
            maxEventBytes: e.MUNINN_MAX_PAYLOAD_BYTES,
          },
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
      return res.ok ? { result: res, rows: (await recordSuccess(tx, base(res), graph, res.events, edges, false))! } : { result: res };
    });
    if (stateful === null) return { kind: 'skipped', reason: 'completed concurrently' };
    if (stateful.rows) {
      await flushOutboxSafely(stateful.rows);
      return { kind: 'succeeded', emitted: (stateful.result as { events: unknown[] }).events.length, children: stateful.rows.length };
    }
    result = stateful.result;
  } else {
    result = await invoke(db());
    if (result.ok) {
      const rows = await recordSuccess(db(), base(result), graph, result.events, edges, true);
      if (rows === null) return { kind: 'skipped', reason: 'completed concurrently' };
      await flushOutboxSafely(rows);
      return { kind: 'succeeded', emitted: result.events.length, children: rows.length };
    }
  }
  if (result.ok) throw new Error('unreachable');
  if (!result.permanent && attempt.attempt < attempt.maxAttempts) {
    await recordRetry(base(result), result.error);
    return { kind: 'retry', error: result.error, ...(result.retryAfterMs ? { retryAfterMs: result.retryAfterMs } : {}) };
  }
  const label = node?.label || node?.id || job.nodeId;
  await recordFailure(base(result), result.error, `Step "${label}" failed: ${result.error}`);
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
  work: (tx: Tx) => Promise<{ result: RunAgentResult; rows?: OutboxRow[] }>,
): Promise<{ result: RunAgentResult; rows?: OutboxRow[] } | null> {
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
async function upsertNodeRun(tx: Tx, r: RecordBase, status: 'succeeded' | 'failed' | 'retrying', error: string | null, id = randomUUID()) {
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

/** A timestamp parameter as UTC wall time, the way Prisma stores DateTime (whatever the session time zone). */
const utc = (d: Date) => Prisma.sql`(${d.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/**
 * The success record of a step, in ONE statement (atomic by itself, or part of the caller's
 * transaction): claims the step's outbox row (`claim`; the stateful path has claimed it already),
 * upserts its NodeRun, writes the emitted Events and the outbox rows of the next steps, and does
 * the run's bookkeeping (pending count, step count, succeeded when nothing is left, failed when
 * the step budget is spent). Everything hangs off the claim: when another worker finished the
 * step first, nothing is written and the result is null. A run that already ended (failed,
 * cancelled) or ends here by its budget keeps this step's record but starts nothing new.
 */
async function recordSuccess(
  client: Tx,
  r: RecordBase,
  graph: FlowGraph,
  emitted: JsonObject[],
  edges: OutEdge[],
  claim: boolean,
): Promise<OutboxRow[] | null> {
  const { runId, nodeId, eventId } = r.job;
  const events = emitted.map((ev) => ({ id: randomUUID(), ...takeDirectives(ev) }));
  const nowMs = Date.now();
  const now = utc(new Date(nowMs));
  const next = events.flatMap((e) =>
    edgesFor(edges, e.directives).map((edge) => {
      const row = stepRow(graph, runId, edge.target, e.id);
      return { ...row, availableAt: new Date(nowMs + (e.directives.delayMs ?? 0)).toISOString() };
    }),
  );
  const delta = next.length - 1;
  const budget = env().MUNINN_MAX_STEPS_PER_RUN;
  const overBudget = Prisma.sql`(status = 'running' AND "stepCount" + 1 >= ${budget} AND "pendingSteps" + ${delta} > 0)`;
  const done = Prisma.sql`(status IN ('running', 'queued') AND "pendingSteps" + ${delta} <= 0)`;
  const budgetError = `The run was stopped after ${budget} steps (the step budget per run). Check the flow for a node that emits too many events.`;
  const rows = await client.$queryRaw<Array<{ claimed: number } & { [K in keyof OutboxRow]: OutboxRow[K] | null }>>`
    WITH claimed AS (
      ${claim ? Prisma.sql`DELETE FROM "PendingStep" WHERE id = ${r.pendingId} RETURNING id` : Prisma.sql`SELECT ${r.pendingId}::bigint AS id`}
    ), node_run AS (
      INSERT INTO "NodeRun" (id, "workspaceId", "runId", "nodeId", "agentType", "inputEventId", status, attempt, logs, error, "startedAt", "finishedAt", "durationMs")
      SELECT ${randomUUID()}::uuid, ${r.workspaceId}::uuid, ${runId}::uuid, ${nodeId}, ${r.agentType}, ${eventId}::uuid, 'succeeded'::"NodeRunStatus",
             ${r.attempt}::int, ${JSON.stringify(r.logs)}::jsonb, NULL, ${utc(r.startedAt)}, ${utc(r.finishedAt)}, ${r.finishedAt.getTime() - r.startedAt.getTime()}::int
      FROM claimed
      ON CONFLICT ("runId", "nodeId", "inputEventId") DO UPDATE SET
        "agentType" = EXCLUDED."agentType", status = EXCLUDED.status, attempt = EXCLUDED.attempt, logs = EXCLUDED.logs, error = NULL,
        "startedAt" = EXCLUDED."startedAt", "finishedAt" = EXCLUDED."finishedAt", "durationMs" = EXCLUDED."durationMs"
      RETURNING id
    ), run AS (
      UPDATE "Run" SET
        "pendingSteps" = "pendingSteps" + CASE WHEN status IN ('failed', 'cancelled') OR ${overBudget} THEN -1 ELSE ${delta}::int END,
        "stepCount" = "stepCount" + 1,
        status = CASE WHEN ${overBudget} THEN 'failed'::"RunStatus" WHEN ${done} THEN 'succeeded'::"RunStatus" ELSE status END,
        error = CASE WHEN ${overBudget} THEN ${budgetError} ELSE error END,
        "finishedAt" = CASE WHEN ${overBudget} OR ${done} THEN ${now} ELSE "finishedAt" END
      WHERE id = ${runId}::uuid AND EXISTS (SELECT 1 FROM claimed)
      RETURNING status
    ), events AS (
      INSERT INTO "Event" (id, "workspaceId", "runId", "nodeId", "nodeRunId", payload, "createdAt")
      SELECT e.id, ${r.workspaceId}::uuid, ${runId}::uuid, ${nodeId}, node_run.id, e.payload, ${now}
      FROM node_run, jsonb_to_recordset(${JSON.stringify(events.map((e) => ({ id: e.id, payload: e.payload })))}::jsonb) AS e(id uuid, payload jsonb)
    ), steps AS (
      INSERT INTO "PendingStep" ("runId", "nodeId", "eventId", "maxAttempts", "backoffMs", "maxDelayMs", "availableAt", "createdAt")
      SELECT ${runId}::uuid, s."nodeId", s."eventId", s."maxAttempts", s."backoffMs", s."maxDelayMs", s."availableAt" AT TIME ZONE 'UTC', ${now}
      FROM run, jsonb_to_recordset(${JSON.stringify(next)}::jsonb)
        AS s("nodeId" text, "eventId" uuid, "maxAttempts" int, "backoffMs" int, "maxDelayMs" int, "availableAt" timestamptz)
      WHERE run.status NOT IN ('failed', 'cancelled')
      RETURNING id, "runId", "nodeId", "eventId", "availableAt", "maxAttempts", "backoffMs", "maxDelayMs"
    )
    SELECT (SELECT count(*) FROM claimed)::int AS claimed, steps.* FROM (SELECT 1) AS one LEFT JOIN steps ON true`;
  if (!rows[0]?.claimed) return null;
  return rows.filter((row): row is typeof row & OutboxRow => row.id !== null).map(({ claimed: _, ...row }) => row);
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

async function recordFailure(r: RecordBase, error: string, runError: string): Promise<void> {
  await db().$transaction(async (tx) => {
    if (!(await claim(tx, r.pendingId))) return;
    await upsertNodeRun(tx, r, 'failed', error);
    await tx.run.updateMany({
      where: { id: r.job.runId, status: { in: ['queued', 'running'] } },
      data: { status: 'failed', error: runError, finishedAt: new Date() },
    });
    await tx.$executeRaw`UPDATE "Run" SET "pendingSteps" = "pendingSteps" - 1, "stepCount" = "stepCount" + 1 WHERE id = ${r.job.runId}::uuid`;
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
