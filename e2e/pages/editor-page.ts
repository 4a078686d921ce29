import { expect, type Locator, type Page } from '@playwright/test';

/** The flow editor, addressed through data-testids only. */
export class EditorPage {
  readonly canvas: Locator;
  readonly saveState: Locator;

  constructor(readonly page: Page) {
    this.canvas = page.getByTestId('canvas');
    this.saveState = page.getByTestId('save-state');
  }

  node(id: string): Locator {
    return this.page.getByTestId(`canvas-node-${id}`);
  }

  nodes(): Locator {
    return this.page.locator('[data-testid^="canvas-node-"]');
  }

  edge(source: string, target: string): Locator {
    return this.page.getByTestId(`rf__edge-${source}->${target}`);
  }

  edges(): Locator {
    return this.page.locator('[data-testid^="rf__edge-"]');
  }

  field(path: string): Locator {
    return this.page.getByTestId('inspector').getByTestId(`field-${path}`);
  }

  toast(): Locator {
    return this.page.getByTestId('toast').last();
  }

  async open(flowId: string) {
    await this.page.goto(`/flows/${flowId}`);
    await this.waitUntilReady();
  }

  async waitUntilReady() {
    await expect(this.canvas).toBeVisible();
    await expect(this.page.locator('[data-testid^="palette-item-"]').first()).toBeVisible();
  }

  /** HTML5 drag-and-drop from the palette to a point of the canvas (relative to its top-left corner). */
  async dragAgent(type: string, at: { x: number; y: number }) {
    await this.page.getByTestId(`palette-item-${type}`).dragTo(this.canvas, { targetPosition: at });
  }

  /** Click-to-add: the new step lands next to the selected one (wired from it) and becomes selected. */
  async addByClick(type: string) {
    const before = await this.nodes().count();
    await this.page.getByTestId(`palette-item-${type}`).click();
    await expect(this.nodes()).toHaveCount(before + 1);
  }

  /** Drags a connection from one node's output handle to another's input handle, as a person would. */
  async connect(source: string, target: string) {
    await this.dragConnection(source, target);
    await expect(this.edge(source, target)).toBeAttached();
  }

  async dragConnection(source: string, target: string) {
    const from = await this.page.getByTestId(`handle-source-${source}`).boundingBox();
    const to = await this.page.getByTestId(`handle-target-${target}`).boundingBox();
    if (!from || !to) throw new Error(`handles of ${source} → ${target} are not on screen`);
    await this.page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
    await this.page.mouse.up();
  }

  async select(nodeId: string) {
    await this.node(nodeId).click();
    await expect(this.page.getByTestId(`inspector-${nodeId}`)).toBeVisible();
  }

  async save() {
    await this.page.getByTestId('save-button').click();
    await expect(this.saveState).toHaveAttribute('data-state', 'saved');
  }

  async run() {
    await this.page.getByTestId('run-button').click();
  }
}
