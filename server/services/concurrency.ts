import type pg from 'pg';
import { dbPool } from '../db';
import { AppError, notFound } from '../errors';
import { flushOutboxSafely, type OutboxRow } from './outbox';
import { audit } from './audit';
import { publishRunChange } from './monitoring/events';
import type { Prisma } from '../generated/prisma/client';

/**
 * Per-flow concurrency limit: "run at most N at a time, extra runs wait their turn".
 *
 * A run beyond the limit is written as usual (status queued) but its first outbox row is *held*
 * (`PendingStep.heldFlowId` set): the relay and the reconciler leave it alone. Whatever can free a
 * slot — a run ending, a cancel, a raised limit — calls `releaseHeldRuns`, which hands the oldest
 * held rows to the queue. Starting a limited run and releasing take the same per-flow advisory
 * lock, so two of them never both see the same free slot. A run retried from its failed steps
 * waits its turn the same way, its retried steps held (see mustWaitForTurn).
 *
 * Why ends release whenever the flow has a limit (not only when held rows are visible): a run
 * that ends while a start is deciding to hold cannot see the start's uncommitted row, and the
 * start's count may not see the end yet either. Releasing after the end's commit, under the lock,
 * sees both. The worker's reconciler releases for every flow with held rows as a last resort
 * (a crash between a run's end and its release).
 */

export const MAX_CONCURRENT_RUNS = 1000;

/**
 * A flow's runs in flight: queued or running, minus the held ones (a held row always belongs to a
 * queued run: it is written with the run or its retry, and only a cancel, which deletes it, ends
 * such a run). Two counts on partial indexes rather than a per-run anti-join: a long queue of
 * waiting runs is exactly when this is asked most often. Distinct runs, because a run retried
 * from several failed steps waits with one held row per step.
 */
export const activeRunsSql = (flowId: string) => `
  SELECT (SELECT count(*) FROM "Run" r WHERE r."flowId" = ${flowId} AND r.status IN ('queued', 'running'))::int
       - (SELECT count(DISTINCT h."runId") FROM "PendingStep" h WHERE h."heldFlowId" = ${flowId})::int`;

const LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('flow-limit:' || $1::text))`;

/** Runs `work` in a transaction that holds the flow's limit lock (released at commit). */
export async function withFlowLock<T>(flowId: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await dbPool().connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query({ name: 'flow-limit-lock', text: LOCK_SQL, values: [flowId] });
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch((err: Error) => (broken = err));
    throw e;
  } finally {
    client.release(broken);
  }
}

/**
 * Picks runs, not rows: the oldest held row of each waiting run (in the index's order, stopping at
 * the limit), then un-holds every row of the picked runs, so a retried run starts all its steps.
 */
const RELEASE_SQL = `
  WITH pick AS (
    SELECT h."runId" FROM "PendingStep" h
    WHERE h."heldFlowId" = $1::uuid
      AND NOT EXISTS (SELECT 1 FROM "PendingStep" o WHERE o."runId" = h."runId" AND o."heldFlowId" = $1::uuid AND o.id < h.id)
    ORDER BY h.id
    LIMIT (SELECT CASE WHEN f."maxConcurrentRuns" IS NULL THEN NULL ELSE GREATEST(f."maxConcurrentRuns" - (${activeRunsSql('$1::uuid')}), 0) END
           FROM "Flow" f WHERE f.id = $1::uuid)
  )
  UPDATE "PendingStep" p SET "heldFlowId" = NULL FROM pick WHERE p."heldFlowId" = $1::uuid AND p."runId" = pick."runId"
  RETURNING p.id::text AS id, p."runId"::text AS "runId", p."nodeId", p."eventId"::text AS "eventId",
            p."availableAt" AT TIME ZONE 'UTC' AS "availableAt", p."maxAttempts", p."backoffMs", p."maxDelayMs"`;

type ReleasedRow = Omit<OutboxRow, 'id' | 'availableAt'> & { id: string; availableAt: string };

/** Inside the flow's lock: un-holds the oldest held rows that fit under the limit (all of them without one). */
async function releaseLocked(client: pg.PoolClient, flowId: string): Promise<OutboxRow[]> {
  const { rows } = await client.query<ReleasedRow>({ name: 'flow-limit-release', text: RELEASE_SQL, values: [flowId] });
  return rows
    .map((r) => ({ ...r, id: BigInt(r.id), availableAt: new Date(r.availableAt) }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

const runsIn = (rows: OutboxRow[]) => new Set(rows.map((r) => r.runId)).size;

/** Hands the flow's waiting runs to the queue while there is room. Returns how many runs were released. */
export async function releaseHeldRuns(flowId: string): Promise<number> {
  const rows = await withFlowLock(flowId, (client) => releaseLocked(client, flowId));
  await flushOutboxSafely(rows);
  return runsIn(rows);
}

/** Never fails the caller: a release that did not happen is done by the worker's reconciler. */
export async function releaseHeldRunsSafely(flowId: string): Promise<void> {
  await releaseHeldRuns(flowId).catch((e: Error) => console.warn(`[concurrency] flow ${flowId}: waiting runs stay for the reconciler: ${e.message}`));
}

/**
 * For callers that do not know whether the flow has a limit (a cancel, a failed step): skips the
 * lock for flows without a limit and without held rows. Safe without the lock because a limit is
 * only changed under it (see setFlowConcurrency).
 */
export async function releaseIfLimited(flowId: string): Promise<void> {
  try {
    const { rows } = await dbPool().query<{ needed: boolean }>({
      name: 'flow-limit-needed',
      text: `SELECT EXISTS (SELECT 1 FROM "Flow" WHERE id = $1::uuid AND "maxConcurrentRuns" IS NOT NULL)
                 OR EXISTS (SELECT 1 FROM "PendingStep" WHERE "heldFlowId" = $1::uuid) AS needed`,
      values: [flowId],
    });
    if (rows[0]?.needed) await releaseHeldRuns(flowId);
  } catch (e) {
    console.warn(`[concurrency] flow ${flowId}: waiting runs stay for the reconciler: ${(e as Error).message}`);
  }
}

/** The reconciler's pass: releases for every flow that has runs waiting. */
export async function releaseAllHeldRuns(): Promise<{ released: number }> {
  const { rows } = await dbPool().query<{ flowId: string }>(
    `SELECT DISTINCT "heldFlowId"::text AS "flowId" FROM "PendingStep" WHERE "heldFlowId" IS NOT NULL`,
  );
  let released = 0;
  for (const { flowId } of rows) released += await releaseHeldRuns(flowId);
  return { released };
}

/** How many of the flow's runs are in flight and how many wait: for "Waiting: N runs … already running". */
export async function flowLoad(flowId: string): Promise<{ active: number; waiting: number }> {
  const { rows } = await dbPool().query<{ active: number; waiting: number }>({
    name: 'flow-limit-load',
    text: `SELECT (${activeRunsSql('$1::uuid')}) AS active, (SELECT count(DISTINCT "runId")::int FROM "PendingStep" WHERE "heldFlowId" = $1::uuid) AS waiting`,
    values: [flowId],
  });
  return rows[0] ?? { active: 0, waiting: 0 };
}

/**
 * For a run that starts again inside a Prisma transaction (a retry from its failed steps): takes
 * the flow's limit lock until that transaction commits, and says whether the run must wait its
 * turn like a new one — the flow is full, or earlier runs already wait (arrival order). The lock
 * is its own statement: a statement that waited for it would still read from before the wait.
 */
export async function mustWaitForTurn(tx: Prisma.TransactionClient, flowId: string): Promise<boolean> {
  await tx.$queryRawUnsafe(`SELECT 1 AS locked FROM (${LOCK_SQL}) AS l`, flowId);
  const rows = await tx.$queryRawUnsafe<Array<{ wait: boolean }>>(
    `SELECT f."maxConcurrentRuns" IS NOT NULL
            AND ((${activeRunsSql('$1::uuid')}) >= f."maxConcurrentRuns" OR EXISTS (SELECT 1 FROM "PendingStep" h WHERE h."heldFlowId" = $1::uuid)) AS wait
     FROM "Flow" f WHERE f.id = $1::uuid`,
    flowId,
  );
  return Boolean(rows[0]?.wait);
}

/** A whole number from 1 to 1000, or null for no limit; anything else gets a message a person understands. */
export function assertConcurrencyLimit(value: number | null): number | null {
  if (value === null) return null;
  if (!Number.isInteger(value) || value < 1 || value > MAX_CONCURRENT_RUNS) {
    const message = `Enter a whole number from 1 to ${MAX_CONCURRENT_RUNS} for how many runs may run at the same time, or leave it empty for no limit.`;
    throw new AppError('VALIDATION', message, [{ field: 'maxConcurrentRuns', message }]);
  }
  return value;
}

/**
 * Sets or clears how many runs of a flow may run at once. Runs already in flight go on; raising
 * or removing the limit hands waiting runs to the queue at once (in the same locked transaction,
 * so no start slips in between).
 */
export async function setFlowConcurrency(workspaceId: string, flowId: string, limit: number | null): Promise<{ maxConcurrentRuns: number | null; released: number }> {
  const maxConcurrentRuns = assertConcurrencyLimit(limit);
  const { name, rows } = await withFlowLock(flowId, async (client) => {
    const updated = await client.query<{ name: string }>(
      `UPDATE "Flow" SET "maxConcurrentRuns" = $3, "updatedAt" = now() AT TIME ZONE 'UTC' WHERE id = $1::uuid AND "workspaceId" = $2::uuid RETURNING name`,
      [flowId, workspaceId, maxConcurrentRuns],
    );
    if (!updated.rows[0]) throw notFound('This flow');
    return { name: updated.rows[0].name, rows: await releaseLocked(client, flowId) };
  });
  await flushOutboxSafely(rows);
  await audit(workspaceId, 'flow.limit_changed', { type: 'flow', id: flowId, label: name }, { maxConcurrentRuns });
  return { maxConcurrentRuns, released: runsIn(rows) };
}

/**
 * Cancels every waiting run of a flow in one statement (deactivation). Done before the runs in
 * flight are cancelled: each of those cancels frees a slot, which must not start a waiting run.
 */
export async function cancelHeldRuns(workspaceId: string, flowId: string, reason: string): Promise<number> {
  const ids = await withFlowLock(flowId, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `WITH gone AS (
         DELETE FROM "PendingStep" p USING "Run" r
         WHERE p."heldFlowId" = $1::uuid AND r.id = p."runId" AND r."workspaceId" = $2::uuid
         RETURNING p."runId"
       )
       UPDATE "Run" r SET status = 'cancelled', "finishedAt" = now() AT TIME ZONE 'UTC', error = $3, "pendingSteps" = 0
       FROM gone WHERE r.id = gone."runId"
       RETURNING r.id::text AS id`,
      [flowId, workspaceId, reason],
    );
    return rows.map((r) => r.id);
  });
  for (const id of ids) await publishRunChange(id);
  return ids.length;
}
