import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';
import { env } from './env';

export type Db = PrismaClient;
/** The client inside `db().$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export function createDb(url: string, poolSize = env().DATABASE_POOL_SIZE): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }) });
}

// One client per process; kept on globalThis so Next.js dev reloads do not open new pools.
const g = globalThis as unknown as { __muninnDb?: Db };

export function db(): Db {
  g.__muninnDb ??= createDb(env().DATABASE_URL);
  return g.__muninnDb;
}

/** Tests point the process at their own database. */
export function setDb(client: Db): void {
  g.__muninnDb = client;
}
