import { z } from 'zod';
import { db } from '../../db';
import { notFound } from '../../errors';
import { Prisma } from '../../generated/prisma/client';

/**
 * Retention of run data. A workspace has at most one default policy and each flow may have its
 * own; a flow policy's empty (null) fields inherit the workspace's. Fields:
 *
 * - keepDays: runs that succeeded or were cancelled are deleted this many days after they were
 *   created, with their steps and events (ON DELETE CASCADE).
 * - keepFailedDays: failed runs are deleted after this many days instead (default: keepDays).
 * - maxPayloadBytes: event payloads of succeeded or cancelled runs whose JSON is larger are
 *   replaced by `{ "$truncated": true, "bytes": <original size>, "preview": "<first 256 chars>" }`.
 *   Failed runs keep their payloads, so that "retry from the failed step" still has its input.
 *
 * Queued and running runs are never touched. Without a policy, nothing is deleted or truncated.
 *
 * The pruner (worker maintenance) works in batches of at most `batchSize` runs or events per
 * statement, each its own short transaction, choosing rows with FOR UPDATE SKIP LOCKED so it never
 * waits on (or blocks for long) a worker writing the same run.
 */

export const MIN_PAYLOAD_CAP = 1024;
/** Size of the preview kept in a truncated payload. */
const PREVIEW_CHARS = 256;

const days = z.number().int().min(1, 'Keep data at least 1 day').max(3650, 'Keep data at most 10 years (3650 days)').nullable();

export const retentionPolicyInput = z
  .object({
    /** Omit for the workspace default. */
    flowId: z.string().uuid('That is not a valid flow id').nullish(),
    keepDays: days,
    keepFailedDays: days,
    maxPayloadBytes: z
      .number()
      .int()
      .min(MIN_PAYLOAD_CAP, `Keep at least ${MIN_PAYLOAD_CAP} bytes of each payload`)
      .max(100_000_000)
      .nullable(),
  })
  .strict();
export type RetentionPolicyInput = z.input<typeof retentionPolicyInput>;

export interface RetentionFields {
  keepDays: number | null;
  keepFailedDays: number | null;
  maxPayloadBytes: number | null;
}

export interface RetentionPolicyView {
  /** The workspace default (null: none set). */
  workspace: RetentionFields | null;
  /** The flow's own policy, when a flow was asked for (null: none set, it inherits). */
  flow: RetentionFields | null;
  /** What applies: the flow's fields, falling back to the workspace's; keepFailedDays to keepDays. */
  effective: RetentionFields;
}

const fields = { keepDays: true, keepFailedDays: true, maxPayloadBytes: true } as const;

export function effectivePolicy(flow: RetentionFields | null, workspace: RetentionFields | null): RetentionFields {
  const keepDays = flow?.keepDays ?? workspace?.keepDays ?? null;
  return {
    keepDays,
    keepFailedDays: flow?.keepFailedDays ?? workspace?.keepFailedDays ?? keepDays,
    maxPayloadBytes: flow?.maxPayloadBytes ?? workspace?.maxPayloadBytes ?? null,
  };
}

async function assertFlow(workspaceId: string, flowId: string): Promise<void> {
  if (!(await db().flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true } }))) throw notFound('This flow');
}

export async function getRetentionPolicy(workspaceId: string, input: { flowId?: string | null } = {}): Promise<RetentionPolicyView> {
  if (input.flowId) await assertFlow(workspaceId, input.flowId);
  const rows = await db().retentionPolicy.findMany({
    where: { workspaceId, OR: [{ flowId: null }, ...(input.flowId ? [{ flowId: input.flowId }] : [])] },
    select: { flowId: true, ...fields },
  });
  const strip = (r: (typeof rows)[number] | undefined): RetentionFields | null =>
    r ? { keepDays: r.keepDays, keepFailedDays: r.keepFailedDays, maxPayloadBytes: r.maxPayloadBytes } : null;
  const workspace = strip(rows.find((r) => r.flowId === null));
  const flow = input.flowId ? strip(rows.find((r) => r.flowId === input.flowId)) : null;
  return { workspace, flow, effective: effectivePolicy(flow, workspace) };
}

/** Sets (or, with every field null, removes) the workspace default or a flow's policy. */
export async function setRetentionPolicy(workspaceId: string, raw: RetentionPolicyInput): Promise<RetentionPolicyView> {
  const input = retentionPolicyInput.parse(raw);
  const flowId = input.flowId ?? null;
  if (flowId) await assertFlow(workspaceId, flowId);
  const values = { keepDays: input.keepDays, keepFailedDays: input.keepFailedDays, maxPayloadBytes: input.maxPayloadBytes };
  if (values.keepDays === null && values.keepFailedDays === null && values.maxPayloadBytes === null) {
    await db().retentionPolicy.deleteMany({ where: { workspaceId, flowId } });
  } else {
    // The unique indexes ((workspaceId, flowId) and the partial one for flowId IS NULL) make a
    // concurrent second insert fail instead of duplicating; ON CONFLICT needs the matching one.
    const conflict = flowId ? Prisma.sql`("workspaceId", "flowId")` : Prisma.sql`("workspaceId") WHERE "flowId" IS NULL`;
    await db().$executeRaw`
      INSERT INTO "RetentionPolicy"(id, "workspaceId", "flowId", "keepDays", "keepFailedDays", "maxPayloadBytes", "updatedAt")
      VALUES (gen_random_uuid(), ${workspaceId}::uuid, ${flowId}::uuid, ${values.keepDays}::int, ${values.keepFailedDays}::int, ${values.maxPayloadBytes}::int, now())
      ON CONFLICT ${conflict} DO UPDATE
        SET "keepDays" = EXCLUDED."keepDays", "keepFailedDays" = EXCLUDED."keepFailedDays",
            "maxPayloadBytes" = EXCLUDED."maxPayloadBytes", "updatedAt" = now()`;
  }
  return getRetentionPolicy(workspaceId, { flowId });
}

