import { expect, test } from './support/auth';
import { EditorPage } from './pages/editor-page';
import { Api } from './support/api';

test.describe('editor', () => {
  test('click-to-add wires steps; refused connections and deletions explain themselves', async ({ page, request, baseURL }) => {
    const { id } = await new Api(request, baseURL!).createFlow(`Editor ${Date.now()}`);
    const editor = new EditorPage(page);
    await editor.open(id);

    // Clicking an agent adds it next to the selected step and wires it from there.
    await editor.addByClick('manual');
    await editor.addByClick('http_request');
    await expect(editor.edge('manual_1', 'http_request_1')).toBeAttached();

    // The same connection twice is refused, with the reason.
    await editor.dragConnection('manual_1', 'http_request_1');
    await expect(editor.toast()).toContainText('already connected');
    await expect(editor.edges()).toHaveCount(1);

    // Delete removes the step and its connections; Undo brings both back.
    await editor.select('http_request_1');
    await page.keyboard.press('Delete');
    await expect(editor.node('http_request_1')).toHaveCount(0);
    await expect(editor.edges()).toHaveCount(0);
    await editor.toast().getByRole('button', { name: 'Undo' }).click();
    await expect(editor.node('http_request_1')).toBeVisible();
    await expect(editor.edge('manual_1', 'http_request_1')).toBeAttached();

    // JSON that does not parse is flagged at the field and blocks saving until it is fixed.
    await editor.select('http_request_1');
    await editor.field('body').fill('{ "customer": ');
    await expect(page.getByTestId('inspector').getByRole('alert').first()).toContainText('not valid JSON');
    await expect(editor.node('http_request_1').getByTestId('node-problem')).toBeVisible();
    // Looking at another step and coming back keeps the unfinished text.
    await editor.select('manual_1');
    await editor.select('http_request_1');
    await expect(editor.field('body')).toHaveValue('{ "customer": ');
    await page.getByTestId('save-button').click();
    await expect(editor.toast()).toContainText('not valid yet');
    await expect(editor.saveState).toHaveAttribute('data-state', 'unsaved');
    await editor.field('body').fill('{ "customer": "Acme" }');
    await expect(editor.node('http_request_1').getByTestId('node-problem')).toHaveCount(0);
    await page.keyboard.press('Control+s');
    await expect(editor.saveState).toHaveAttribute('data-state', 'saved');
  });

  test('a required setting left empty shows on the node and in the form', async ({ page, request, baseURL }) => {
    const { id } = await new Api(request, baseURL!).createFlow(`Problems ${Date.now()}`);
    const editor = new EditorPage(page);
    await editor.open(id);
    await editor.addByClick('manual');
    await editor.addByClick('http_request');
    await editor.field('url').fill('');
    await expect(editor.node('http_request_1').getByTestId('node-problem')).toContainText('Address (URL) to call');
    await expect(page.getByTestId('inspector').getByRole('alert').first()).toBeVisible();

    // The server refuses the save too, and says which step and setting.
    await page.getByTestId('save-button').click();
    await expect(editor.toast()).toContainText('http_request_1');
    await expect(editor.saveState).toHaveAttribute('data-state', 'unsaved');
  });

  test('a stale save asks before anything is overwritten or lost, and autosave waits', async ({ page, request, baseURL }) => {
    const api = new Api(request, baseURL!);
    const { id, version } = await api.createFlow(`Conflict ${Date.now()}`);
    const editor = new EditorPage(page);
    await editor.open(id);

    // Someone else saves while this editor still shows version 1.
    await api.mutation('flows.saveGraph', {
      id,
      baseVersion: version,
      graph: { nodes: [{ id: 'webhook_1', type: 'webhook', options: {}, position: { x: 0, y: 0 } }], edges: [] },
    });
    await editor.addByClick('manual');

    // Autosave is refused, and the choices appear by themselves.
    const dialog = page.getByTestId('conflict-dialog');
    await expect(dialog).toBeVisible({ timeout: 15_000 });
    await dialog.getByTestId('conflict-keep').click();
    await expect(dialog).toBeHidden();
    await expect(editor.node('manual_1')).toBeVisible();
    await expect(editor.saveState).toHaveAttribute('data-state', 'conflict');
    // Autosave does not knock again on a version that moved on.
    await page.waitForTimeout(3_000);
    await expect(dialog).toBeHidden();

    // The save state reopens the choices; reloading takes their version.
    await editor.saveState.click();
    await expect(dialog).toBeVisible();
    await page.getByTestId('conflict-reload').click();
    await expect(editor.node('webhook_1')).toBeVisible();
    await expect(editor.node('manual_1')).toHaveCount(0);
    await expect(editor.saveState).toHaveAttribute('data-state', 'saved');
  });
});
