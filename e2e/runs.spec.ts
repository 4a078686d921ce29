import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './support/auth';
import { Api } from './support/api';

/**
 * Run history and monitoring: the runs explorer (filters, search, shareable address), a run's
 * detail (timeline, flow drawing, JSON viewer), retrying a failed step and watching it turn green
 * live, and the dashboard. Flows and runs are seeded through tRPC; only what is tested uses the UI.
 */

/** A local API that fails the first `failures` requests (500) and then answers `body`. */
async function startFlakyServer(failures: number, body: unknown) {
  let seen = 0;
  const server: Server = createServer((_req, res) => {
    seen += 1;
    if (seen <= failures) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'database is restarting' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Flaky = Awaited<ReturnType<typeof startFlakyServer>>;
let flaky: Flaky;

test.beforeEach(async () => {
  // Two tries of the HTTP step fail (the step is set to 2 attempts), the retry succeeds.
  flaky = await startFlakyServer(2, { name: 'Ada Lovelace', plan: 'gold' });
});

test.afterEach(async () => {
  await flaky?.close();
});

interface RunView {
  status: string;
}

async function waitForRun(api: Api, id: string, status: string) {
  await expect
    .poll(async () => (await api.query<RunView>('runs.get', { id })).status, { timeout: 30_000, message: `run ${id} should become ${status}` })
    .toBe(status);
}

test('find runs, open one, inspect a step, retry it live, and read the dashboard', async ({ page, request, baseURL }) => {
  test.setTimeout(120_000);
  const api = new Api(request, baseURL!);

  const sync = await api.mutation<{ id: string }>('flows.create', {
    name: 'Customer sync',
    graph: {
      nodes: [
        { id: 'manual_1', type: 'manual', options: {}, position: { x: 0, y: 0 } },
        {
          id: 'http_request_1',
          type: 'http_request',
          label: 'Fetch customer',
          options: { method: 'GET', url: `${flaky.url}/customer` },
          position: { x: 320, y: 0 },
          retry: { attempts: 2, backoffMs: 100, maxDelayMs: 200 },
        },
        { id: 'transform_1', type: 'transform', options: { template: { greeting: 'Hello {{ body.name }}' } }, position: { x: 640, y: 0 } },
        // Never reached: the drawing shows it dimmed.
        { id: 'transform_2', type: 'transform', label: 'Unused branch', options: { template: { x: '1' } }, position: { x: 320, y: 160 } },
      ],
      edges: [
        { source: 'manual_1', target: 'http_request_1' },
        { source: 'http_request_1', target: 'transform_1' },
      ],
    },
  });
  const digest = await api.mutation<{ id: string }>('flows.create', {
    name: 'Invoice digest',
    graph: {
      nodes: [
        { id: 'manual_1', type: 'manual', options: {}, position: { x: 0, y: 0 } },
        { id: 'transform_1', type: 'transform', options: { template: { line: 'Invoice for {{ customer }}' } }, position: { x: 320, y: 0 } },
      ],
      edges: [{ source: 'manual_1', target: 'transform_1' }],
    },
  });

  const zanzibar = await api.mutation<{ runId: string }>('runs.start', { flowId: digest.id, payload: { customer: 'Zanzibar Trading', amount: 42 } });
  const acme = await api.mutation<{ runId: string }>('runs.start', { flowId: digest.id, payload: { customer: 'Acme', amount: 7 } });
  const failing = await api.mutation<{ runId: string }>('runs.start', { flowId: sync.id, payload: { customerId: 'C-1001', requestedBy: 'Ada' } });
  await waitForRun(api, zanzibar.runId, 'succeeded');
  await waitForRun(api, acme.runId, 'succeeded');
  await waitForRun(api, failing.runId, 'failed');
  expect(flaky.requests()).toBe(2);

  // ── The explorer lists every run of the workspace, with the status in words.
  await page.goto('/runs');
  const rows = page.getByTestId('runs-table').locator('tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(page.getByTestId(`run-row-${failing.runId}`)).toContainText('Failed');
  await expect(page.getByTestId(`run-row-${failing.runId}`)).toContainText('Customer sync');

  // Status filter: one click, kept in the address.
  await page.getByTestId('filter-status-failed').click();
  await expect(page).toHaveURL(/status=failed/);
  await expect(rows).toHaveCount(1);
  await expect(page.getByTestId(`run-row-${failing.runId}`)).toBeVisible();
  await page.getByTestId('clear-filters').click();
  await expect(rows).toHaveCount(3);

  // Search inside the data of runs; the link can be shared (a reload shows the same list).
  await page.getByTestId('runs-search').fill('zanzibar');
  await expect(page).toHaveURL(/q=zanzibar/);
  await expect(rows).toHaveCount(1);
  await expect(page.getByTestId(`run-row-${zanzibar.runId}`)).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('runs-search')).toHaveValue('zanzibar');
  await expect(rows).toHaveCount(1);

  // A search that finds nothing says so and offers a way back.
  await page.getByTestId('runs-search').fill('nobody-has-this-word');
  await expect(page.getByTestId('runs-no-match')).toBeVisible();
  await page.getByTestId('runs-no-match').getByRole('button', { name: 'Clear all filters' }).click();
  await expect(rows).toHaveCount(3);

  // Flow filter (multi-select).
  await page.getByTestId('filter-flows').getByRole('button').first().click();
  await page.getByRole('checkbox', { name: 'Customer sync' }).check();
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(new RegExp(`flow=${sync.id}`));
  await expect(rows).toHaveCount(1);

  // ── Open the failed run.
  await page.getByTestId(`run-row-${failing.runId}`).getByTestId('run-link').click();
  await page.waitForURL(`**/runs/${failing.runId}`);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'failed');
  await expect(page.getByTestId('run-error')).toContainText('Fetch customer');
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-state', 'live');

  // The timeline shows both failed tries of the HTTP step; the drawing shows the path taken.
  const timelineRow = page.getByTestId('timeline-row-http_request_1');
  await expect(timelineRow).toHaveAttribute('data-status', 'failed');
  await expect(timelineRow.locator('[data-kind="earlier"]')).toHaveCount(1);
  await expect(timelineRow.locator('[data-kind="failed"]')).toHaveCount(1);
  await expect(page.getByTestId('run-graph-node-http_request_1')).toHaveAttribute('data-status', 'failed');
  await expect(page.getByTestId('run-graph-node-manual_1')).toHaveAttribute('data-status', 'succeeded');
  await expect(page.getByTestId('run-graph-node-transform_2')).toHaveAttribute('data-status', 'not-run');

  // The failed step explains itself and lists its earlier try.
  const step = page.getByTestId('run-step-http_request_1');
  await expect(step).toHaveAttribute('data-status', 'failed');
  await expect(step.getByTestId('step-error')).toContainText('The service had a problem on its side');
  await expect(step.getByTestId('step-error')).toContainText('500');
  await expect(step.getByTestId('step-attempts')).toContainText('Try 1');

  // Inspect the step's input in the JSON viewer: size, search with highlight, fold.
  const input = step.getByTestId('step-input');
  await input.locator('summary').click();
  await expect(input.getByTestId('json-size')).toContainText(/\d+ B/);
  await expect(input.getByTestId('json-tree')).toContainText('C-1001');
  await input.getByTestId('json-search').fill('ada');
  await expect(input.getByTestId('json-match-count')).toHaveText('1 match');
  await expect(input.getByTestId('json-match')).toHaveText('Ada');
  await input.getByRole('button', { name: 'Fold all', exact: true }).click();
  await expect(input.getByTestId('json-tree')).not.toContainText('C-1001');
  await expect(input.getByTestId('json-tree')).toContainText('2 fields');
  await input.getByRole('button', { name: 'Unfold all', exact: true }).click();
  await expect(input.getByTestId('json-tree')).toContainText('C-1001');

  // ── Retry from the failed step: the page turns green by itself (server-sent events).
  await page.getByTestId('retry-run').click();
  await expect(page.getByTestId('toast').first()).toContainText('Retrying 1 failed step');
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 });
  await expect(step).toHaveAttribute('data-status', 'succeeded');
  await expect(page.getByTestId('run-graph-node-http_request_1')).toHaveAttribute('data-status', 'succeeded');
  await expect(page.getByTestId('run-step-transform_1').getByTestId('step-output')).toContainText('Hello Ada Lovelace');
  await expect(page.getByTestId('retry-run')).toHaveCount(0);
  expect(flaky.requests()).toBe(3);

  // ── The dashboard draws the runs.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await page.waitForURL('**/dashboard');
  await expect(page.getByTestId('tile-runs')).toContainText('3');
  await expect(page.getByTestId('tile-success')).toContainText('100%');
  await expect(page.getByTestId('runs-chart').locator('.recharts-bar-rectangle').first()).toBeVisible();
  await expect(page.getByTestId('runs-chart-summary')).toContainText('3 runs');
  await expect(page.getByTestId('runs-chart-summary')).toContainText('3 succeeded');

  // Per flow, and an empty range says so in words.
  await page.getByTestId('dashboard-flow').selectOption({ label: 'Invoice digest' });
  await expect(page).toHaveURL(new RegExp(`flow=${digest.id}`));
  await expect(page.getByTestId('tile-runs')).toContainText('2');
  await page.getByTestId('dashboard-flow').selectOption({ label: 'All flows' });
  await expect(page.getByTestId('tile-runs')).toContainText('3');
});

