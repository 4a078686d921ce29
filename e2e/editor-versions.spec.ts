import { expect, test } from './support/auth';
import { EditorPage } from './pages/editor-page';
import { Api } from './support/api';

const node = (id: string, type: string, options: Record<string, unknown>, x: number, label?: string) => ({ id, type, options, position: { x, y: 0 }, ...(label ? { label } : {}) });
const start = node('start', 'manual', {}, 0);
const a = node('a', 'transform', { template: { step: 'a' } }, 320);
const b = node('b', 'transform', { template: { step: 'b' } }, 640);

interface FlowGraphJson {
  nodes: Array<{ id: string; label?: string }>;
}

test.describe('versions and two tabs', () => {
  test('the versions panel compares two versions on the canvas and restores one, undoably', async ({ page, request, baseURL }) => {
    const api = new Api(request, baseURL!);
    const { id } = await api.createFlow(`Versions ${Date.now()}`);
    await api.mutation('flows.saveGraph', { id, baseVersion: 1, graph: { nodes: [start, a, b], edges: [{ source: 'start', target: 'a' }, { source: 'a', target: 'b' }] } });
    const c = node('c', 'http_request', { url: 'https://example.com/ping' }, 640);
    await api.mutation('flows.saveGraph', {
      id,
      baseVersion: 2,
      graph: { nodes: [start, { ...a, label: 'Shaped' }, c], edges: [{ source: 'start', target: 'a' }, { source: 'a', target: 'c' }] },
    });

    const editor = new EditorPage(page);
    await editor.open(id);
    await editor.openVersions();
    const panel = page.getByTestId('versions-panel');
    await expect(panel.locator('[data-testid^="version-row-"]')).toHaveCount(3);
    await expect(panel.getByTestId('version-row-3').getByTestId('version-summary')).toContainText('1 node added, 1 removed, 1 changed');
    await expect(panel.getByTestId('version-row-1').getByTestId('version-summary')).toHaveText('Created');

    // Two ticked versions: the newer is drawn with what changed marked.
    await page.getByTestId('version-pick-2').check();
    await page.getByTestId('version-pick-3').check();
    await page.getByTestId('versions-compare').click();
    const diff = page.getByTestId('diff-view');
    await expect(diff).toBeVisible();
    await expect(diff.getByTestId('diff-node-start')).toHaveAttribute('data-diff', 'unchanged');
    await expect(diff.getByTestId('diff-node-a')).toHaveAttribute('data-diff', 'changed');
    await expect(diff.getByTestId('diff-node-a')).toContainText('label');
    await expect(diff.getByTestId('diff-node-b')).toHaveAttribute('data-diff', 'removed');
    await expect(diff.getByTestId('diff-node-c')).toHaveAttribute('data-diff', 'added');
    await expect(diff.getByTestId('diff-count-added')).toHaveAttribute('data-count', '1');
    await expect(diff.getByTestId('diff-legend')).toContainText('Connections: +1 / −1');
    await page.getByTestId('diff-close').click();
    await expect(diff).toHaveCount(0);

    // Restore version 2: saved as a new version, and the canvas shows it.
    await page.getByTestId('version-pick-3').uncheck();
    await page.getByTestId('versions-restore').click();
    await expect(editor.toast()).toContainText('Restored version 2');
    await expect(editor.node('b')).toBeVisible();
    await expect(editor.node('c')).toHaveCount(0);
    await expect(editor.saveState).toHaveAttribute('data-state', 'saved');
    await expect(panel.getByTestId('version-row-4').getByTestId('version-summary')).toHaveText('Restored version 2');

    // Undo takes the restore back (and autosave keeps that too).
    await editor.clickEmptyCanvas();
    await page.keyboard.press('Control+z');
    await expect(editor.node('c')).toBeVisible();
    await expect(editor.node('b')).toHaveCount(0);
    await editor.autosaved();
    await expect(panel.getByTestId('version-row-5')).toBeVisible();
  });

  test('two tabs: a stale save is refused; disjoint edits merge, the same step is named as a conflict', async ({ page, context, request, baseURL }) => {
    const api = new Api(request, baseURL!);
    const { id } = await api.createFlow(`Two tabs ${Date.now()}`);
    await api.mutation('flows.saveGraph', { id, baseVersion: 1, graph: { nodes: [start, a, b], edges: [{ source: 'start', target: 'a' }, { source: 'a', target: 'b' }] } });

    const first = new EditorPage(page);
    const second = new EditorPage(await context.newPage());
    await first.open(id);
    await second.open(id);

    // Tab 1 renames step a and saves.
    await first.select('a');
    await page.getByTestId('node-label').fill('From tab 1');
    await first.autosaved();

    // Tab 2, still on the old version, renames step b: refused, then merged on top.
    await second.select('b');
    await second.page.getByTestId('node-label').fill('From tab 2');
    const dialog = second.page.getByTestId('conflict-dialog');
    await expect(dialog).toBeVisible({ timeout: 15_000 });
    await expect(dialog.getByTestId('conflict-choices')).toHaveAttribute('data-mergeable', 'true');
    await dialog.getByTestId('conflict-merge').click();
    await expect(second.toast()).toContainText('Merged');
    await expect(second.saveState).toHaveAttribute('data-state', 'saved');
    await expect(second.node('a').getByTestId('node-title')).toHaveText('From tab 1');

    const saved = await api.query<{ graph: FlowGraphJson; version: number }>('flows.get', { id });
    expect(saved.version).toBe(4);
    expect(Object.fromEntries(saved.graph.nodes.map((n) => [n.id, n.label]))).toMatchObject({ a: 'From tab 1', b: 'From tab 2' });

    // Tab 1 now changes step b as well: both changed it, so Merge is not offered.
    await first.select('b');
    await page.getByTestId('node-label').fill('Tab 1 again');
    const firstDialog = page.getByTestId('conflict-dialog');
    await expect(firstDialog).toBeVisible({ timeout: 15_000 });
    await expect(firstDialog.getByTestId('conflict-choices')).toHaveAttribute('data-mergeable', 'false');
    await expect(firstDialog.getByTestId('conflict-list')).toContainText('(b)');
    await expect(firstDialog.getByTestId('conflict-merge')).toHaveCount(0);
    await firstDialog.getByTestId('conflict-reload').click();
    await expect(first.node('b').getByTestId('node-title')).toHaveText('From tab 2');
    await expect(first.saveState).toHaveAttribute('data-state', 'saved');
  });
});
