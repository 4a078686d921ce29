import { randomUUID } from 'node:crypto';
import { db, type Tx } from '../db';
import { env } from '../env';
import { getAgent } from '../agents/registry';
import type { AgentCredentials, AgentHttp, JsonObject } from '../agents/define-agent';
import { adjacency, type FlowGraph } from '../engine/graph';
import { runAgent, type LogLine, type RunAgentResult } from '../engine/run-agent';
import { createAgentHttp } from '../engine/agent-http';
import type { StepJob } from '../queue/queues';
import { loadFlowVersion } from './flows';
import { nodeMemory } from './agent-memory';
import { credentialsFor } from './credentials';
import { flushOutboxSafely, type OutboxRow } from './outbox';
import type { Prisma } from '../generated/prisma/client';

/** Flow versions never change once saved, so the worker keeps them. */
const versionCache = new Map<string, { graph: FlowGraph; out: Map<string, string[]> }>();

async function compiledVersion(flowId: string, version: number) {
  const key = `${flowId}@${version}`;
  let hit = versionCache.get(key);
  if (!hit) {
    const graph = await loadFlowVersion(flowId, version);
    hit = { graph, out: adjacency(graph) };
    if (versionCache.size > 500) versionCache.delete(versionCache.keys().next().value!);
    versionCache.set(key, hit);
  }
  return hit;
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

  let result: RunAgentResult;
  if (!node || !agent) {
    result = { ok: false, permanent: true, logs: [], error: `Node "${job.nodeId}" or its agent type no longer exists in this flow version.` };
  } else {
    const input = await db().event.findUnique({ where: { id: job.eventId }, select: { payload: true } });
    const e = env();
    result = await runAgent(agent, node.options as JsonObject, (input?.payload ?? {}) as JsonObject, {
      runId: job.runId,
      nodeId: job.nodeId,
      eventId: job.eventId,
      attempt: attempt.attempt,
      idempotencyKey: `${job.runId}:${job.nodeId}:${job.eventId}`,
    }, {
      memory: nodeMemory(run.workspaceId, run.flowId, job.nodeId, false),
      credentials: credentialsFor(run.workspaceId),
      http: (signal): AgentHttp => createAgentHttp({ idempotencyKey: `${job.runId}:${job.nodeId}:${job.eventId}`, signal, timeoutMs: e.MUNINN_STEP_TIMEOUT_MS }),
      dryRun: false,
      timeoutMs: e.MUNINN_STEP_TIMEOUT_MS,
      maxEvents: e.MUNINN_MAX_EVENTS_PER_STEP,
      maxEventBytes: e.MUNINN_MAX_PAYLOAD_BYTES,
    });
  }
  const finishedAt = new Date();
  const base = { job, pendingId: pending.id, workspaceId: run.workspaceId, agentType: node?.type ?? 'unknown', attempt: attempt.attempt, startedAt, finishedAt, logs: result.logs };

  if (result.ok) {
    const children = out.get(job.nodeId) ?? [];
    const rows = await recordSuccess({ ...base, events: result.events, children });
    if (rows === null) return { kind: 'skipped', reason: 'completed concurrently' };
    await flushOutboxSafely(rows);
    return { kind: 'succeeded', emitted: result.events.length, children: rows.length };
  }
  if (!result.permanent && attempt.attempt < attempt.maxAttempts) {
    return { kind: 'retry', error: result.error, ...(result.retryAfterMs ? { retryAfterMs: result.retryAfterMs } : {}) };
  }
  const label = node?.label || node?.id || job.nodeId;
  await recordFailure({ ...base, error: result.error, runError: `Step "${label}" failed: ${result.error}` });
  return { kind: 'failed', error: result.error };
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
  if (row.stepCount > budget && row.status === 'running') {
    await tx.run.update({
      where: { id: runId },
      data: { status: 'failed', finishedAt: new Date(), error: `The run was stopped after ${budget} steps (the step budget per run). Check the flow for a loop or a node that emits too many events.` },
    });
  } else if (row.pendingSteps <= 0 && (row.status === 'running' || row.status === 'queued')) {
    await tx.run.update({ where: { id: runId }, data: { status: 'succeeded', finishedAt: new Date() } });
  }
}

async function recordSuccess(r: RecordBase & { events: JsonObject[]; children: string[] }): Promise<OutboxRow[] | null> {
  return db().$transaction(async (tx) => {
    if (!(await claim(tx, r.pendingId))) return null;
    const nodeRunId = randomUUID();
    await tx.nodeRun.create({
      data: {
        id: nodeRunId,
        workspaceId: r.workspaceId,
        runId: r.job.runId,
        nodeId: r.job.nodeId,
        agentType: r.agentType,
        inputEventId: r.job.eventId,
        status: 'succeeded',
        attempt: r.attempt,
        logs: r.logs as unknown as Prisma.InputJsonValue,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        durationMs: r.finishedAt.getTime() - r.startedAt.getTime(),
      },
    });
    const events = r.events.map((payload) => ({ id: randomUUID(), payload }));
    if (events.length) {
      await tx.event.createMany({
        data: events.map((e) => ({ id: e.id, workspaceId: r.workspaceId, runId: r.job.runId, nodeId: r.job.nodeId, nodeRunId, payload: e.payload as Prisma.InputJsonValue })),
      });
    }
    const steps = events.flatMap((e) => r.children.map((nodeId) => ({ runId: r.job.runId, nodeId, eventId: e.id })));
    let rows: OutboxRow[] = [];
    if (steps.length) {
      rows = await tx.pendingStep.createManyAndReturn({ data: steps, select: { id: true, runId: true, nodeId: true, eventId: true, availableAt: true } });
    }
    await finishRunIfDone(tx, r.job.runId, steps.length - 1);
    return rows;
  });
}

async function recordFailure(r: RecordBase & { error: string; runError: string }): Promise<void> {
  await db().$transaction(async (tx) => {
    if (!(await claim(tx, r.pendingId))) return;
    await tx.nodeRun.create({
      data: {
        workspaceId: r.workspaceId,
        runId: r.job.runId,
        nodeId: r.job.nodeId,
        agentType: r.agentType,
        inputEventId: r.job.eventId,
        status: 'failed',
        attempt: r.attempt,
        logs: r.logs as unknown as Prisma.InputJsonValue,
        error: r.error,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        durationMs: r.finishedAt.getTime() - r.startedAt.getTime(),
      },
    });
    await tx.run.updateMany({
      where: { id: r.job.runId, status: { in: ['queued', 'running'] } },
      data: { status: 'failed', error: r.runError, finishedAt: new Date() },
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
  const nodeRun = await db().nodeRun.findUnique({ where: { runId_nodeId_inputEventId: { runId: job.runId, nodeId: job.nodeId, inputEventId: job.eventId } }, select: { id: true } });
  if (!nodeRun) return;
  const rows = await db().pendingStep.findMany({
    where: { runId: job.runId, enqueuedAt: null, eventId: { in: (await db().event.findMany({ where: { nodeRunId: nodeRun.id }, select: { id: true } })).map((e) => e.id) } },
    select: { id: true, runId: true, nodeId: true, eventId: true, availableAt: true },
  });
  await flushOutboxSafely(rows);
}

export type { AgentCredentials };
