import { randomBytes } from 'node:crypto';
import { defineConfig, devices } from '@playwright/test';

/**
 * End-to-end tests in Debian's Chromium (/usr/bin/chromium), one worker, no retries: a flaky test
 * is a bug to fix, not to hide.
 *
 * E2E_BASE_URL points the tests at an already running Muninn (web + worker + databases), e.g.
 * `E2E_BASE_URL=http://localhost:3100 npx playwright test`. Without it, the app is started below.
 * (Use "localhost": `next dev` refuses its dev resources to other host names.)
 */
const externalBaseUrl = process.env.E2E_BASE_URL;
const port = Number(process.env.E2E_PORT ?? 3210);
// One name per `playwright test` run; worker processes inherit it through the environment.
process.env.MUNINN_E2E_STAMP ??= Date.now().toString(36);
const stamp = process.env.MUNINN_E2E_STAMP;
const pgServer = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const e2eDatabaseUrl = pgServer.replace(/\/[^/?]*(\?|$)/, `/muninn_e2e_${stamp}$1`);
const e2eEnv: Record<string, string> = {
  PORT: String(port),
  DATABASE_URL: e2eDatabaseUrl,
  MUNINN_QUEUE_PREFIX: `muninn-e2e-${stamp}`,
  MUNINN_ALLOWED_HOSTS: '127.0.0.1',
  MUNINN_API_TOKEN: process.env.MUNINN_API_TOKEN ?? 'e2e-api-token-0123456789',
  WORKER_HEALTH_PORT: '0',
  NEXT_TELEMETRY_DISABLED: '1',
  // `npm start` is a production start: the worker refuses to run without a real key. A throwaway one per run.
  MUNINN_ENCRYPTION_KEY: process.env.MUNINN_ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
};
process.env.E2E_DATABASE_URL = e2eDatabaseUrl;
process.env.E2E_API_TOKEN = e2eEnv.MUNINN_API_TOKEN!;

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: Boolean(process.env.CI),
  use: {
    ...devices['Desktop Chrome'],
    baseURL: externalBaseUrl ?? `http://127.0.0.1:${port}`,
    viewport: { width: 1280, height: 720 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },

  // The app under test: `npm start` (the README's launcher: builds if needed, web + worker) on a
  // fresh database of the local PostgreSQL and its own Redis key prefix, so runs never mix with
  // anything else. The database is dropped by the global teardown.
  globalTeardown: './e2e/global-teardown.ts',
  webServer: externalBaseUrl
    ? undefined
    : {
        command: 'npm start',
        url: `http://127.0.0.1:${port}/api/health`,
        env: e2eEnv,
        reuseExistingServer: false,
        timeout: 900_000,
        stdout: 'pipe',
      },
});
