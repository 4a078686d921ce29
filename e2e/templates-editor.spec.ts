import { expect, test } from './support/auth';
import { Api } from './support/api';
import { EditorPage } from './pages/editor-page';

/**
 * The marketplace from inside the editor: publish the open flow as a template (and later its next
 * version), and update a flow installed from a template that got a new version — seeing the
 * change on the canvas first.
 */

const stamp = () => Date.now().toString(36);

// Editor, template page and marketplace in one test: on a dev server each page may compile first.
test.slow();
const start = { id: 'start', type: 'manual', label: 'Start', options: {}, position: { x: 0, y: 0 } };

test('publish the open flow as a template from the editor, find it in the marketplace, then publish its next version', async ({ page, request, baseURL }) => {
  const s = stamp();
  const api = new Api(request, baseURL!);
  const { id, version } = await api.createFlow(`Stock check ${s}`);
  await api.mutation('flows.saveGraph', {
    id,
    baseVersion: version,
    graph: {
      nodes: [start, { id: 'fetch', type: 'http_request', label: 'Fetch stock', options: { method: 'GET', url: 'https://shop.example.com/api/stock' }, position: { x: 320, y: 0 } }],
      edges: [{ source: 'start', target: 'fetch' }],
    },
  });

  const editor = new EditorPage(page);
  await editor.open(id);
  // An edit not saved yet: publishing saves it first, so the template has it.
  await editor.select('fetch');
  await editor.addByClick('transform');
  await expect(editor.nodes()).toHaveCount(3);

  await page.getByTestId('transfer-menu').click();
  await page.getByTestId('publish-template').click();
  const dialog = page.getByTestId('publish-dialog');
  await expect(dialog.getByTestId('publish-step-about')).toBeVisible();
  await expect(editor.saveState).toHaveAttribute('data-state', 'saved');
  // Named after the flow to begin with.
  await expect(dialog.getByTestId('publish-name')).toHaveValue(`Stock check ${s}`);
  const templateName = `Stock check template ${s}`;
  await dialog.getByTestId('publish-name').fill(templateName);
  await dialog.getByTestId('publish-category').fill('Inventory');
  await dialog.getByTestId('publish-visibility-everyone').check();
  await dialog.getByTestId('publish-next').click();
  await dialog.getByTestId('publish-submit').click();
  const done = dialog.getByTestId('publish-done');
  await expect(done).toContainText(`Published “${templateName}”`);
  await expect(done).toContainText('Everyone on this Muninn can install it.');

  // The success message links to the template's page, which draws the three saved steps.
  await done.getByTestId('publish-open-template').click();
  await expect(page).toHaveURL(/\/templates\/stock-check-template-/);
  await expect(page.getByTestId('template-detail').getByRole('heading', { name: templateName, level: 1 })).toBeVisible();
  await expect(page.getByTestId('template-graph').locator('.react-flow__node')).toHaveCount(3);

  // Found in the marketplace by search.
  await page.goto('/templates');
  await expect(page.getByTestId('template-list')).toBeVisible();
  await expect(async () => {
    await page.getByTestId('template-search').fill(`stock check template ${s}`);
    await expect(page).toHaveURL(/q=stock/, { timeout: 2000 });
  }).toPass();
  const card = page.getByTestId('template-card').filter({ hasText: templateName });
  await expect(card).toBeVisible();
  await expect(card).toContainText('Your workspace');

  // Back in the editor, publishing again offers the next version of the same template, with a changelog.
  await editor.open(id);
  await page.getByTestId('transfer-menu').click();
  await page.getByTestId('publish-template').click();
  await expect(dialog.getByTestId('publish-target')).not.toHaveValue('');
  await expect(dialog.getByTestId('publish-name')).toHaveValue(templateName);
  await dialog.getByTestId('publish-next').click();
  await dialog.getByTestId('publish-submit').click();
  await expect(dialog.getByRole('alert').first()).toContainText('Say what changed');
  await dialog.getByTestId('publish-changelog').fill('Checks the stock of the warehouse too.');
  await dialog.getByTestId('publish-submit').click();
  await expect(dialog.getByTestId('publish-done')).toContainText('version 2');
});

