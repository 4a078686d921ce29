import { readFile } from 'node:fs/promises';
import { expect, test } from './support/auth';
import { EditorPage } from './pages/editor-page';
import { Api } from './support/api';

const graph = {
  nodes: [
    { id: 'start', type: 'manual', options: {}, position: { x: 0, y: 0 } },
    { id: 'shape', type: 'transform', label: 'Shape', options: { template: { done: 'yes' } }, position: { x: 320, y: 0 } },
  ],
  edges: [{ source: 'start', target: 'shape' }],
  notes: [{ id: 'note-1', text: 'Exported with the flow', position: { x: 0, y: 160 } }],
};

test.describe('import, export, testing and runs on the canvas', () => {
  test('export to a file and import it back as a new flow; replacing the steps shows problems per step', async ({ page, request, baseURL }) => {
    const api = new Api(request, baseURL!);
    const name = `Round trip ${Date.now()}`;
    const { id } = await api.createFlow(name);
    await api.mutation('flows.saveGraph', { id, baseVersion: 1, graph });
    const editor = new EditorPage(page);
    await editor.open(id);

    const [download] = await Promise.all([page.waitForEvent('download'), editor.openTransferMenu('export-flow')]);
    expect(download.suggestedFilename()).toBe(`round-trip-${name.split(' ').pop()}.muninn.json`);
    const exported = JSON.parse(await readFile((await download.path())!, 'utf8')) as typeof graph & { name: string };
    expect(exported.name).toBe(name);
    expect(exported.nodes.map((n) => n.id)).toEqual(['start', 'shape']);
    expect(exported.notes).toEqual([{ id: 'note-1', text: 'Exported with the flow', position: { x: 0, y: 160 }, size: { width: 224, height: 140 } }]);

    // Import the file as a new flow: the editor opens it, steps and note included.
    await editor.openTransferMenu('import-flow');
    const dialog = page.getByTestId('import-dialog');
    await dialog.getByTestId('import-file').setInputFiles({ name: 'flow.muninn.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(exported)) });
    await expect(dialog.getByTestId('import-name')).toHaveValue(name);
    await dialog.getByTestId('import-name').fill(`${name} (copy)`);
    await dialog.getByTestId('import-submit').click();
    await page.waitForURL((url) => /\/flows\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(id));
    await editor.waitUntilReady();
    await expect(page.getByTestId('flow-name')).toContainText(`${name} (copy)`);
    await expect(editor.nodes()).toHaveCount(2);
    await expect(editor.edge('start', 'shape')).toBeAttached();
    await expect(editor.note('note-1')).toBeVisible();

    // Replacing the steps with a broken flow is refused, with the problem under the step it concerns.
    await editor.openTransferMenu('import-flow');
    const broken = { name: 'Broken', nodes: [{ id: 'call', type: 'http_request', options: { url: '' } }], edges: [] };
    await dialog.getByTestId('import-text').fill(JSON.stringify(broken));
    await dialog.getByTestId('import-mode-replace').check();
    await dialog.getByTestId('import-submit').click();
    await expect(dialog.getByTestId('import-issue-call')).toContainText('url');
    await expect(editor.nodes()).toHaveCount(2);

    // Not JSON at all: said plainly.
    await dialog.getByTestId('import-text').fill('{ "name": ');
    await dialog.getByTestId('import-submit').click();
    await expect(dialog).toContainText('not valid JSON');

    // A valid flow replaces the steps, saved as a new version; Undo brings the old ones back.
    const replacement = { name: 'Replacement', nodes: [{ id: 'hook', type: 'webhook', options: {}, position: { x: 0, y: 0 } }], edges: [] };
    await dialog.getByTestId('import-text').fill(JSON.stringify(replacement));
    await dialog.getByTestId('import-submit').click();
    await expect(dialog).toBeHidden();
    await expect(editor.node('hook')).toBeVisible();
    await expect(editor.nodes()).toHaveCount(1);
    await expect(editor.saveState).toHaveAttribute('data-state', 'saved');
    await editor.toast().getByRole('button', { name: 'Undo' }).click();
    await expect(editor.nodes()).toHaveCount(2);
  });

  test('test this node shows its output; after a run each step shows its status and events, and opens its input and output', async ({ page, request, baseURL }) => {
    const api = new Api(request, baseURL!);
    const { id } = await api.createFlow(`Run state ${Date.now()}`);
    await api.mutation('flows.saveGraph', { id, baseVersion: 1, graph: { nodes: graph.nodes, edges: graph.edges } });
    const editor = new EditorPage(page);
    await editor.open(id);

    // Test this node: only this step runs, on a sample event, with its current settings.
    await editor.select('shape');
    await editor.field('template').fill('{ "greeting": "Hello {{ name }}" }');
    await page.getByTestId('inspector').getByRole('tab', { name: 'Test' }).click();
    await page.getByTestId('node-test-event').fill('{ "name": "Ada" }');
    await page.getByTestId('node-test-run').click();
    const result = page.getByTestId('node-test-result');
    await expect(result).toHaveAttribute('data-ok', 'true');
    await expect(result).toContainText('Hello Ada');

    // Run the flow: the canvas shows each step's status and how many events it sent on.
    await editor.run();
    const status = editor.node('shape').getByTestId('node-status');
    await expect(status).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 });
    await expect(status).toHaveAttribute('data-events', '1');
    await expect(editor.node('start').getByTestId('node-status')).toHaveAttribute('data-status', 'succeeded');

    // Clicking the status opens that step's input and output in the inspector.
    await editor.clickEmptyCanvas();
    await status.click();
    await expect(page.getByTestId('inspector-shape')).toBeVisible();
    await expect(page.getByTestId('node-last-run')).toBeVisible();
    await expect(page.getByTestId('node-last-run-output')).toContainText('greeting');
    await expect(page.getByTestId('node-last-run-output')).toContainText('Hello');
  });
});
