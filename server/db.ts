import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';
import { env } from './env';

export type Db = PrismaClient;
/** The client inside `db().$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/**
 * Each client's pg pool. Prisma and the engine's hot statements share it: one set of connections
 * per process, and hot statements skip Prisma's per-query work. Kept on the client under a
 * global symbol so that it survives Next.js dev reloads of this module.
 */
const POOL = Symbol.for('muninn.pgPool');
type WithPool = Db & { [POOL]?: pg.Pool };

export function createDb(url: string, poolSize = env().DATABASE_POOL_SIZE): Db {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle connection that breaks (database restart) must not crash the process; the pool replaces it.
  pool.on('error', (e) => console.warn(`[db] idle connection: ${e.message}`));
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  Object.defineProperty(client, POOL, { value: pool, enumerable: false });
  return client;
}

// One client per process; kept on globalThis so Next.js dev reloads do not open new pools.
const g = globalThis as unknown as { __muninnDb?: Db };

export function db(): Db {
  g.__muninnDb ??= createDb(env().DATABASE_URL);
  return g.__muninnDb;
}

/** The pg pool behind `db()`. */
export function dbPool(): pg.Pool {
  const pool = (db() as WithPool)[POOL];
  if (!pool) throw new Error('The database client was not created by createDb()');
  return pool;
}

/** Tests point the process at their own database. */
export function setDb(client: Db): void {
  g.__muninnDb = client;
}
