import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './support/auth';
import { Api } from './support/api';
import { EditorPage } from './pages/editor-page';

/**
 * Credentials end to end, against a tiny JIRA Cloud double on 127.0.0.1 (MUNINN_ALLOWED_HOSTS
 * lets the app call it): create one in Settings, see "Test connection" explain a wrong token in
 * plain words, fix it without retyping the rest, pick it in a JIRA step and test that step.
 */

const EMAIL = 'ada@example.com';
const GOOD_TOKEN = 'jira-token-that-works-1234';

interface JiraDouble {
  url: string;
  requests: string[];
  close: () => Promise<void>;
}

async function startJiraDouble(): Promise<JiraDouble> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const expected = `Basic ${Buffer.from(`${EMAIL}:${GOOD_TOKEN}`).toString('base64')}`;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== expected) return json(401, { errorMessages: ['Client must be authenticated to access this resource.'] });
    const path = (req.url ?? '').split('?')[0];
    if (path === '/rest/api/3/myself') return json(200, { accountId: '5b10a2844c20165700ede21g', displayName: 'Ada Lovelace', emailAddress: EMAIL, timeZone: 'UTC' });
    if (path === '/rest/api/3/search/jql') {
      return json(200, {
        isLast: true,
        issues: [
          {
            id: '10001',
            key: 'OPS-1',
            self: 'http://127.0.0.1/rest/api/3/issue/10001',
            fields: { summary: 'Printer on fire', updated: '2024-05-02T10:15:30.000+0000', status: { name: 'To Do', statusCategory: { key: 'new', name: 'To Do' } } },
          },
        ],
      });
    }
    json(404, { errorMessages: ['Not found'] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

let jira: JiraDouble;

test.beforeAll(async () => {
  jira = await startJiraDouble();
});

test.afterAll(async () => {
  await jira?.close();
});

test('create a credential, test it, fix it, and use it in a JIRA step', async ({ page, request, baseURL }) => {
  // Settings and the editor in one story: allow for a first compile when run against `next dev`.
  test.slow();
  const name = `Acme JIRA ${Date.now().toString(36)}`;

  // Settings → Credentials, from the settings navigation.
  await page.goto('/settings/workspace');
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Credentials' }).click();
  await expect(page).toHaveURL(/\/settings\/credentials$/);
  await expect(page.getByTestId('credentials-empty')).toBeVisible();

  // Create: choose the kind, then the form drawn from its schema. The token is a password field.
  await expect(async () => {
    await page.getByTestId('new-credential').click();
    await expect(page.getByTestId('credential-create-dialog')).toBeVisible({ timeout: 1000 });
  }).toPass();
  const dialog = page.getByTestId('credential-create-dialog');
  await expect(dialog.getByTestId('credential-type-picker')).toContainText('An Atlassian account e-mail and API token');
  await dialog.getByTestId('credential-type-jira_cloud').click();
  await expect(dialog.getByTestId('credential-field-apiToken')).toHaveAttribute('type', 'password');
  // Missing fields are named before anything is sent.
  await dialog.getByTestId('credential-save').click();
  await expect(dialog.getByText('Fill in “Site address”.')).toBeVisible();
  await dialog.getByTestId('credential-name').fill(name);
  await dialog.getByTestId('credential-field-baseUrl').fill(jira.url);
  await dialog.getByTestId('credential-field-email').fill(EMAIL);
  await dialog.getByTestId('credential-field-apiToken').fill('a-wrong-token-9876');
  await dialog.getByTestId('credential-save').click();
  await expect(dialog).toBeHidden();

  // The list says what is set, never the secret itself.
  const row = page.locator(`[data-testid="credential-row"][data-name="${name}"]`);
  await expect(row).toContainText('Jira Cloud');
  await expect(row.getByTestId('credential-set-fields')).toContainText(`Site address: ${jira.url}`);
  await expect(row.getByTestId('credential-set-fields')).toContainText('API token: set');
  await expect(row).not.toContainText('a-wrong-token');

  // Test connection: the wrong token is explained in plain words.
  await row.getByTestId('credential-test').click();
  const result = row.getByTestId('credential-test-result');
  await expect(result).toHaveAttribute('data-ok', 'false');
  await expect(result).toContainText(`Jira refused the token (401). Check the email and API token of credential '${name}'.`);

  // Edit: the secret is not shown; "leave empty to keep it". Only the token is changed.
  const edit = page.getByTestId('credential-edit-dialog');
  await row.getByTestId('credential-edit').click();
  await expect(edit.getByTestId('credential-field-apiToken')).toHaveValue('');
  await expect(edit).toContainText('A value is set — leave empty to keep it.');
  await expect(edit.getByTestId('credential-field-email')).toHaveValue(EMAIL);
  await edit.getByTestId('credential-field-apiToken').fill(GOOD_TOKEN);
  await edit.getByTestId('credential-save').click();
  await expect(edit).toBeHidden();
  await row.getByTestId('credential-test').click();
  await expect(result).toHaveAttribute('data-ok', 'true');
  await expect(result).toContainText('Ada Lovelace');

  // Renaming alone keeps the token (the empty secret field is not sent as a new value).
  await row.getByTestId('credential-edit').click();
  await edit.getByTestId('credential-name').fill(`${name} (prod)`);
  await edit.getByTestId('credential-save').click();
  await expect(edit).toBeHidden();
  const renamed = page.locator(`[data-testid="credential-row"][data-name="${name} (prod)"]`);
  await renamed.getByTestId('credential-test').click();
  await expect(renamed.getByTestId('credential-test-result')).toHaveAttribute('data-ok', 'true');

  // Pick it in a JIRA step of a flow and test the step against the double.
  const { id } = await new Api(request, baseURL!).createFlow(`JIRA watch ${Date.now()}`);
  const editor = new EditorPage(page);
  await editor.open(id);
  await editor.addByClick('jira');
  await editor.select('jira_1');
  await editor.field('credential').selectOption({ label: `${name} (prod) (Jira Cloud)` });
  await page.getByTestId('inspector').getByRole('tab', { name: 'Test' }).click();
  await page.getByTestId('node-test-run').click();
  const nodeResult = page.getByTestId('node-test-result');
  await expect(nodeResult).toHaveAttribute('data-ok', 'true');
  await expect(nodeResult).toContainText('1 event');
  expect(jira.requests.some((r) => r.startsWith('GET /rest/api/3/search/jql'))).toBe(true);
});

test('deleting a credential asks first and says what happens to the steps that use it', async ({ page, request, baseURL }) => {
  const name = `Old bearer ${Date.now().toString(36)}`;
  await new Api(request, baseURL!).mutation('credentials.create', { type: 'bearer_token', name, data: { token: 'tok-0123456789' } });
  await page.goto('/settings/credentials');
  const row = page.locator(`[data-testid="credential-row"][data-name="${name}"]`);
  await expect(row).toContainText('Token: set');

  await row.getByTestId('credential-delete').click();
  const confirm = page.getByTestId('delete-credential-dialog');
  await expect(confirm).toContainText('Steps that use this credential will fail');
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await expect(row).toBeVisible();

  await row.getByTestId('credential-delete').click();
  await confirm.getByTestId('confirm-delete-credential').click();
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId('credentials-empty')).toBeVisible();
});
