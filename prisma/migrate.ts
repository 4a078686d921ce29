// Migrations without Prisma's native schema-engine binary (the CLI cannot download it here):
// the same engine compiled to WebAssembly, talking to Postgres through the pg driver adapter.
// The on-disk layout and the `_prisma_migrations` bookkeeping are Prisma's own, so
// `prisma migrate deploy` keeps working against databases migrated by this file, and vice versa.
//
//   tsx prisma/migrate.ts deploy          apply prisma/migrations to DATABASE_URL (creating the db)
//   tsx prisma/migrate.ts create <name>   write a new migration from the schema change
//
// `create` diffs the schema snapshot committed with the last migration against schema.prisma, so
// it needs no shadow database. Hand edits to a migration.sql are therefore invisible to the next
// diff: put such changes in their own migration.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  mockAdapter,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';
import pg from 'pg';

const prismaDir = path.dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_DIR = path.join(prismaDir, 'migrations');
const SCHEMA_PATH = path.join(prismaDir, 'schema.prisma');
/** The schema as of the newest migration: the starting point of the next `create`. */
const SNAPSHOT_PATH = path.join(MIGRATIONS_DIR, 'schema.snapshot.prisma');
const LOCKFILE = 'migration_lock.toml';
const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

/**
 * Applies every migration not yet recorded in the database's `_prisma_migrations`, creating the
 * database first if it does not exist. Returns the names of the migrations it applied.
 */
export async function applyMigrations(databaseUrl: string, migrationsDir = MIGRATIONS_DIR): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const migrationsList = await listMigrations(migrationsDir);
  return withEngine(databaseUrl, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    return out.appliedMigrationNames;
  });
}

/** Creates the database named in the URL (through the `postgres` database) unless it exists. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name) throw new Error(`DATABASE_URL names no database: ${redact(databaseUrl)}`);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    return true;
  } catch (err) {
    // Another process created it between our check and our CREATE.
    if ((err as { code?: string }).code === '42P04') return false;
    throw err;
  } finally {
    await client.end();
  }
}

/**
 * Writes `migrations/<UTC timestamp>_<name>/migration.sql` with the SQL that takes the snapshot
 * schema to schema.prisma, then moves the snapshot forward. Returns the directory name, or null
 * when the schema has not changed (nothing is written then).
 */
export async function createMigration(name: string, migrationsDir = MIGRATIONS_DIR): Promise<string | null> {
  const slug = name.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 200);
  if (!slug) throw new Error('Give the migration a name, e.g. `npm run db:migration:create -- add_run_index`.');
  const target = await readFile(SCHEMA_PATH, 'utf8');
  const snapshotPath = path.join(migrationsDir, path.basename(SNAPSHOT_PATH));
  const snapshot = existsSync(snapshotPath) ? await readFile(snapshotPath, 'utf8') : '';
  if (!snapshot.trim() && (await listMigrations(migrationsDir)).migrationDirectories.length) {
    throw new Error(`${snapshotPath} is missing but migrations exist: restore it from git (it is the schema as of the last migration).`);
  }

  // Two datamodels need no database (see offlineAdapterFactory).
  const script = await withEngine(null, async (engine) => {
    const result = await engine.diff({
      from: snapshot.trim()
        ? { tag: 'schemaDatamodel', files: [{ path: 'schema.snapshot.prisma', content: snapshot }] }
        : { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: target }] },
      script: true,
      exitCode: true,
      filters: NO_FILTER,
    });
    // exitCode 2 = non-empty diff; 0 = nothing to do.
    return result.exitCode === 2 ? (result.stdout ?? '') : null;
  });
  if (script === null) return null;

  const dirName = `${utcTimestamp(new Date())}_${slug}`;
  const dir = path.join(migrationsDir, dirName);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'migration.sql'), script);
  // Same text as Prisma writes, so `prisma migrate` recognises the provider.
  await writeFile(
    path.join(migrationsDir, LOCKFILE),
    '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
  );
  await writeFile(snapshotPath, target);
  return dirName;
}