// ---------------------------------------------------------------------------------------------
// The pruner

export interface PruneOptions {
  now?: Date;
  /** Runs deleted, or events truncated, per statement. */
  batchSize?: number;
  /** Upper bound of statements per pass, so one pass cannot run for hours; the next continues. */
  maxBatches?: number;
  /** Pause between batches, letting other work in. */
  pauseMs?: number;
  /** Only this workspace (tests). */
  workspaceId?: string;
  /** Checked between batches: a worker shutting down stops the pass early. */
  shouldStop?: () => boolean;
}

export interface PruneResult {
  deletedRuns: number;
  truncatedEvents: number;
  batches: number;
}

/** Which runs one set of rules applies to: a workspace minus its flows with own policies, or one flow. */
type Scope = { kind: 'workspace'; workspaceId: string; except: string[] } | { kind: 'flow'; workspaceId: string; flowId: string };

function scopeSql(scope: Scope): Prisma.Sql {
  if (scope.kind === 'flow') return Prisma.sql`r."flowId" = ${scope.flowId}::uuid AND r."workspaceId" = ${scope.workspaceId}::uuid`;
  return scope.except.length
    ? Prisma.sql`r."workspaceId" = ${scope.workspaceId}::uuid AND r."flowId" <> ALL(${scope.except}::uuid[])`
    : Prisma.sql`r."workspaceId" = ${scope.workspaceId}::uuid`;
}

function cutoff(now: Date, days: number): Prisma.Sql {
  return Prisma.sql`${new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 23).replace('T', ' ')}::timestamp`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function pruneRunData(opts: PruneOptions = {}): Promise<PruneResult> {
  const { now = new Date(), batchSize = 1_000, maxBatches = 500, pauseMs = 20 } = opts;
  const policies = await db().retentionPolicy.findMany({
    where: opts.workspaceId ? { workspaceId: opts.workspaceId } : {},
    select: { workspaceId: true, flowId: true, ...fields },
  });
  const result: PruneResult = { deletedRuns: 0, truncatedEvents: 0, batches: 0 };

  const work: Array<{ scope: Scope; policy: RetentionFields }> = [];
  for (const workspaceId of new Set(policies.map((p) => p.workspaceId))) {
    const mine = policies.filter((p) => p.workspaceId === workspaceId);
    const defaults = mine.find((p) => p.flowId === null) ?? null;
    const flows = mine.filter((p): p is typeof p & { flowId: string } => p.flowId !== null);
    if (defaults) work.push({ scope: { kind: 'workspace', workspaceId, except: flows.map((f) => f.flowId) }, policy: effectivePolicy(null, defaults) });
    for (const f of flows) work.push({ scope: { kind: 'flow', workspaceId, flowId: f.flowId }, policy: effectivePolicy(f, defaults) });
  }

  // Repeats one batch statement until it affects fewer rows than a batch, or the budget runs out.
  const drain = async (statement: () => Promise<number>): Promise<number> => {
    let total = 0;
    while (result.batches < maxBatches && !opts.shouldStop?.()) {
      const n = await statement();
      result.batches++;
      total += n;
      if (n < batchSize) break;
      if (pauseMs) await sleep(pauseMs);
    }
    return total;
  };

  for (const { scope, policy } of work) {
    const where = scopeSql(scope);
    const deleteOlder = (statuses: string[], days: number) =>
      drain(() =>
        db().$executeRaw`
          DELETE FROM "Run" WHERE id IN (
            SELECT r.id FROM "Run" r
             WHERE ${where} AND r.status = ANY(${statuses}::"RunStatus"[]) AND r."createdAt" < ${cutoff(now, days)}
             ORDER BY r."createdAt" LIMIT ${batchSize}
               FOR UPDATE SKIP LOCKED)`,
      );
    if (policy.keepDays) result.deletedRuns += await deleteOlder(['succeeded', 'cancelled'], policy.keepDays);
    if (policy.keepFailedDays) result.deletedRuns += await deleteOlder(['failed'], policy.keepFailedDays);
    if (policy.maxPayloadBytes) {
      const max = Math.max(MIN_PAYLOAD_CAP, policy.maxPayloadBytes);
      // `octet_length(payload::text) > 1024` matches the partial index "Event_payload_bytes_idx":
      // only large payloads are looked at, however many events there are.
      result.truncatedEvents += await drain(() =>
        db().$executeRaw`
          UPDATE "Event" e
             SET payload = jsonb_build_object('$truncated', true, 'bytes', octet_length(e.payload::text), 'preview', left(e.payload::text, ${PREVIEW_CHARS}::int))
           WHERE e.id IN (
             SELECT x.id FROM "Event" x JOIN "Run" r ON r.id = x."runId"
              WHERE octet_length(x.payload::text) > 1024 AND octet_length(x.payload::text) > ${max}::int
                AND NOT (x.payload ? '$truncated')
                AND ${where} AND r.status IN ('succeeded', 'cancelled')
              LIMIT ${batchSize}
                FOR UPDATE OF x SKIP LOCKED)`,
      );
    }
  }
  return result;
}
