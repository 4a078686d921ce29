import { dropStaleTestDatabases, ensureTemplateDatabase, runId, serverUrl } from '@/server/testing/test-db';

/**
 * Runs once per `vitest run`, before any test process starts: builds (or reuses) the migrated
 * template database, so test files only copy it. Without a reachable Postgres, unit tests still
 * run; integration tests then fail with the connection error.
 */
export default async function setup(): Promise<() => Promise<void>> {
  runId(); // fixed here, so every test process names its databases after this run
  const started = performance.now();
  let reachable = true;
  try {
    const template = await ensureTemplateDatabase();
    console.log(`[test-db] template ${template} ready in ${Math.round(performance.now() - started)} ms`);
  } catch (err) {
    reachable = false;
    const server = serverUrl().replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
    console.warn(`[test-db] no template database (${server}): ${(err as Error).message}. Integration tests will fail.`);
  }
  return async () => {
    if (!reachable) return;
    const dropped = await dropStaleTestDatabases();
    if (dropped.length) console.log(`[test-db] dropped ${dropped.length} leftover test database(s)`);
  };
}