/** Reads the migrations directory the way Prisma's CLI does (directories sorted by name). */
export async function listMigrations(migrationsDir = MIGRATIONS_DIR): Promise<MigrationList> {
  const lockContent = await readFile(path.join(migrationsDir, LOCKFILE), 'utf8').catch(() => null);
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort((a, b) => a.localeCompare(b));
  const migrationDirectories = await Promise.all(
    dirs.map(async (dir) => ({
      path: dir,
      migrationFile: {
        path: 'migration.sql',
        content: await readFile(path.join(migrationsDir, dir, 'migration.sql'), 'utf8').then(
          (value) => ({ tag: 'ok' as const, value }),
          (err: Error) => ({ tag: 'error' as const, value: err.message }),
        ),
      },
    })),
  );
  return {
    baseDir: migrationsDir,
    lockfile: { path: LOCKFILE, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

// ---------------------------------------------------------------------------------------------
// The engine

let engineModule: Promise<typeof glue> | undefined;

/**
 * Instantiates the wasm once per process. We wire the wasm-bindgen glue ourselves instead of
 * importing the package root (which needs Node's experimental wasm-module imports), and make the
 * engine's timers unref'd: every apply leaves a ~10 s timer behind that would otherwise keep the
 * process alive after the work is done.
 */
function loadEngine(): Promise<typeof glue> {
  engineModule ??= (async () => {
    const gluePath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmPath = path.join(path.dirname(gluePath), 'schema_engine_bg.wasm');
    const imports: Record<string, unknown> = { ...glue };
    for (const key of Object.keys(imports)) {
      if (key.startsWith('__wbg_setTimeout_')) {
        imports[key] = (fn: () => void, ms: number) => setTimeout(fn, ms >>> 0).unref();
      }
    }
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': imports as WebAssembly.ModuleImports,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
    return glue;
  })();
  return engineModule;
}

async function withEngine<T>(databaseUrl: string | null, work: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const { SchemaEngine } = await loadEngine();
  const { factory, close } = databaseUrl ? closablePgFactory(databaseUrl) : { factory: offlineAdapterFactory(), close: async () => {} };
  try {
    const engine = await SchemaEngine.new({ datamodels: undefined }, logEngineLine, bindMigrationAwareSqlAdapterFactory(factory));
    try {
      return await work(engine);
    } finally {
      engine.free();
    }
  } catch (err) {
    throw engineError(err);
  } finally {
    await close();
  }
}

/** The engine does not end the pg pools it opens; we do, so no idle socket keeps the process up. */
function closablePgFactory(databaseUrl: string): { factory: SqlMigrationAwareDriverAdapterFactory; close: () => Promise<void> } {
  const pgFactory = new PrismaPg({ connectionString: databaseUrl });
  const opened: SqlDriverAdapter[] = [];
  const track = (adapter: SqlDriverAdapter) => (opened.push(wholeScripts(adapter)), adapter);
  return {
    factory: {
      provider: pgFactory.provider,
      adapterName: pgFactory.adapterName,
      connect: async () => track(await pgFactory.connect()),
      connectToShadowDb: async () => track(await pgFactory.connectToShadowDb()),
    },
    close: async () => {
      await Promise.allSettled(opened.map((adapter) => adapter.dispose()));
    },
  };
}

/**
 * @prisma/adapter-pg runs a script by splitting it on every ";", including those inside comments,
 * string literals and function bodies. PostgreSQL runs a multi-statement script as one simple
 * query, as Prisma's native engine does, so hand it the script whole.
 */
function wholeScripts(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const pgAdapter = adapter as SqlDriverAdapter & {
    client?: { query(sql: string): Promise<unknown> };
    onError?(error: unknown): never;
  };
  if (!pgAdapter.client) return adapter;
  pgAdapter.executeScript = async (script: string) => {
    try {
      await pgAdapter.client!.query(script);
    } catch (error) {
      if (pgAdapter.onError) pgAdapter.onError(error);
      throw error;
    }
  };
  return adapter;
}

/**
 * For diffs between two schema files. The engine still asks the server, once, whether the
 * `public` schema exists and which version it runs; answer that and refuse anything else, so
 * `create` works without any database.
 */
function offlineAdapterFactory(): SqlMigrationAwareDriverAdapterFactory {
  const adapter = {
    ...mockAdapter('postgres'),
    queryRaw: async (query: SqlQuery) => {
      if (!query.sql.includes('version()')) throw new Error(`No database for this command; the engine asked: ${query.sql}`);
      return {
        columnNames: ['exists', 'version', 'numeric_version'],
        columnTypes: [ColumnTypeEnum.Boolean, ColumnTypeEnum.Text, ColumnTypeEnum.Int32],
        rows: [[true, 'PostgreSQL 15.0 (no database: schema diff only)', 150000]],
      };
    },
  };
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-mock',
    connect: async () => adapter,
    connectToShadowDb: async () => adapter,
  };
}

function logEngineLine(line: string): void {
  if (process.env.MUNINN_MIGRATE_DEBUG) {
    process.stderr.write(`[schema-engine] ${line}\n`);
    return;
  }
  try {
    const { level, fields } = JSON.parse(line) as { level?: string; fields?: { message?: string } };
    if (level === 'WARN' || level === 'ERROR') process.stderr.write(`[schema-engine] ${fields?.message ?? line}\n`);
  } catch {
    // Not JSON: nothing we know how to show.
  }
}

/** The engine rejects with plain objects ({ message, error_code, … }); make them Errors. */
function engineError(err: unknown): Error {
  if (err instanceof Error) return err;
  const e = err as { message?: string; error_code?: string; meta?: unknown };
  const error = new Error(`${e.error_code ? `${e.error_code}: ` : ''}${e.message ?? JSON.stringify(err)}`);
  return Object.assign(error, { cause: err });
}

function utcTimestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

// ---------------------------------------------------------------------------------------------
// CLI

async function main(argv: string[]): Promise<number> {
  const [command, name] = argv;
  if (command === 'deploy') {
    const url = process.env.DATABASE_URL;
    if (!url) {
      console.error('DATABASE_URL is not set (npm start sets it for the embedded PostgreSQL).');
      return 1;
    }
    const started = performance.now();
    const applied = await applyMigrations(url);
    const ms = Math.round(performance.now() - started);
    console.log(
      applied.length
        ? `Applied ${applied.length} migration(s) to ${redact(url)} in ${ms} ms:\n${applied.map((m) => `  ${m}`).join('\n')}`
        : `${redact(url)} is up to date (${ms} ms).`,
    );
    return 0;
  }
  if (command === 'create') {
    if (!name) {
      console.error('Usage: npm run db:migration:create -- <name>');
      return 1;
    }
    const created = await createMigration(name);
    console.log(
      created
        ? `Created prisma/migrations/${created}/migration.sql (review it, then run npm run db:migrate).`
        : 'schema.prisma has not changed since the last migration: nothing to create.',
    );
    return 0;
  }
  console.error('Usage: tsx prisma/migrate.ts deploy | create <name>');
  return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
