import { db } from '../../db';

export interface RunDataStorage {
  /** On-disk size of each run-data table with its indexes and TOAST, whole instance. */
  tables: Array<{ table: 'Run' | 'NodeRun' | 'Event'; bytes: number }>;
  /** This workspace's share: stored size of event payloads and step logs. */
  workspace: { eventPayloadBytes: number; stepLogBytes: number; estimated: boolean; measuredAt: Date };
}

/** Above this many rows a table is sampled instead of read in full. */
const EXACT_UP_TO_ROWS = 200_000;
/** Rows a sample aims to read. */
const SAMPLE_ROWS = 100_000;
const CACHE_MS = 5 * 60_000;

const g = globalThis as unknown as { __muninnStorageCache?: Map<string, { at: number; value: RunDataStorage['workspace'] }> };
const cache = (g.__muninnStorageCache ??= new Map());

/**
 * Sum of pg_column_size over one workspace's rows of a table: exact for small tables; for large
 * ones a block sample (TABLESAMPLE SYSTEM) scaled up, so the dashboard never reads gigabytes.
 */
async function columnBytes(table: 'Event' | 'NodeRun', column: 'payload' | 'logs', workspaceId: string): Promise<{ bytes: number; estimated: boolean }> {
  const [stat] = await db().$queryRawUnsafe<Array<{ rows: number }>>(`SELECT GREATEST(reltuples, relpages * 30)::float8 AS rows FROM pg_class WHERE oid = '"${table}"'::regclass`);
  const rows = stat?.rows ?? 0;
  if (rows < EXACT_UP_TO_ROWS) {
    const [r] = await db().$queryRawUnsafe<Array<{ bytes: number | null }>>(
      `SELECT sum(pg_column_size("${column}"))::float8 AS bytes FROM "${table}" WHERE "workspaceId" = $1::uuid`,
      workspaceId,
    );
    return { bytes: Math.round(r?.bytes ?? 0), estimated: false };
  }
  const percent = Math.min(100, Math.max(0.01, (100 * SAMPLE_ROWS) / rows));
  const [r] = await db().$queryRawUnsafe<Array<{ bytes: number | null }>>(
    `SELECT sum(pg_column_size("${column}"))::float8 AS bytes FROM "${table}" TABLESAMPLE SYSTEM (${percent.toFixed(4)}) WHERE "workspaceId" = $1::uuid`,
    workspaceId,
  );
  return { bytes: Math.round(((r?.bytes ?? 0) * 100) / percent), estimated: true };
}

export async function runDataStorage(workspaceId: string, now = Date.now()): Promise<RunDataStorage> {
  const [sizes] = await db().$queryRaw<Array<{ run: bigint; nodeRun: bigint; event: bigint }>>`
    SELECT pg_total_relation_size('"Run"') AS run, pg_total_relation_size('"NodeRun"') AS "nodeRun", pg_total_relation_size('"Event"') AS event`;
  let workspace = cache.get(workspaceId);
  if (!workspace || now - workspace.at > CACHE_MS) {
    const [events, logs] = await Promise.all([columnBytes('Event', 'payload', workspaceId), columnBytes('NodeRun', 'logs', workspaceId)]);
    workspace = {
      at: now,
      value: { eventPayloadBytes: events.bytes, stepLogBytes: logs.bytes, estimated: events.estimated || logs.estimated, measuredAt: new Date(now) },
    };
    cache.set(workspaceId, workspace);
  }
  return {
    tables: [
      { table: 'Run', bytes: Number(sizes!.run) },
      { table: 'NodeRun', bytes: Number(sizes!.nodeRun) },
      { table: 'Event', bytes: Number(sizes!.event) },
    ],
    workspace: workspace.value,
  };
}

/** Tests and retention: the next read measures again. */
export function forgetStorageEstimates(): void {
  cache.clear();
}
