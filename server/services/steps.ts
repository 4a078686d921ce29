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
import type { Prisma } from '../generated/prisma/client';

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
  const pending = await db().pendingStep.findUnique({ where: { runId_nodeId_eventId: job } });
  if (!pending) {
    await ensureChildrenFlushed(job);
    return { kind: 'skipped', reason: 'already done' };
  }
  const run = await db().run.findUnique({
    where: { id: job.runId },
    select: { id: true, status: true, flowId: true, flowVersion: true, workspaceId: true },
  });
  if (!run) return { kind: 'skipped', reason: 'run deleted' };
  if (run.status === 'failed' || run.status === 'cancelled') {
    await dropStep(pending.id, job.runId);
    return { kind: 'skipped', reason: `run ${run.status}` };
  }

  const { graph, out } = await compiledVersion(run.flowId, run.flowVersion);
  const node = graph.nodes.find((n) => n.id === job.nodeId);
  const agent = node && getAgent(node.type);
  const startedAt = new Date();
  if (run.status === 'queued') {
    await db().run.updateMany({ where: { id: run.id, status: 'queued' }, data: { status: 'running', startedAt } });
  }

  const input = await db().event.findUnique({ where: { id: job.eventId }, select: { payload: true, nodeId: true } });
  let payload = (input?.payload ?? {}) as JsonObject;
  // Merge tells its inputs apart by the node each event came from (see merge.ts).
  if (node?.type === 'merge') payload = { ...payload, [FROM_FIELD]: input?.nodeId ?? '' };
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
      return res.ok ? { result: res, rows: await writeSuccess(tx, base(res), graph, res.events, edges) } : { result: res };
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
      const rows = await recordSuccess(base(result), graph, result.events, edges);
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

async function finishRunIfDone(tx: Tx, runId: string, delta: number): Promise<void> {
  const [row] = await tx.$queryRaw<Array<{ pendingSteps: number; stepCount: number; status: string }>>`
    UPDATE "Run" SET "pendingSteps" = "pendingSteps" + ${delta}, "stepCount" = "stepCount" + 1
    WHERE id = ${runId}::uuid RETURNING "pendingSteps", "stepCount", status::text`;
  if (!row) return;
  const budget = env().MUNINN_MAX_STEPS_PER_RUN;
  if (row.stepCount >= budget && row.pendingSteps > 0 && row.status === 'running') {
    await tx.run.update({
      where: { id: runId },
      data: {
        status: 'failed',
        finishedAt: new Date(),
        error: `The run was stopped after ${budget} steps (the step budget per run). Check the flow for a node that emits too many events.`,
      },
    });
  } else if (row.pendingSteps <= 0 && (row.status === 'running' || row.status === 'queued')) {
    await tx.run.update({ where: { id: runId }, data: { status: 'succeeded', finishedAt: new Date() } });
  }
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

async function recordSuccess(r: RecordBase, graph: FlowGraph, emitted: JsonObject[], edges: OutEdge[]): Promise<OutboxRow[] | null> {
  return db().$transaction(async (tx) => {
    if (!(await claim(tx, r.pendingId))) return null;
    return writeSuccess(tx, r, graph, emitted, edges);
  });
}

/** The success record of a claimed step: NodeRun, emitted events, next steps, run bookkeeping. */
async function writeSuccess(tx: Tx, r: RecordBase, graph: FlowGraph, emitted: JsonObject[], edges: OutEdge[]): Promise<OutboxRow[]> {
  const nodeRunId = await upsertNodeRun(tx, r, 'succeeded', null);
  const run = await tx.run.findUnique({ where: { id: r.job.runId }, select: { status: true } });
  const cancelled = run?.status === 'cancelled' || run?.status === 'failed';
  const events = emitted.map((ev) => ({ id: randomUUID(), ...takeDirectives(ev) }));
  if (events.length) {
    await tx.event.createMany({
      data: events.map((e) => ({
        id: e.id,
        workspaceId: r.workspaceId,
        runId: r.job.runId,
        nodeId: r.job.nodeId,
        nodeRunId,
        payload: e.payload as Prisma.InputJsonValue,
      })),
    });
  }
  const now = Date.now();
  const steps = cancelled
    ? []
    : events.flatMap((e) =>
        edgesFor(edges, e.directives).map((edge) =>
          stepRow(graph, r.job.runId, edge.target, e.id, e.directives.delayMs ? new Date(now + e.directives.delayMs) : undefined),
        ),
      );
  let rows: OutboxRow[] = [];
  if (steps.length) rows = await tx.pendingStep.createManyAndReturn({ data: steps, select: outboxSelect });
  await finishRunIfDone(tx, r.job.runId, steps.length - 1);
  return rows;
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