test('a workspace without runs gets helpful empty states', async ({ page }) => {
  await page.goto('/runs');
  await expect(page.getByTestId('runs-empty')).toContainText('No runs yet');
  await expect(page.getByTestId('runs-empty').getByRole('link', { name: 'Open your flows' })).toBeVisible();
  await page.goto('/dashboard?range=1h');
  await expect(page.getByTestId('dashboard-empty')).toContainText('No runs yet in this range');
  await page.getByTestId('dashboard-empty').getByRole('button', { name: /Look at the last 24 hours/ }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
});

test('alert rules and data retention are set up in plain words', async ({ page, request, baseURL }) => {
  test.setTimeout(90_000);
  const api = new Api(request, baseURL!);
  const flow = await api.mutation<{ id: string }>('flows.create', {
    name: 'Nightly sync',
    graph: { nodes: [{ id: 'manual_1', type: 'manual', options: {}, position: { x: 0, y: 0 } }], edges: [] },
  });
  // Nothing listens on port 1: the test alert fails, and says why.
  await api.mutation('credentials.create', { type: 'smtp', name: 'Office mail', data: { host: '127.0.0.1', port: 1, from: 'robot@example.com' } });

  await page.goto(`/settings/alerts?flow=${flow.id}`);
  await expect(page.getByTestId('alerts-empty')).toBeVisible();
  await expect(page.getByTestId('incidents-empty')).toBeVisible();
  await page.getByTestId('new-alert-rule').first().click();
  const form = page.getByTestId('alert-rule-form');
  await expect(form.getByTestId('alert-flow')).toHaveValue(flow.id);
  await form.getByTestId('alert-count').fill('2');
  await form.getByTestId('alert-credential').selectOption({ label: 'Office mail (SMTP server)' });
  await form.getByTestId('alert-to').fill('ops@example.com');
  await form.getByTestId('alert-send-test').click();
  await expect(form.getByTestId('alert-test-result')).toBeVisible({ timeout: 30_000 });
  await form.getByTestId('alert-save').click();
  const rule = page.getByTestId('alert-rule');
  await expect(rule).toContainText('When 2 runs in a row fail');
  await expect(rule).toContainText('E-mail to ops@example.com using “Office mail”');
  await expect(rule).toContainText('All good');

  // Retention: a shorter time deletes data, so it asks first.
  await page.goto('/settings/retention');
  await expect(page.getByTestId('retention-workspace-summary')).toContainText('kept forever');
  await page.getByTestId('retention-keep-days').fill('30');
  await page.getByTestId('retention-keep-failed-days').fill('90');
  await page.getByTestId('retention-save').click();
  await expect(page.getByRole('dialog')).toContainText('will be deleted');
  await page.getByTestId('retention-confirm').click();
  await expect(page.getByTestId('retention-workspace-summary')).toContainText('deleted after 30 days');

  // A flow follows the workspace until it gets its own policy.
  await page.getByTestId('retention-flow').selectOption({ label: 'Nightly sync' });
  await expect(page.getByTestId('retention-effective')).toContainText('follows the workspace');
  const flowForm = page.getByTestId('retention-flow-form');
  await expect(flowForm.getByTestId('retention-keep-days')).toHaveAttribute('placeholder', 'Workspace: 30 days');
  await flowForm.getByTestId('retention-max-kb').fill('64');
  await flowForm.getByTestId('retention-save').click();
  await expect(page.getByTestId('retention-effective')).toContainText('own policy');
  await expect(page.getByTestId('retention-effective')).toContainText('64 KB');
});
