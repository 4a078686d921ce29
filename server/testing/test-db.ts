// One real PostgreSQL database per test file, so integration tests run in parallel without
// seeing each other's rows. Migrations run once into a template database (named after a hash of
// the migrations, so it is rebuilt only when they change); each test file then gets a copy with
// `CREATE DATABASE … TEMPLATE`, which takes ~0.1 s instead of a full migration.
//
// Server: TEST_DATABASE_URL, else DATABASE_URL, else postgres@127.0.0.1:5432 (only the host, port
// and credentials are used; the database name in the URL is ignored).
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations, MIGRATIONS_DIR } from '@/prisma/migrate';
import { createDb, setDb, type Db } from '@/server/db';

export type TestDatabase = {
  /** Connection string of this test file's own database. */
  url: string;
  /** A client for it (also installed as the process's `db()`; the last one created wins). */
  db: Db;
  /** Disconnects and drops the database. Call it in `afterAll`. */
  drop: () => Promise<void>;
};

const TEST_DB_PREFIX = 'muninn_t_';
const TEMPLATE_PREFIX = 'muninn_tpl_';
/** Leftovers of other runs are only dropped after this long, since runs from other checkouts may share the server. */
const STALE_AFTER_MS = 60 * 60 * 1000;

/** Copies the migrated template into a fresh database for one test file. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const template = await ensureTemplateDatabase();
  const name = `${TEST_DB_PREFIX}${slug(label)}_${runId()}_${randomBytes(3).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)}`));
  const url = databaseUrl(name);
  const db = createDb(url, 5);
  setDb(db);
  return {
    url,
    db,
    drop: async () => {
      await db.$disconnect();
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
    },
  };
}

/** A Redis key prefix (BullMQ `prefix`, MUNINN_QUEUE_PREFIX) that no other test file uses. */
export function testQueuePrefix(label: string): string {
  return `muninn-t-${slug(label)}-${randomBytes(4).toString('hex')}`;
}

let templateReady: Promise<string> | undefined;

/**
 * Returns the name of the template database for the current migrations, building it if needed.
 * Safe to race: each builder migrates a private database and renames it into place; the loser
 * drops its copy. Memoised per process.
 */
export function ensureTemplateDatabase(): Promise<string> {
  templateReady ??= (async () => {
    const name = `${TEMPLATE_PREFIX}${await migrationsHash()}`;
    if (await databaseExists(name)) return name;
    const building = `${name}_build${randomBytes(3).toString('hex')}`;
    await applyMigrations(databaseUrl(building));
    await withAdmin(async (c) => {
      try {
        await c.query(`ALTER DATABASE ${pg.escapeIdentifier(building)} RENAME TO ${pg.escapeIdentifier(name)}`);
      } catch (err) {
        await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(building)}`);
        if ((err as { code?: string }).code !== '42P04') throw err; // someone else finished first
        return;
      }
      // Nobody may connect to a template: CREATE DATABASE … TEMPLATE fails while anyone is.
      await c.query(`ALTER DATABASE ${pg.escapeIdentifier(name)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
      await c.query(`COMMENT ON DATABASE ${pg.escapeIdentifier(name)} IS ${pg.escapeLiteral(`built ${new Date().toISOString()}`)}`);
    });
    return name;
  })();
  templateReady.catch(() => (templateReady = undefined));
  return templateReady;
}

/**
 * Drops what earlier runs left behind: this run's test databases that a test forgot to drop,
 * those of runs older than an hour (crashed or interrupted), half-built templates, and templates
 * of other migration sets built more than a day ago. Databases in use are skipped.
 */
export async function dropStaleTestDatabases(): Promise<string[]> {
  const current = templateReady ? await templateReady.catch(() => '') : '';
  return withAdmin(async (c) => {
    const { rows } = await c.query<{ datname: string; comment: string | null }>(
      `SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database
        WHERE datname LIKE 'muninn\\_t\\_%' OR datname LIKE 'muninn\\_tpl\\_%'`,
    );
    const dropped: string[] = [];
    for (const { datname, comment } of rows) {
      const sql = dropStatement(datname, comment, current);
      if (!sql) continue;
      try {
        for (const statement of sql) await c.query(statement);
        dropped.push(datname);
      } catch {
        // In use or already gone: a later run will try again.
      }
    }
    return dropped;
  });
}

function dropStatement(datname: string, comment: string | null, currentTemplate: string): string[] | null {
  const id = pg.escapeIdentifier(datname);
  const age = (ms: number) => (Number.isNaN(ms) ? Infinity : Date.now() - ms);
  if (datname.startsWith(TEST_DB_PREFIX)) {
    const run = datname.split('_').at(-2) ?? '';
    const ours = run === runId();
    return ours || age(parseInt(run, 36) * 1000) > STALE_AFTER_MS ? [`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`] : null;
  }
  // A template being built has the engine connected, so a plain DROP refuses it.
  if (/_build[0-9a-f]+$/.test(datname)) return [`DROP DATABASE IF EXISTS ${id}`];
  if (datname === currentTemplate || age(Date.parse(comment?.replace(/^built /, '') ?? '')) < 24 * STALE_AFTER_MS) return null;
  return [`ALTER DATABASE ${id} WITH IS_TEMPLATE false`, `DROP DATABASE IF EXISTS ${id}`];
}

/** Identifies one `vitest run` (set by the global setup, inherited by the test processes). */
export function runId(): string {
  process.env.MUNINN_TEST_RUN_ID ??= Math.floor(Date.now() / 1000).toString(36);
  return process.env.MUNINN_TEST_RUN_ID;
}

export function serverUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
}

function databaseUrl(name: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  const { rowCount } = await withAdmin((c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]));
  return Boolean(rowCount);
}

/** Hash of every migration's directory name and SQL: any change means a new template. */
async function migrationsHash(): Promise<string> {
  const hash = createHash('sha256');
  const dirs = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const dir of dirs) {
    hash.update(`${dir}\0`);
    hash.update(await readFile(path.join(MIGRATIONS_DIR, dir, 'migration.sql')).catch(() => ''));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Database names are at most 63 bytes and we keep them lower-case and unquoted-looking. */
function slug(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]+/g, '').slice(0, 20) || 'test';
}
