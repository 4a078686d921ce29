import { z } from 'zod';
import { db } from '../../db';
import { AppError } from '../../errors';
import { Prisma, type RunStatus } from '../../generated/prisma/client';

/**
 * The runs explorer: every run of the workspace, filtered, searched and sorted, one page at a
 * time with keyset pagination (the cursor is the last row's sort value and id; never OFFSET, so
 * page 1,000 costs what page 1 costs). Indexes it relies on (prisma/schema.prisma and the
 * monitoring migration):
 *
 * - Run (workspaceId, createdAt DESC, id DESC) — newest first, time ranges, most filters;
 * - Run (workspaceId, status, createdAt DESC, id DESC) — one status ("failed runs");
 * - Run (workspaceId, <duration ms>, id) for finished runs — sort and filter by duration;
 * - Event GIN (jsonb_to_tsvector('simple', payload, '["string", "numeric"]')) — search.
 *
 * Search looks for words in the string and number values of every event of a run (trigger
 * payload and every step's output). It uses Postgres full-text search with the 'simple'
 * configuration (lower-cased words, no stemming, no stop words) and websearch syntax:
 * `ada invoice` (both words), `"disk full"` (phrase), `timeout or refused`, `-test` (without).
 */

const UUID_MSG = 'That is not a valid flow id';
export const runStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export const runExplorerInput = z
  .object({
    flowIds: z.array(z.string().uuid(UUID_MSG)).max(200).optional(),
    statuses: z.array(z.enum(runStatuses)).max(5).optional(),
    triggerKinds: z.array(z.string().min(1).max(40)).max(20).optional(),
    /** createdAt >= from */
    from: z.coerce.date().optional(),
    /** createdAt < to */
    to: z.coerce.date().optional(),
    /** Duration filters only match finished runs. */
    durationMinMs: z.number().int().min(0).optional(),
    durationMaxMs: z.number().int().min(0).optional(),
    search: z.string().trim().max(200).optional(),
    /** 'duration' lists finished runs only (a run still going has no duration yet). */
    sort: z.enum(['createdAt', 'duration']).default('createdAt'),
    order: z.enum(['desc', 'asc']).default('desc'),
    limit: z.number().int().min(1).max(100).default(50),
    cursor: z.string().max(300).nullish(),
    /** Sent by tRPC's infinite-query helper; pages only go forward. */
    direction: z.enum(['forward', 'backward']).optional(),
  })
  .strict();
export type RunExplorerInput = z.input<typeof runExplorerInput>;

export interface RunExplorerRow {
  id: string;
  flowId: string;
  flowName: string;
  status: RunStatus;
  triggerKind: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** finishedAt − startedAt; null until the run has both. */
  durationMs: number | null;
  error: string | null;
  stepCount: number;
  /** Queued behind the flow's limit of runs at a time, not just waiting for a worker. */
  waiting: boolean;
}

export interface RunExplorerPage {
  items: RunExplorerRow[];
  /** Pass back as `cursor` (with the same filters and sort) for the next page; null on the last. */
  nextCursor: string | null;
}

/** The indexed duration expression: it must match "Run_workspace_duration_idx" exactly. */
const DURATION = Prisma.sql`((EXTRACT(EPOCH FROM (r."finishedAt" - r."startedAt")) * 1000)::bigint)`;
const FINISHED = Prisma.sql`r."finishedAt" IS NOT NULL AND r."startedAt" IS NOT NULL`;
/** The indexed search expression: it must match "Event_payload_search_idx" exactly. */
const SEARCH_VECTOR = Prisma.sql`jsonb_to_tsvector('simple', e."payload", '["string", "numeric"]')`;

/** Any 8-4-4-4-12 hex id (ids are compared, not interpreted: no version check). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Cursor {
  s: 'createdAt' | 'duration';
  o: 'asc' | 'desc';
  v: string | number;
  id: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(raw: string, sort: Cursor['s'], order: Cursor['o']): Cursor {
  const bad = () => new AppError('BAD_REQUEST', 'This list position is no longer valid. Start again from the first page.');
  let c: Cursor;
  try {
    c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
  } catch {
    throw bad();
  }
  const uuid = { success: typeof c?.id === 'string' && UUID.test(c.id) };
  const valueOk = sort === 'createdAt' ? typeof c.v === 'string' && !Number.isNaN(Date.parse(c.v)) : Number.isSafeInteger(c.v);
  if (!uuid.success || c.s !== sort || c.o !== order || !valueOk) throw bad();
  return c;
}

/** Timestamps are stored as UTC `timestamp(3)`; compare with the same type. */
function ts(d: Date): Prisma.Sql {
  return Prisma.sql`${d.toISOString().slice(0, 23).replace('T', ' ')}::timestamp`;
}

/** True when the text has something full-text search can match (not only punctuation). */
export function searchable(text: string | undefined): text is string {
  return !!text && /[\p{L}\p{N}]/u.test(text);
}

type ParsedInput = z.output<typeof runExplorerInput>;
type RawRow = Omit<RunExplorerRow, 'durationMs'> & { durationMs: bigint | number | null };

/**
 * How a search is joined to the runs. With LIMIT and ORDER BY createdAt the planner likes to walk
 * runs newest-first and probe each one's events; that is right for words found in most runs and
 * very wrong (a second instead of tens of ms at 1M runs) for words found in a few thousand events,
 * because each probe is a random heap read the planner underprices. So we ask the planner how
 * many events match (an EXPLAIN of the GIN lookup, ~1 ms) and collect the matches first unless
 * there are very many.
 */
