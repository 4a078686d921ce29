import { expect, test } from './support/auth';
import { EditorPage } from './pages/editor-page';
import { FlowsPage } from './pages/flows-page';
import { startJsonServer, type JsonServer } from './support/json-server';

let api: JsonServer;

test.beforeAll(async () => {
  api = await startJsonServer({ name: 'Ada' });
});

test.afterAll(async () => {
  await api?.close();
});

test('build a flow on the canvas, save it, run it and read the result', async ({ page }) => {
  const flows = new FlowsPage(page);
  const editor = new EditorPage(page);

  await flows.goto();
  await flows.createFlow(`Greeting ${Date.now()}`);
  await editor.waitUntilReady();
  await expect(page.getByTestId('canvas-empty')).toBeVisible();

  // Drag three agents onto the canvas; ids are readable and predictable.
  await editor.dragAgent('manual', { x: 150, y: 80 });
  await editor.dragAgent('http_request', { x: 430, y: 200 });
  await editor.dragAgent('transform', { x: 150, y: 330 });
  await expect(editor.nodes()).toHaveCount(3);
  await expect(editor.node('manual_1')).toBeVisible();
  await expect(editor.node('http_request_1')).toBeVisible();
  await expect(editor.node('transform_1')).toBeVisible();
  await expect(page.getByTestId('canvas-empty')).toHaveCount(0);
  await expect(editor.saveState).toHaveAttribute('data-state', 'unsaved');

  // A trigger has no input handle: nothing can flow into it.
  await expect(page.getByTestId('handle-target-manual_1')).toHaveCount(0);

  await editor.connect('manual_1', 'http_request_1');
  await editor.connect('http_request_1', 'transform_1');
  await expect(editor.edges()).toHaveCount(2);

  await editor.select('http_request_1');
  await editor.field('url').fill(`${api.url}/person`);
  await editor.select('transform_1');
  await editor.field('template').fill('{ "greeting": "Hello {{ body.name }}" }');

  await editor.save();

  // The saved graph comes back after a reload.
  await page.reload();
  await editor.waitUntilReady();
  await expect(editor.nodes()).toHaveCount(3);
  await expect(editor.edge('manual_1', 'http_request_1')).toBeAttached();
  await expect(editor.edge('http_request_1', 'transform_1')).toBeAttached();
  await expect(editor.saveState).toHaveAttribute('data-state', 'saved');
  await editor.select('http_request_1');
  await expect(editor.field('url')).toHaveValue(`${api.url}/person`);
  await editor.select('transform_1');
  await expect(editor.field('template')).toHaveValue(/Hello \{\{ body\.name \}\}/);

  await editor.run();
  const runLink = page.getByTestId('runs-panel').getByTestId('run-link').first();
  await expect(runLink).toBeVisible();
  await runLink.click();
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);

  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 });
  await expect(page.getByTestId('run-step-http_request_1')).toHaveAttribute('data-status', 'succeeded');
  await expect(page.getByTestId('run-step-transform_1').getByTestId('step-output')).toContainText('Hello Ada');
  expect(api.requests).toContain('GET /person');
});
