import { expect, type Page } from '@playwright/test';

export class FlowsPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/flows');
    await expect(this.page.getByRole('heading', { name: 'Flows', level: 1 })).toBeVisible();
  }

  /** Creates a flow through the UI and returns its id (the editor opens). */
  async createFlow(name: string): Promise<string> {
    const input = this.page.getByTestId('flow-name-input');
    // A click that lands before React has hydrated the page does nothing; try again until the dialog opens.
    await expect(async () => {
      if (!(await input.isVisible())) await this.page.getByTestId('new-flow').click();
      await expect(input).toBeVisible({ timeout: 1000 });
    }).toPass();
    await input.fill(name);
    await this.page.getByTestId('flow-name-submit').click();
    await this.page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
    return this.page.url().split('/').pop() as string;
  }
}
