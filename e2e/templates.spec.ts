import { expect, test } from './support/auth';
import { Api } from './support/api';
import { EditorPage } from './pages/editor-page';
import type { Page } from '@playwright/test';

/**
 * The template marketplace end to end: find a template, install it through the wizard (creating
 * the credential it needs on the way), publish a flow as a template, and update an installed flow
 * when its template gets a new version.
 */

const stamp = () => Date.now().toString(36);

async function openMarketplace(page: Page) {
  await page.goto('/templates');
  await expect(page.getByRole('heading', { name: 'Templates', level: 1 })).toBeVisible();
  await expect(page.getByTestId('template-list')).toBeVisible();
}

async function search(page: Page, text: string) {
  // Typing before hydration would be lost; keep typing until the list answers.
  await expect(async () => {
    await page.getByTestId('template-search').fill(text);
    await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(text).replace(/%20/g, '\\+')}`), { timeout: 2000 });
  }).toPass();
}

test('search the marketplace, open a template and install it with a credential created on the way', async ({ page }) => {
  const s = stamp();
  await openMarketplace(page);

  // Nothing matches: the empty state says so and offers a way on.
  await search(page, `zebra-${s}`);
  const noMatch = page.getByTestId('templates-no-match');
  await expect(noMatch).toContainText(`No template matches “zebra-${s}”`);
  await expect(noMatch.getByTestId('blank-flow')).toBeVisible();
  await noMatch.getByTestId('clear-filters').click();
  await expect(page.getByTestId('template-search')).toHaveValue('');
  await expect(page.getByTestId('template-card').first()).toBeVisible();

  // Search narrows the list; categories filter it too.
  await search(page, 'slack alert');
  const card = page.locator('[data-testid="template-card"][data-slug="webhook-to-slack"]');
  await expect(card).toBeVisible();
  await expect(page.locator('[data-testid="template-card"][data-slug="form-to-email"]')).toHaveCount(0);
  await expect(card.getByTestId('agent-icons').getByRole('img')).toHaveCount(2);
  await expect(card.getByTestId('template-version')).toHaveText('Version 1');

  // The template's page: the flow drawn read-only, what it needs, its versions.
  await card.getByTestId('template-card-link').click();
  await expect(page).toHaveURL(/\/templates\/webhook-to-slack$/);
  const detail = page.getByTestId('template-detail');
  await expect(detail.getByRole('heading', { name: 'Webhook → Slack alert', level: 1 })).toBeVisible();
  await expect(page.getByTestId('template-graph').locator('.react-flow__node')).toHaveCount(2);
  await expect(page.getByTestId('template-credentials')).toContainText('Slack incoming webhook or Slack bot token');
  await expect(page.getByTestId('template-credentials')).toContainText('You can create it while installing.');
  await expect(page.getByTestId('template-agents')).toContainText('Slack');
  await expect(page.getByTestId('template-versions')).toContainText('First version');

  // The wizard: credentials first. There is none yet, so one is created right here.
  await page.getByTestId('template-install').click();
  await expect(page.getByTestId('install-wizard')).toBeVisible();
  const choice = page.getByTestId('credential-choice-slack');
  // Going on without a credential is refused, in words.
  await page.getByTestId('install-next').click();
  await expect(choice.getByRole('alert')).toContainText('Choose a credential for Slack');
  await choice.getByTestId('new-credential-slack-type-slack_webhook').click();
  const credentialName = `Team Slack ${s}`;
  await choice.getByTestId('new-credential-slack-name').fill(credentialName);
  // A wrong address is explained at its field by the server.
  await choice.getByTestId('new-credential-slack-field-webhookUrl').fill('not a web address');
  await choice.getByTestId('new-credential-slack-save').click();
  await expect(choice.getByRole('alert').filter({ hasText: 'Webhook URL must be a web address' })).toBeVisible();
  await choice.getByTestId('new-credential-slack-field-webhookUrl').fill('https://hooks.slack.com/services/T000/B000/abcdefghijkl');
  await choice.getByTestId('new-credential-slack-save').click();
  await expect(choice.getByTestId('credential-chosen-slack')).toContainText(credentialName);
  await page.getByTestId('install-next').click();

  // Then the template's inputs, with their suggested values.
  await expect(page.getByTestId('install-step-inputs')).toBeVisible();
  await expect(page.getByTestId('input-channel')).toHaveValue('#alerts');
  await page.getByTestId('input-channel').fill('#ops');
  await page.getByTestId('install-next').click();

  // Review, then install.
  const review = page.getByTestId('install-step-review');
  await expect(review).toContainText(credentialName);
  await expect(review).toContainText('#ops');
  const flowName = `Alerts ${s}`;
  await page.getByTestId('install-flow-name').fill(flowName);
  await page.getByTestId('install-submit').click();
  const done = page.getByTestId('install-done');
  await expect(done).toContainText('Your flow is ready (inactive until you turn it on)');

  // The flow opens in the editor, switched off, using the new credential and the chosen channel.
  await done.getByTestId('open-installed-flow').click();
  await expect(page).toHaveURL(/\/flows\/[0-9a-f-]{36}$/);
  const editor = new EditorPage(page);
  await editor.waitUntilReady();
  await expect(editor.node('hook')).toBeVisible();
  await expect(editor.node('post')).toBeVisible();
  await expect(page.getByTestId('active-toggle')).toHaveAttribute('aria-checked', 'false');
  await editor.select('post');
  await expect(editor.field('credential').locator('option:checked')).toContainText(credentialName);
  await expect(editor.field('channel')).toHaveValue('#ops');
});

test('publish a flow as a template, with its secret taken out, and find it in the marketplace', async ({ page, request, baseURL }) => {
  const s = stamp();
  const api = new Api(request, baseURL!);
  const flowName = `Order export ${s}`;
  const { id, version } = await api.createFlow(flowName);
  await api.mutation('flows.saveGraph', {
    id,
    baseVersion: version,
    graph: {
      nodes: [
        { id: 'start', type: 'manual', label: 'Start', options: {}, position: { x: 0, y: 0 } },
        {
          id: 'fetch',
          type: 'http_request',
          label: 'Fetch orders',
          options: { method: 'GET', url: 'https://shop.example.com/api/orders', headers: { Authorization: 'Bearer abcdefghijklmnopqrstuvwxyz123456' } },
          position: { x: 320, y: 0 },
        },
      ],
      edges: [{ source: 'start', target: 'fetch' }],
    },
  });

  await openMarketplace(page);
  await page.getByTestId('publish-flow').click();
  const dialog = page.getByTestId('publish-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('publish-flow-select').selectOption({ label: flowName });
  const templateName = `Nightly order export ${s}`;
  await dialog.getByTestId('publish-name').fill(templateName);
  await dialog.getByTestId('publish-description').fill('Fetches the orders of the day from your shop.\n\n**You need** the address of your shop API.');
  // A category is required; the dialog says so.
  await dialog.getByTestId('publish-next').click();
  await expect(dialog.getByRole('alert').first()).toContainText('category');
  await dialog.getByTestId('publish-category').fill('Integrations');
  await dialog.getByTestId('publish-tags').fill('orders, e2e');
  await dialog.getByTestId('publish-next').click();

  // Step 2: the shop address becomes a value installers fill in.
  await expect(dialog.getByTestId('publish-step-inputs')).toBeVisible();
  await dialog.getByTestId('publish-add-input').click();
  const input = dialog.getByTestId('publish-input');
  await input.getByTestId('publish-input-node').selectOption({ label: 'Fetch orders' });
  await input.getByTestId('publish-input-field').selectOption({ label: 'Address (URL) to call' });
  await expect(input.getByTestId('publish-input-label')).toHaveValue('Address (URL) to call');
  await input.getByTestId('publish-input-label').fill('Shop API address');
  await dialog.getByTestId('publish-submit').click();

  const done = dialog.getByTestId('publish-done');
  await expect(done).toContainText(`Published “${templateName}”`);
  // The token in the Authorization header was not published.
  await expect(done.getByTestId('publish-secrets')).toContainText('Authorization');
  await expect(done.getByTestId('publish-secrets')).toContainText('Fetch orders');
  await dialog.getByRole('button', { name: 'Close' }).first().click();

  // Found in the marketplace, as the workspace's own.
  await search(page, `order export ${s}`);
  const card = page.getByTestId('template-card').filter({ hasText: templateName });
  await expect(card).toBeVisible();
  await expect(card).toContainText('Your workspace');
  await card.getByTestId('template-card-link').click();
  await expect(page.getByTestId('template-detail')).toContainText('Shop API address');
  await expect(page.getByTestId('template-detail')).toContainText('You need');
});

test('update an installed flow when its template gets a new version', async ({ page, request, baseURL }) => {
  const s = stamp();
  const api = new Api(request, baseURL!);
  const source = await api.createFlow(`Greeting source ${s}`);
  const start = { id: 'start', type: 'manual', label: 'Start', options: {}, position: { x: 0, y: 0 } };
  const greet = { id: 'greet', type: 'http_request', label: 'Greet', options: { method: 'POST', url: 'https://hello.example.com/greet' }, position: { x: 320, y: 0 } };
  const saved = await api.mutation<{ version: number }>('flows.saveGraph', {
    id: source.id,
    baseVersion: source.version,
    graph: { nodes: [start, greet], edges: [{ source: 'start', target: 'greet' }] },
  });

  // Version 1, published and installed (seeded through the API: the UI for both is tested above).
  const templateName = `Greeting ${s}`;
  const { slug } = await api.mutation<{ slug: string }>('templates.publish', {
    flowId: source.id,
    name: templateName,
    description: 'Says hello.',
    category: 'Examples',
    visibility: 'workspace',
    changelog: 'First version',
    inputs: [{ name: 'greeting_url', label: 'Greeting address', target: { nodeId: 'greet', field: 'url' } }],
  });
  // The installer gives their own address: updates must keep it.
  const installed = await api.mutation<{ flowId: string }>('templates.install', { slug, name: `My greeting ${s}`, inputs: { greeting_url: 'https://mine.example.com/hi' } });

  // The author adds a step and publishes version 2 from the template's page.
  const farewell = { id: 'farewell', type: 'transform', label: 'Say goodbye', options: { template: { message: 'Bye' }, mode: 'replace' }, position: { x: 640, y: 0 } };
  await api.mutation('flows.saveGraph', {
    id: source.id,
    baseVersion: saved.version,
    graph: { nodes: [start, greet, farewell], edges: [{ source: 'start', target: 'greet' }, { source: 'greet', target: 'farewell' }] },
  });
  await page.goto(`/templates/${slug}`);
  await page.getByTestId('publish-new-version').click();
  const dialog = page.getByTestId('publish-dialog');
  await dialog.getByTestId('publish-flow-select').selectOption({ label: `Greeting source ${s}` });
  await expect(dialog.getByTestId('publish-target')).toHaveValue(slug);
  await expect(dialog.getByTestId('publish-name')).toHaveValue(templateName);
  await dialog.getByTestId('publish-next').click();
  // The value installers filled in for version 1 is offered again, so that their values carry over.
  await expect(dialog.getByTestId('publish-input').getByTestId('publish-input-label')).toHaveValue('Greeting address');
  // A new version needs to say what changed.
  await dialog.getByTestId('publish-submit').click();
  await expect(dialog.getByRole('alert').first()).toContainText('Say what changed');
  await dialog.getByTestId('publish-changelog').fill('Adds a goodbye step after the greeting.');
  await dialog.getByTestId('publish-submit').click();
  await expect(dialog.getByTestId('publish-done')).toContainText('version 2');
  await dialog.getByRole('button', { name: 'Close' }).first().click();
  await expect(page.getByTestId('template-versions')).toContainText('Adds a goodbye step');

  // The installed flow now shows the update, with its changelog.
  await openMarketplace(page);
  const banner = page.locator(`[data-testid="update-banner"][data-flow-id="${installed.flowId}"]`);
  await expect(banner.getByTestId('update-versions')).toHaveText(`Update available: ${templateName} v2 (you have v1)`);
  await banner.getByTestId('update-details-toggle').click();
  await expect(banner.getByTestId('update-details')).toContainText('Adds a goodbye step after the greeting.');
  await expect(banner.getByTestId('update-preview')).toContainText('New: Say goodbye');
  await banner.getByTestId('update-apply').click();
  const done = page.getByTestId('update-done');
  await expect(done).toContainText('now uses version 2');
  await expect(done).toContainText('Added 1 step');

  // The flow has the new step; the update is no longer offered.
  await done.getByRole('link', { name: 'Open the flow' }).click();
  const editor = new EditorPage(page);
  await editor.waitUntilReady();
  await expect(editor.node('farewell')).toBeVisible();
  await expect(editor.edge('greet', 'farewell')).toBeAttached();
  await editor.select('greet');
  await expect(editor.field('url')).toHaveValue('https://mine.example.com/hi');
  await openMarketplace(page);
  await expect(page.locator(`[data-testid="update-banner"][data-flow-id="${installed.flowId}"]`)).toHaveCount(0);
});

test('import a Huginn scenario and read, agent by agent, what carried over', async ({ page }) => {
  await page.goto('/templates');
  await page.getByTestId('import-huginn-link').click();
  await expect(page).toHaveURL(/\/import$/);

  // Something that is not a scenario is explained before anything is sent.
  await page.getByTestId('huginn-text').fill('{ "name": "half a file", ');
  await page.getByTestId('huginn-name').click();
  await expect(page.getByRole('alert').filter({ hasText: 'This is not valid JSON' })).toBeVisible();

  // The exported file, uploaded.
  await page.getByTestId('huginn-file').setInputFiles('server/templates/fixtures/huginn/weather-alert-to-slack.json');
  await expect(page.getByText('Scenario “Weather alert to Slack”: 4 agents')).toBeVisible();
  await page.getByTestId('huginn-import-submit').click();

  const report = page.getByTestId('huginn-report');
  await expect(report.getByRole('heading', { name: 'Imported “Weather alert to Slack”' })).toBeVisible();
  await expect(report.getByTestId('huginn-agent')).toHaveCount(4);
  const tweets = report.getByTestId('huginn-agent').filter({ hasText: 'Weather tweets' });
  await expect(tweets).toHaveAttribute('data-status', 'needs_attention');
  await expect(tweets).toContainText('Needs attention');
  await expect(report.getByTestId('huginn-summary-needs_attention').getByTestId('count')).toHaveText('1');

  // The flow it created opens in the editor.
  await report.getByTestId('huginn-open-flow').first().click();
  const editor = new EditorPage(page);
  await editor.waitUntilReady();
  await expect(editor.nodes().first()).toBeVisible();
  await expect(page.getByTestId('active-toggle')).toHaveAttribute('aria-checked', 'false');
});