test('update an installed flow from the editor: see the change on the canvas, then apply it', async ({ page, request, baseURL }) => {
  const s = stamp();
  const api = new Api(request, baseURL!);

  // Seeded through the API: a template with two versions, version 1 installed with the installer's own address.
  const source = await api.createFlow(`Greeting source ${s}`);
  const greet = { id: 'greet', type: 'http_request', label: 'Greet', options: { method: 'POST', url: 'https://hello.example.com/greet' }, position: { x: 320, y: 0 } };
  const saved = await api.mutation<{ version: number }>('flows.saveGraph', {
    id: source.id,
    baseVersion: source.version,
    graph: { nodes: [start, greet], edges: [{ source: 'start', target: 'greet' }] },
  });
  const templateName = `Greeting ${s}`;
  const publish = {
    flowId: source.id,
    name: templateName,
    category: 'Examples',
    visibility: 'workspace',
    inputs: [{ name: 'greeting_url', label: 'Greeting address', target: { nodeId: 'greet', field: 'url' } }],
  };
  const { slug } = await api.mutation<{ slug: string }>('templates.publish', { ...publish, changelog: 'First version' });
  const installed = await api.mutation<{ flowId: string }>('templates.install', { slug, name: `My greeting ${s}`, inputs: { greeting_url: 'https://mine.example.com/hi' } });
  const farewell = { id: 'farewell', type: 'transform', label: 'Say goodbye', options: { template: { message: 'Bye' }, mode: 'replace' }, position: { x: 640, y: 0 } };
  await api.mutation('flows.saveGraph', {
    id: source.id,
    baseVersion: saved.version,
    graph: { nodes: [start, greet, farewell], edges: [{ source: 'start', target: 'greet' }, { source: 'greet', target: 'farewell' }] },
  });
  await api.mutation('templates.publish', { ...publish, slug, changelog: 'Adds a goodbye step after the greeting.' });

  const editor = new EditorPage(page);
  await editor.open(installed.flowId);
  const banner = page.getByTestId('update-banner');
  await expect(banner.getByTestId('update-versions')).toHaveText(`Update available: ${templateName} v2 (you have v1)`);
  await expect(banner).toContainText('Adds a goodbye step after the greeting.');
  await expect(editor.node('farewell')).toHaveCount(0);

  // The update drawn on the canvas, against the flow as saved: the new step is added, the
  // greeting (with the installer's address kept) is unchanged.
  await banner.getByTestId('update-show-diff').click();
  const diff = page.getByTestId('update-diff');
  await expect(diff.getByRole('heading')).toHaveText(`What updating to version 2 of “${templateName}” changes`);
  await expect(diff.getByTestId('diff-node-farewell')).toHaveAttribute('data-diff', 'added');
  await expect(diff.getByTestId('diff-node-greet')).toHaveAttribute('data-diff', 'unchanged');
  await expect(diff.getByTestId('diff-node-start')).toHaveAttribute('data-diff', 'unchanged');
  await expect(diff.getByTestId('diff-count-added')).toHaveAttribute('data-count', '1');
  await expect(diff.getByTestId('update-diff-intro')).toContainText('Nothing changes until you press Update');

  await banner.getByTestId('update-apply').click();
  await expect(editor.toast()).toContainText('Updated to version 2 of the template. Added 1 step');
  await expect(editor.toast()).toContainText('The flow as it was is version 1 in Versions.');
  await expect(page.getByTestId('update-banner')).toHaveCount(0);
  await expect(diff).toHaveCount(0);

  // The new step is on the canvas, saved; the installer's address was kept.
  await expect(editor.node('farewell')).toBeVisible();
  await expect(editor.edge('greet', 'farewell')).toBeAttached();
  await expect(editor.saveState).toHaveAttribute('data-state', 'saved');
  await editor.select('greet');
  await expect(editor.field('url')).toHaveValue('https://mine.example.com/hi');

  // The editor knows the new version: the next edit saves without a conflict.
  await editor.addByClick('transform');
  await editor.save();
  await expect(page.getByTestId('conflict-dialog')).not.toBeVisible();

  // The version before the update stays in the history.
  await editor.openVersions();
  await expect(page.getByTestId('versions-panel').locator('[data-testid^="version-row-"]')).toHaveCount(3);
});