export type SearchStrategy = 'collect' | 'probe';
const COLLECT_UP_TO_EVENTS = 30_000;

export async function searchStrategy(search: string): Promise<SearchStrategy> {
  const [row] = await db().$queryRaw<Array<{ 'QUERY PLAN': unknown }>>`
    EXPLAIN (FORMAT JSON) SELECT 1 FROM "Event" e WHERE ${SEARCH_VECTOR} @@ websearch_to_tsquery('simple', ${search})`;
  const raw = row?.['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan?: { 'Plan Rows'?: number } }> | undefined;
  const estimate = plan?.[0]?.Plan?.['Plan Rows'] ?? 0;
  return estimate <= COLLECT_UP_TO_EVENTS ? 'collect' : 'probe';
}

/** The page's SQL (exported for the benchmark, which EXPLAINs it). */
export function runExplorerQuery(workspaceId: string, input: ParsedInput, search: SearchStrategy = 'collect'): Prisma.Sql {
  const byDuration = input.sort === 'duration';
  const desc = input.order === 'desc';
  const where: Prisma.Sql[] = [Prisma.sql`r."workspaceId" = ${workspaceId}::uuid`];

  if (input.flowIds?.length) where.push(Prisma.sql`r."flowId" = ANY(${input.flowIds}::uuid[])`);
  if (input.statuses?.length) {
    where.push(
      input.statuses.length === 1
        ? Prisma.sql`r.status = ${input.statuses[0]}::"RunStatus"`
        : Prisma.sql`r.status = ANY(${input.statuses}::"RunStatus"[])`,
    );
  }
  if (input.triggerKinds?.length) where.push(Prisma.sql`r."triggerKind" = ANY(${input.triggerKinds}::text[])`);
  if (input.from) where.push(Prisma.sql`r."createdAt" >= ${ts(input.from)}`);
  if (input.to) where.push(Prisma.sql`r."createdAt" < ${ts(input.to)}`);
  if (byDuration || input.durationMinMs !== undefined || input.durationMaxMs !== undefined) where.push(FINISHED);
  if (input.durationMinMs !== undefined) where.push(Prisma.sql`${DURATION} >= ${input.durationMinMs}::bigint`);
  if (input.durationMaxMs !== undefined) where.push(Prisma.sql`${DURATION} <= ${input.durationMaxMs}::bigint`);
  if (searchable(input.search)) {
    const matches = Prisma.sql`
      SELECT e."runId" FROM "Event" e
       WHERE e."workspaceId" = ${workspaceId}::uuid
         AND ${SEARCH_VECTOR} @@ websearch_to_tsquery('simple', ${input.search})`;
    where.push(
      search === 'collect'
        ? // Gather the matching runs from the GIN index first (OFFSET 0 keeps the planner from
          // flattening this into a run-by-run probe), then sort that small set.
          Prisma.sql`r.id IN (${matches} OFFSET 0)`
        : // Words found nearly everywhere: walk runs in order and check each one's events.
          Prisma.sql`EXISTS (${matches} AND e."runId" = r.id)`,
    );
  }

  const sortExpr = byDuration ? DURATION : Prisma.sql`r."createdAt"`;
  if (input.cursor) {
    const c = decodeCursor(input.cursor, input.sort, input.order);
    const value = byDuration ? Prisma.sql`${c.v}::bigint` : ts(new Date(c.v));
    where.push(desc ? Prisma.sql`(${sortExpr}, r.id) < (${value}, ${c.id}::uuid)` : Prisma.sql`(${sortExpr}, r.id) > (${value}, ${c.id}::uuid)`);
  }
  const direction = desc ? Prisma.sql`DESC` : Prisma.sql`ASC`;

  return Prisma.sql`
    SELECT r.id, r."flowId", f.name AS "flowName", r.status, r."triggerKind", r."createdAt", r."startedAt",
           r."finishedAt", ${DURATION} AS "durationMs", r.error, r."stepCount",
           (r.status = 'queued' AND EXISTS (SELECT 1 FROM "PendingStep" h WHERE h."runId" = r.id AND h."heldFlowId" IS NOT NULL)) AS waiting
      FROM "Run" r
      JOIN "Flow" f ON f.id = r."flowId"
     WHERE ${Prisma.join(where, ' AND ')}
     ORDER BY ${sortExpr} ${direction}, r.id ${direction}
     LIMIT ${input.limit + 1}`;
}

export async function listRunsAcrossFlows(workspaceId: string, rawInput: RunExplorerInput = {}): Promise<RunExplorerPage> {
  const input = runExplorerInput.parse(rawInput);
  const strategy = searchable(input.search) ? await searchStrategy(input.search) : 'collect';
  const rows = await db().$queryRaw<RawRow[]>(runExplorerQuery(workspaceId, input, strategy));
  const byDuration = input.sort === 'duration';
  const items: RunExplorerRow[] = rows.slice(0, input.limit).map((r) => ({
    ...r,
    durationMs: r.durationMs === null ? null : Number(r.durationMs),
  }));
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > input.limit && last
      ? encodeCursor({
          s: input.sort,
          o: input.order,
          v: byDuration ? (last.durationMs ?? 0) : last.createdAt.toISOString(),
          id: last.id,
        })
      : null;
  return { items, nextCursor };
}
