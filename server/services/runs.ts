import { uuidv7 } from '../engine/ids';
import { db, dbPool } from '../db';
import { createBatcher } from '../engine/batcher';
import { rememberBounded } from '../engine/bounded-map';
import { env } from '../env';
import { AppError, notFound } from '../errors';
import { getAgent } from '../agents/registry';
import { flowGraphSchema, type FlowGraph } from '../engine/graph';
import { flushOutboxSafely } from './outbox';
import { activeRunsSql, cancelHeldRuns, flowLoad, mustWaitForTurn, releaseHeldRunsSafely, releaseIfLimited, withFlowLock } from './concurrency';
import { announceRunChange, publishRunChange } from './monitoring/events';
import { loadFlowVersion } from './flows';
import { compiledVersion, stepRow } from './steps';
import { stepQueue, stepJobId } from '../queue/queues';
import { Prisma, type RunStatus } from '../generated/prisma/client';

export type TriggerKind = 'manual' | 'webhook' | 'schedule' | 'api' | 'rerun';

const outboxSelect = { id: true, runId: true, nodeId: true, eventId: true, availableAt: true, maxAttempts: true, backoffMs: true, maxDelayMs: true } as const;

export function assertPayload(payload: unknown): Record<string, unknown> {
  if (payload === undefined || payload === null) return {};
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    throw new AppError('VALIDATION', 'The trigger data must be a JSON object, like {"name": "Ada"}.');
  }
  const bytes = Buffer.byteLength(JSON.stringify(payload));
  const max = env().MUNINN_MAX_PAYLOAD_BYTES;
  if (bytes > max) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The trigger data is ${(bytes / 1_000_000).toFixed(1)} MB; the limit is ${(max / 1_000_000).toFixed(1)} MB.`);
  }
  return payload as Record<string, unknown>;
}

function pickTriggerNode(graph: FlowGraph, kind: TriggerKind, nodeId?: string) {
  if (nodeId) {
    const node = graph.nodes.find((n) => n.id === nodeId);
    if (!node || !getAgent(node.type)?.capabilities.trigger) throw notFound(`Trigger node "${nodeId}"`);
    return node;
  }
  const triggers = graph.nodes.filter((n) => getAgent(n.type)?.capabilities.trigger);
  const wanted = kind === 'api' || kind === 'rerun' ? 'manual' : kind;
  const node = triggers.find((n) => getAgent(n.type)?.capabilities.trigger === wanted) ?? triggers[0];
  if (!node) {
    throw new AppError('BAD_REQUEST', 'This flow has no trigger yet. Add a "Manual trigger" or a "Webhook" node, save, and run again.');
  }
  return node;
}

export interface StartRunInput {
  flowId: string;
  triggerKind: TriggerKind;
  payload?: unknown;
  nodeId?: string;
  requireActive?: boolean;
  /** A trigger's own id (webhook delivery id, schedule tick): the same key never starts two runs. */
  dedupKey?: string;
  rerunOf?: string;
  /** The webhook address the trigger came through: the run starts only while it still exists. */
  routeToken?: string;
  /**
   * The flow version the caller checked the trigger against (a webhook's signature settings):
   * the run starts on exactly that version, or StaleFlowError says to look again.
   */
  expectVersion?: number;
}

/** The flow is not (any more) in the state the caller saw: saved again, deactivated, deleted. */
export class StaleFlowError extends Error {
  constructor() {
    super('The flow changed while the run was starting.');
  }
}

/** What a trigger needs to know about a flow; kept per process and checked by the insert itself. */
interface FlowState {
  workspaceId: string;
  version: number;
}

const flowStates = new Map<string, Promise<FlowState | undefined>>();

/**
 * The saved version of a flow, from this process's memory when it has seen the flow before
 * (concurrent first lookups share one read). `fresh` reads it again.
 */
export async function currentFlowVersion(workspaceId: string, flowId: string, fresh = false): Promise<number | undefined> {
  let state = fresh ? undefined : flowStates.get(flowId);
  if (!state) {
    state = db()
      .flow.findFirst({ where: { id: flowId }, select: { version: true, workspaceId: true } })
      .then((f) => f ?? undefined);
    const mine = state;
    mine.then(
      (f) => !f && flowStates.get(flowId) === mine && flowStates.delete(flowId),
      () => flowStates.get(flowId) === mine && flowStates.delete(flowId),
    );
    rememberBounded(flowStates, flowId, state, 2_000);
  }
  const flow = await state;
  // Another workspace's flow is as good as none.
  return flow && flow.workspaceId === workspaceId ? flow.version : undefined;
}

interface NewRun {
  runId: string;
  eventId: string;
  workspaceId: string;
  flowId: string;
  version: number;
  requireActive: boolean;
  routeToken: string | null;
  triggerKind: TriggerKind;
  triggerNodeId: string;
  dedupKey: string | null;
  rerunOf: string | null;
  payload: Record<string, unknown>;
  maxAttempts: number;
  backoffMs: number;
  maxDelayMs: number;
}

type Inserted = { kind: 'created'; stepId: bigint; held?: boolean; room?: boolean } | { kind: 'stale' } | { kind: 'duplicate' } | { kind: 'limited' };

/**
 * Writes runs with their trigger Event and first outbox row — for every trigger that arrived
 * while the previous write was in flight, in ONE statement (group commit: at 500 webhooks/s this
 * is what keeps the database's per-commit cost off each request). Each run is written only if
 * its flow still has the version (and, for webhooks, the address and the active switch) the
 * caller saw; otherwise it is reported stale and the caller looks again.
 *
 * A flow with a concurrency limit is reported `limited` and written nothing here: its runs are
 * written one at a time under the flow's lock (`limited` = true, see concurrency.ts), which counts
 * the runs in flight and holds the new run's first step when there is no room — or when earlier
 * runs are already waiting, so arrivals keep their order.
 */
const insertRunsSql = (limited: boolean) => `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS i("runId" uuid, "eventId" uuid, "workspaceId" uuid, "flowId" uuid, version int,
      "requireActive" boolean, "routeToken" text, "triggerKind" text, "triggerNodeId" text, "dedupKey" text, "rerunOf" uuid, payload jsonb,
      "maxAttempts" int, "backoffMs" int, "maxDelayMs" int)
  ), checked AS (
    SELECT i.*, f."maxConcurrentRuns" AS "limit" FROM input i JOIN "Flow" f ON f.id = i."flowId" AND f."workspaceId" = i."workspaceId" AND f.version = i.version
    WHERE (f.active OR NOT i."requireActive")
      AND (i."routeToken" IS NULL OR EXISTS (SELECT 1 FROM "WebhookRoute" w WHERE w.token = i."routeToken" AND w."flowId" = i."flowId"))
  ), ${limited ? LIMITED_OK : `ok AS (SELECT * FROM checked WHERE "limit" IS NULL)`}, run AS (
    INSERT INTO "Run" (id, "workspaceId", "flowId", "flowVersion", "triggerKind", "triggerNodeId", "pendingSteps", "dedupKey", "rerunOf", "createdAt")
    SELECT "runId", "workspaceId", "flowId", version, "triggerKind", "triggerNodeId", 1, "dedupKey", "rerunOf", ($2::timestamptz AT TIME ZONE 'UTC') FROM ok
    ON CONFLICT ("flowId", "dedupKey") DO NOTHING
    RETURNING id
  ), event AS (
    INSERT INTO "Event" (id, "workspaceId", "runId", "nodeId", payload, "createdAt")
    SELECT ok."eventId", ok."workspaceId", run.id, ok."triggerNodeId", ok.payload, ($2::timestamptz AT TIME ZONE 'UTC') FROM ok JOIN run ON run.id = ok."runId"
  ), step AS (
    INSERT INTO "PendingStep" ("runId", "nodeId", "eventId", "maxAttempts", "backoffMs", "maxDelayMs", "availableAt", "createdAt"${limited ? ', "heldFlowId"' : ''})
    SELECT run.id, ok."triggerNodeId", ok."eventId", ok."maxAttempts", ok."backoffMs", ok."maxDelayMs", ($2::timestamptz AT TIME ZONE 'UTC'), ($2::timestamptz AT TIME ZONE 'UTC')${limited ? ', ok."heldFlowId"' : ''}
    FROM ok JOIN run ON run.id = ok."runId"
    RETURNING id::text AS id, "runId"${limited ? ', "heldFlowId" IS NOT NULL AS held' : ''}
  )
  SELECT i."runId"::text AS "runId", (c."runId" IS NOT NULL) AS valid, step.id AS "stepId",
         ${limited ? 'false AS limited, step.held, ok.room' : '(c."limit" IS NOT NULL) AS limited'}
  FROM input i LEFT JOIN checked c ON c."runId" = i."runId" LEFT JOIN step ON step."runId" = i."runId"${limited ? ' LEFT JOIN ok ON ok."runId" = i."runId"' : ''}`;

/** The limited path's decision: hold when the flow is full or earlier runs already wait (arrival order). */
const LIMITED_OK = `load AS (
    SELECT c."runId", (${activeRunsSql('c."flowId"')}) AS active,
           EXISTS (SELECT 1 FROM "PendingStep" h WHERE h."heldFlowId" = c."flowId") AS waiting
    FROM checked c
  ), ok AS (
    SELECT c.*, CASE WHEN c."limit" IS NOT NULL AND (l.active >= c."limit" OR l.waiting) THEN c."flowId" END AS "heldFlowId",
           (c."limit" IS NULL OR l.active < c."limit") AS room
    FROM checked c JOIN load l ON l."runId" = c."runId"
  )`;

const INSERT_RUNS_SQL = insertRunsSql(false);
const INSERT_LIMITED_RUN_SQL = insertRunsSql(true);

interface InsertedRow {
  runId: string;
  valid: boolean;
  limited: boolean;
  stepId: string | null;
  held?: boolean | null;
  room?: boolean | null;
}

function outcomeOf(row: InsertedRow | undefined): Inserted {
  if (!row?.valid) return { kind: 'stale' };
  if (row.limited) return { kind: 'limited' };
  return row.stepId ? { kind: 'created', stepId: BigInt(row.stepId), held: Boolean(row.held), room: Boolean(row.room) } : { kind: 'duplicate' };
}

const insertRun = createBatcher(async (runs: NewRun[]): Promise<Inserted[]> => {
  const { rows } = await dbPool().query<InsertedRow>({
    name: 'runs-start',
    text: INSERT_RUNS_SQL,
    values: [JSON.stringify(runs), new Date().toISOString()],
  });
  const byId = new Map(rows.map((r) => [r.runId, r]));
  return runs.map((r) => outcomeOf(byId.get(r.runId)));
}, 128);

/** A run of a flow with a concurrency limit: written alone, under the flow's lock. */
function insertLimitedRun(run: NewRun): Promise<Inserted> {
  return withFlowLock(run.flowId, async (client) => {
    const { rows } = await client.query<InsertedRow>({
      name: 'runs-start-limited',
      text: INSERT_LIMITED_RUN_SQL,
      values: [JSON.stringify([run]), new Date().toISOString()],
    });
    return outcomeOf(rows[0]);
  });
}

/**
 * Starts a run of the flow's saved version: the Run, its trigger Event and the first outbox row
 * are written in one statement; only after the commit is the step handed to the queue.
 */
export async function startRun(workspaceId: string, input: StartRunInput): Promise<{ runId: string; duplicate: boolean }> {
  const payload = assertPayload(input.payload);
  for (let attempt = 0; ; attempt++) {
    const version = input.expectVersion ?? (await currentFlowVersion(workspaceId, input.flowId, attempt > 0));
    if (version === undefined) throw notFound('This flow');
    // Saved versions never change: the parsed graph is cached (one query and a parse less per trigger).
    const { graph } = await compiledVersion(input.flowId, version);
    const trigger = pickTriggerNode(graph, input.triggerKind, input.nodeId);
    const runId = uuidv7();
    const eventId = uuidv7();
    const step = stepRow(graph, runId, trigger.id, eventId);
    const now = new Date();
    const row: NewRun = {
      runId,
      eventId,
      workspaceId,
      flowId: input.flowId,
      version,
      requireActive: Boolean(input.requireActive),
      routeToken: input.routeToken ?? null,
      triggerKind: input.triggerKind,
      triggerNodeId: trigger.id,
      dedupKey: input.dedupKey ?? null,
      rerunOf: input.rerunOf ?? null,
      payload,
      maxAttempts: step.maxAttempts,
      backoffMs: step.backoffMs,
      maxDelayMs: step.maxDelayMs,
    };
    let outcome = await insertRun(row);
    if (outcome.kind === 'limited') outcome = await insertLimitedRun(row);
    if (outcome.kind === 'created') {
      // The run is committed: the trigger is safe from here on, so the caller (a webhook sender
      // waiting for its answer) does not wait for the queue hand-over. If it fails or this process
      // dies first, the reconciler queues the step a moment later.
      if (!outcome.held) void flushOutboxSafely([{ ...step, id: outcome.stepId, availableAt: now }]);
      // Held behind earlier waiting runs while a slot is free: a release is due (and keeps the order).
      else if (outcome.room) await releaseHeldRunsSafely(input.flowId);
      void announceRunChange({ id: runId, flowId: input.flowId, workspaceId, status: 'queued', startedAt: null, finishedAt: null });
      return { runId, duplicate: false };
    }
    if (outcome.kind === 'duplicate') {
      // The same delivery (or schedule tick) started a run before: answer with that run.
      const existing = await db().run.findUnique({ where: { flowId_dedupKey: { flowId: input.flowId, dedupKey: input.dedupKey! } }, select: { id: true } });
      if (existing) return { runId: existing.id, duplicate: true };
    }
    // The flow changed since this process last saw it (saved, deactivated, deleted): look again.
    if (input.expectVersion !== undefined) throw new StaleFlowError();
    if (attempt > 0) {
      const flow = await db().flow.findFirst({ where: { id: input.flowId, workspaceId }, select: { active: true } });
      if (!flow || (input.requireActive && !flow.active) || input.routeToken) throw notFound(input.routeToken ? 'This webhook address' : 'This flow');
      if (attempt > 3) throw new AppError('CONFLICT', 'The flow kept changing while the run was starting. Try again.');
    }
  }
}

async function findRun(workspaceId: string, id: string) {
  const run = await db().run.findFirst({ where: { id, workspaceId } });
  if (!run) throw notFound('This run');
  return run;
}

/** Stops a queued or running run: its waiting steps are dropped, steps in flight finish but start nothing new. */
export async function cancelRun(workspaceId: string, id: string): Promise<void> {
  const run = await findRun(workspaceId, id);
  if (run.status !== 'queued' && run.status !== 'running') {
    throw new AppError('BAD_REQUEST', `This run has already ${run.status === 'cancelled' ? 'been cancelled' : run.status}; only queued or running runs can be cancelled.`);
  }
  const dropped = await db().$transaction(async (tx) => {
    const steps = await tx.pendingStep.findMany({ where: { runId: id }, select: { runId: true, nodeId: true, eventId: true } });
    await tx.pendingStep.deleteMany({ where: { runId: id } });
    await tx.run.update({ where: { id }, data: { status: 'cancelled', finishedAt: new Date(), error: 'Cancelled by a user.', pendingSteps: 0 } });
    return steps;
  });
  // Best effort: waiting jobs are removed; any left are skipped by the worker (their outbox row is gone).
  await Promise.all(dropped.map((s) => stepQueue().remove(stepJobId(s)).catch(() => 0)));
  await publishRunChange(id);
  // A slot of the flow's concurrency limit is free: the next waiting run may start.
  await releaseIfLimited(run.flowId);
}

/** Cancels every queued run of a flow (used when a flow is deactivated), waiting ones included. */
export async function cancelQueuedRuns(workspaceId: string, flowId: string): Promise<number> {
  // Waiting runs first: cancelling a queued run frees a slot, which must not start a waiting one.
  const waiting = await cancelHeldRuns(workspaceId, flowId, 'Cancelled: the flow was switched off before this run got its turn.');
  const queued = await db().run.findMany({ where: { workspaceId, flowId, status: 'queued' }, select: { id: true } });
  for (const r of queued) await cancelRun(workspaceId, r.id).catch(() => undefined);
  return waiting + queued.length;
}

/**
 * Retries a failed run from its failed steps: the same run continues, earlier steps' outputs
 * are reused, and each failed step runs again on the same input event. Under a concurrency limit
 * the run waits its turn like a new one: queued, with its retried steps held until a slot frees.
 */
export async function retryRunFromFailure(workspaceId: string, id: string): Promise<{ runId: string; steps: number }> {
  const run = await findRun(workspaceId, id);
  if (run.status !== 'failed') throw new AppError('BAD_REQUEST', 'Only a failed run can be retried from its failed step.');
  const graph = await loadFlowVersion(run.flowId, run.flowVersion);
  const { rows, held } = await db().$transaction(async (tx) => {
    // Decided (and written) under the flow's limit lock, so a start or a release never sees half of it.
    const held = await mustWaitForTurn(tx, run.flowId);
    const failed = await tx.nodeRun.findMany({
      where: { runId: id, status: 'failed' },
      select: { id: true, nodeId: true, inputEventId: true, attempt: true, attempts: true, startedAt: true, finishedAt: true, error: true },
    });
    if (failed.length === 0) throw new AppError('BAD_REQUEST', 'This run has no failed step to retry. Use "Re-run" to run it again from the start.');
    const created = await tx.pendingStep.createManyAndReturn({
      data: failed.map((f) => ({ ...stepRow(graph, id, f.nodeId, f.inputEventId), heldFlowId: held ? run.flowId : null })),
      select: outboxSelect,
      skipDuplicates: true,
    });
    // The final failed try joins the step's history before the step runs again.
    for (const f of failed) {
      const history = [...((f.attempts as unknown[] | null) ?? []), { attempt: f.attempt, startedAt: f.startedAt, finishedAt: f.finishedAt, error: f.error }];
      await tx.nodeRun.update({ where: { id: f.id }, data: { status: 'retrying', attempts: history as unknown as Prisma.InputJsonValue } });
    }
    // Only a run that failed goes on: a second retry that waited for the lock finds it running.
    const updated = await tx.run.updateMany({
      where: { id, status: 'failed' },
      data: { status: held ? 'queued' : 'running', error: null, finishedAt: null, pendingSteps: { increment: created.length } },
    });
    if (updated.count === 0) throw new AppError('BAD_REQUEST', 'Only a failed run can be retried from its failed step.');
    return { rows: created, held };
  });
  // The failed attempts' jobs still hold these deterministic ids in BullMQ; free them first
  // (held steps too: their release hands them over under the same ids).
  await Promise.all(rows.map((r) => stepQueue().remove(stepJobId(r)).catch(() => 0)));
  if (held) await releaseHeldRunsSafely(run.flowId);
  else await flushOutboxSafely(rows);
  await publishRunChange(id);
  return { runId: id, steps: rows.length };
}

/** Runs the flow again with the same trigger event, as a new run. */
export async function rerun(workspaceId: string, id: string): Promise<{ runId: string }> {
  const run = await findRun(workspaceId, id);
  const trigger = await db().event.findFirst({ where: { runId: id, nodeRunId: null }, orderBy: { createdAt: 'asc' }, select: { payload: true } });
  const { runId } = await startRun(workspaceId, {
    flowId: run.flowId,
    triggerKind: 'rerun',
    nodeId: run.triggerNodeId,
    payload: trigger?.payload ?? {},
    rerunOf: id,
  }).catch((e: unknown) => {
    if (e instanceof AppError && e.code === 'NOT_FOUND') {
      throw new AppError('BAD_REQUEST', 'The trigger node of this run is no longer in the flow, so it cannot be re-run.');
    }
    throw e;
  });
  return { runId };
}

function durationMs(r: { startedAt: Date | null; finishedAt: Date | null }): number | null {
  return r.startedAt && r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null;
}

/** Which of these runs wait for a slot of their flow's concurrency limit. */
async function heldRunIds(runIds: string[]): Promise<Set<string>> {
  if (runIds.length === 0) return new Set();
  const held = await db().pendingStep.findMany({ where: { runId: { in: runIds }, heldFlowId: { not: null } }, select: { runId: true } });
  return new Set(held.map((h) => h.runId));
}

/** "Waiting: 3 runs of this flow are already running." for a held run, else null. */
async function waitingReason(run: { id: string; flowId: string; status: RunStatus }): Promise<string | null> {
  if (run.status !== 'queued' || (await heldRunIds([run.id])).size === 0) return null;
  const { active } = await flowLoad(run.flowId);
  return `Waiting: ${active === 1 ? '1 run of this flow is' : `${active} runs of this flow are`} already running.`;
}

export async function listRunsForFlow(workspaceId: string, input: { flowId: string; limit?: number; cursor?: string | null }) {
  const limit = Math.min(input.limit ?? 25, 100);
  const rows = await db().run.findMany({
    where: { workspaceId, flowId: input.flowId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
    select: { id: true, status: true, triggerKind: true, createdAt: true, startedAt: true, finishedAt: true, error: true },
  });
  const page = rows.slice(0, limit);
  const waiting = await heldRunIds(page.filter((r) => r.status === 'queued').map((r) => r.id));
  // `waiting`: queued behind the flow's limit of runs at a time, not just waiting for a worker.
  const items = page.map((r) => ({ ...r, durationMs: durationMs(r), waiting: waiting.has(r.id) }));
  return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
}

export interface RunStep {
  id: string;
  nodeId: string;
  nodeLabel: string;
  agentType: string;
  status: 'running' | 'retrying' | 'succeeded' | 'failed' | 'cancelled';
  attempt: number;
  /** Earlier attempts that failed and were retried. */
  attempts: Array<{ attempt: number; startedAt: string; finishedAt: string; error: string }>;
  input: unknown;
  outputs: unknown[];
  logs: Array<{ level: string; message: string; at: string }>;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
}

export async function getRun(workspaceId: string, id: string) {
  const run = await db().run.findFirst({
    where: { id, workspaceId },
    include: {
      flow: { select: { name: true } },
      nodeRuns: { orderBy: { startedAt: 'asc' }, include: { outputs: { select: { payload: true }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } } },
    },
  });
  if (!run) throw notFound('This run');
  const inputIds = [...new Set(run.nodeRuns.map((s) => s.inputEventId))];
  const inputs = new Map(
    (await db().event.findMany({ where: { id: { in: inputIds }, runId: run.id }, select: { id: true, payload: true } })).map((e) => [e.id, e.payload]),
  );
  const version = await db().flowVersion.findUnique({ where: { flowId_version: { flowId: run.flowId, version: run.flowVersion } }, select: { graph: true } });
  const graph = version ? flowGraphSchema.safeParse(version.graph) : undefined;
  const labels = new Map((graph?.success ? graph.data.nodes : []).map((n) => [n.id, n.label || getAgent(n.type)?.name || n.id]));
  const steps: RunStep[] = run.nodeRuns.map((s) => ({
    id: s.id,
    nodeId: s.nodeId,
    nodeLabel: labels.get(s.nodeId) ?? s.nodeId,
    agentType: s.agentType,
    status: s.status,
    attempt: s.attempt,
    attempts: (s.attempts ?? []) as RunStep['attempts'],
    input: inputs.get(s.inputEventId) ?? null,
    outputs: s.outputs.map((o) => o.payload),
    logs: (s.logs ?? []) as RunStep['logs'],
    error: s.error,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    durationMs: s.durationMs,
  }));
  return {
    id: run.id,
    flowId: run.flowId,
    flowName: run.flow.name,
    flowVersion: run.flowVersion,
    status: run.status as RunStatus,
    triggerKind: run.triggerKind,
    rerunOf: run.rerunOf,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: durationMs(run),
    error: run.error,
    waiting: await waitingReason(run),
    steps,
    /** The flow as it was when this run ran (its version), for drawing the run's path. */
    graph: graph?.success ? graph.data : null,
  };
}
