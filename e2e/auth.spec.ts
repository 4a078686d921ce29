import { expect, test } from './support/auth';
import { Api } from './support/api';

/**
 * Workspaces, invitations and roles, end to end: the owner (this test's fixture account) creates a
 * workspace and invites a second person as viewer; the viewer joins through the invitation link,
 * sees the workspace's flows but no controls to change them, and the API refuses them too; the
 * owner makes them a builder, and the audit log says so.
 */
test('invite a viewer, who cannot edit until the owner changes their role; the audit log shows it', async ({ page, request, baseURL, browser }) => {
  const stamp = Date.now().toString(36);
  const team = `Team ${stamp}`;
  const viewerEmail = `viewer-${stamp}@example.com`;

  // The owner creates a workspace from the switcher in the top navigation.
  await page.goto('/flows');
  await expect(async () => {
    await page.getByTestId('workspace-switcher').click();
    await expect(page.getByTestId('new-workspace')).toBeVisible({ timeout: 1000 });
  }).toPass();
  await page.getByTestId('new-workspace').click();
  const dialog = page.getByTestId('new-workspace-dialog');
  await dialog.getByLabel('Name').fill(team);
  await dialog.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByTestId('active-workspace')).toHaveText(team);

  // A flow in the new workspace, made through the API as the owner.
  const flowName = `Shared flow ${stamp}`;
  const { id: flowId } = await new Api(request, baseURL!).createFlow(flowName);

  // Invite the viewer; the link is shown once to the owner (and emailed).
  await page.goto('/settings/members');
  const invite = page.getByTestId('invite-form');
  await invite.getByLabel('Email').fill(viewerEmail);
  await invite.getByLabel('Role').selectOption('viewer');
  await invite.getByRole('button', { name: 'Send invitation' }).click();
  const link = (await page.getByTestId('invite-link').textContent())!.trim();
  expect(link).toMatch(/\/invite\/[\w-]+$/);
  await expect(page.getByTestId('invitation-row')).toContainText(viewerEmail);

  // The viewer, in a browser of their own, follows the link and creates an account.
  const viewerContext = await browser.newContext({ baseURL });
  const viewer = await viewerContext.newPage();
  await viewer.goto(new URL(link).pathname);
  await expect(viewer.getByRole('heading', { name: `Join “${team}”` })).toBeVisible();
  await viewer.getByRole('link', { name: 'Create an account to join' }).click();
  await expect(viewer.getByLabel('Email')).toHaveValue(viewerEmail);
  await viewer.getByLabel('Your name').fill('Vera Viewer');
  await viewer.getByLabel('Password').fill('viewer-password-long-enough');
  await viewer.getByRole('button', { name: 'Create account' }).click();
  await viewer.waitForURL(/\/flows$/);
  await expect(viewer.getByTestId('active-workspace')).toHaveText(team);
  await expect(viewer.getByTestId('workspace-switcher')).toContainText('Viewer');

  // The viewer sees the flow, but no controls to change anything…
  await expect(viewer.getByTestId(`flow-row-${flowId}`)).toBeVisible();
  await expect(viewer.getByTestId('new-flow')).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: `Delete ${flowName}` })).toHaveCount(0);
  await viewer.getByTestId(`flow-row-${flowId}`).getByTestId('flow-open').click();
  await expect(viewer.getByTestId('view-only')).toBeVisible();
  await expect(viewer.getByTestId('save-button')).toHaveCount(0);
  await expect(viewer.getByTestId('run-button')).toHaveCount(0);
  await expect(viewer.getByTestId('active-toggle')).toHaveCount(0);

  // …and the API refuses them as well, from their own signed-in browser.
  const refused = await viewer.evaluate(async (id) => {
    const res = await fetch('/api/trpc/flows.rename', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ json: { id, name: 'Renamed by a viewer' } }) });
    return { status: res.status, body: (await res.json()) as { error: { json: { message: string; data: { code: string } } } } };
  }, flowId);
  expect(refused.status).toBe(403);
  expect(refused.body.error.json.data.code).toBe('FORBIDDEN');
  expect(refused.body.error.json.message).toMatch(/Your role in this workspace \(Viewer\) does not allow this/);

  // The owner makes the viewer a builder.
  await page.reload();
  const row = page.getByTestId('member-row').filter({ hasText: viewerEmail });
  await expect(row).toBeVisible();
  await row.getByLabel(`Role of ${viewerEmail}`).selectOption('builder');
  await expect(page.getByText('Role changed to Builder.')).toBeVisible();

  // The audit log shows who changed what.
  await page.goto('/settings/audit');
  const entry = page.getByTestId('audit-row').filter({ hasText: 'changed a role' }).first();
  await expect(entry).toContainText(viewerEmail);
  await expect(entry).toContainText('viewer → builder');
  await expect(page.getByTestId('audit-row').filter({ hasText: 'invited a member' })).toContainText(viewerEmail);

  // The new builder now gets the controls.
  await viewer.goto('/flows');
  await expect(viewer.getByTestId('new-flow')).toBeVisible();
  await viewerContext.close();
});

test('unauthenticated visits go to sign-in, and come back after signing in', async ({ browser, baseURL, account }) => {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto('/settings/members');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fsettings%2Fmembers$/);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('form-error')).toContainText('The email or password is not right');
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/settings\/members$/);
  await expect(page.getByTestId('member-row')).toContainText(account.email);

  // Security headers: a per-request nonce CSP, no framing.
  const res = await page.request.get('/flows');
  const csp = res.headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.headers()['x-content-type-options']).toBe('nosniff');
  await context.close();
});
