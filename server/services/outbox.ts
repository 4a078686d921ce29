import { db, dbPool } from '../db';
import { createBatcher } from '../engine/batcher';
import { stepQueue, stepJobId, type StepJob } from '../queue/queues';

export interface OutboxRow extends StepJob {
  id: bigint;
  availableAt: Date;
  maxAttempts: number;
  backoffMs: number;
  maxDelayMs: number;
}

/**
 * The relay: hands committed outbox rows to BullMQ, then marks them enqueued. Called right after
 * the commit that wrote them; if Redis is unreachable the rows stay and the reconciler retries.
 * Deterministic job ids make a second hand-over of the same row harmless.
 *
 * Resolves once the rows are queued and marked. Calls that arrive while a hand-over is in flight
 * are grouped into the next one (one addBulk and one UPDATE for all of them), so concurrent steps
 * of a busy worker share round trips instead of each paying for their own.
 */
export function flushOutbox(rows: OutboxRow[]): Promise<void> {
  if (rows.length === 0) return Promise.resolve();
  return relay(rows);
}

const relay = createBatcher(async (groups: OutboxRow[][]) => {
  await handOver(groups.length === 1 ? groups[0]! : groups.flat());
  return groups.map(() => undefined);
}, 64);

async function handOver(rows: OutboxRow[]): Promise<void> {
  const now = Date.now();
  await stepQueue().addBulk(
    rows.map((r) => ({
      name: 'step',
      opts: {
        jobId: stepJobId(r),
        attempts: r.maxAttempts,
        // Exponential with jitter, capped per node: see stepBackoff in queues.ts.
        backoff: { type: 'muninn', delay: r.backoffMs },
        ...(r.availableAt.getTime() > now ? { delay: r.availableAt.getTime() - now } : {}),
      },
      data: { runId: r.runId, nodeId: r.nodeId, eventId: r.eventId, maxDelayMs: r.maxDelayMs },
    })),
  );
  await dbPool().query({
    name: 'outbox-mark-enqueued',
    text: `UPDATE "PendingStep" SET "enqueuedAt" = ($1::timestamptz AT TIME ZONE 'UTC') WHERE id = ANY($2::bigint[])`,
    values: [new Date().toISOString(), rows.map((r) => r.id.toString())],
  });
}

/** Flushes, but never lets a Redis outage fail the caller: the rows are safe in Postgres. */
export async function flushOutboxSafely(rows: OutboxRow[]): Promise<void> {
  try {
    await flushOutbox(rows);
  } catch (e) {
    console.warn(`[outbox] ${rows.length} step(s) stay in the outbox for the reconciler: ${(e as Error).message}`);
  }
}

/**
 * The reconciler: re-enqueues outbox rows the relay never handed over (a crash between commit and
 * flush, Redis down) and rows whose job vanished (Redis restarted or flushed). Rows held by a
 * flow's concurrency limit are not its business (see releaseAllHeldRuns).
 */
export async function reconcileOutbox(opts: { unflushedAfterMs?: number; vanishedAfterMs?: number; batch?: number } = {}): Promise<{
  requeued: number;
}> {
  const { unflushedAfterMs = 2_000, vanishedAfterMs = 30_000, batch = 500 } = opts;
  const now = Date.now();
  const unflushed = await db().pendingStep.findMany({
    // Held rows wait for a slot of their flow's concurrency limit: releaseHeldRuns hands them over.
    where: { enqueuedAt: null, heldFlowId: null, createdAt: { lt: new Date(now - unflushedAfterMs) } },
    take: batch,
    orderBy: { id: 'asc' },
  });
  const stale = await db().pendingStep.findMany({
    where: { enqueuedAt: { lt: new Date(now - vanishedAfterMs) } },
    take: batch,
    orderBy: { enqueuedAt: 'asc' },
  });
  const queue = stepQueue();
  const vanished: OutboxRow[] = [];
  for (const row of stale) {
    const job = await queue.getJob(stepJobId(row));
    if (!job) {
      vanished.push(row);
      continue;
    }
    // The row outlived its job: the job ended without the step being recorded (e.g. BullMQ gave
    // up on a job whose workers kept dying). Free the id and queue it again.
    const state = await job.getState();
    if (state === 'failed' || state === 'completed') {
      await job.remove().catch(() => undefined);
      vanished.push(row);
    }
  }
  const rows = [...unflushed, ...vanished];
  await flushOutbox(rows);
  // Rows whose job is still queued are fine; touch them so they are not checked on every pass.
  const alive = stale.filter((r) => !vanished.includes(r));
  if (alive.length) await db().pendingStep.updateMany({ where: { id: { in: alive.map((r) => r.id) } }, data: { enqueuedAt: new Date() } });
  return { requeued: rows.length };
}
