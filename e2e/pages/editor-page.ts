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

  note(id: string): Locator {
    return this.page.getByTestId(`canvas-note-${id}`);
  }

  notes(): Locator {
    return this.page.locator('[data-testid^="canvas-note-"]');
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
    // Generous: on a busy machine (or a dev server compiling), hydrating the editor can take a while.
    await expect(this.canvas).toBeVisible({ timeout: 30_000 });
    await expect(this.page.locator('[data-testid^="palette-item-"]').first()).toBeVisible();
  }

  /** HTML5 drag-and-drop from the palette to a point of the canvas (relative to its top-left corner). */
  async dragAgent(type: string, at: { x: number; y: number }) {
    await this.page.getByTestId(`palette-item-${type}`).dragTo(this.canvas, { targetPosition: at });
  }

  /** Click-to-add: the new step lands next to the selected one (wired from it) and becomes selected. */
  async addByClick(type: string) {
    const before = Number(await this.canvas.getAttribute('data-items'));
    await this.page.getByTestId(`palette-item-${type}`).click();
    await expect(this.canvas).toHaveAttribute('data-items', String(before + 1));
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

  /** Drags a node by its body by (dx, dy) screen pixels. */
  async dragNode(id: string, by: { dx: number; dy: number }) {
    const box = await this.node(id).boundingBox();
    if (!box) throw new Error(`node ${id} is not on screen`);
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(x, y);
    await this.page.mouse.down();
    await this.page.mouse.move(x + by.dx, y + by.dy, { steps: 10 });
    await this.page.mouse.up();
  }

  async select(nodeId: string) {
    await this.node(nodeId).click();
    await expect(this.page.getByTestId(`inspector-${nodeId}`)).toBeVisible();
  }

  /** Clicks empty canvas, so the keyboard shortcuts go to the editor and nothing is selected. */
  async clickEmptyCanvas() {
    const box = await this.canvas.boundingBox();
    if (!box) throw new Error('the canvas is not on screen');
    await this.page.mouse.click(box.x + box.width - 220, box.y + 60);
  }

  /** The zoom control that fits the whole flow into view. */
  async fitView() {
    await this.page.locator('.react-flow__controls-fitview').click();
    // Let the viewport settle before measuring positions.
    await this.page.waitForTimeout(300);
  }

  async save() {
    await this.page.getByTestId('save-button').click();
    await expect(this.saveState).toHaveAttribute('data-state', 'saved');
  }

  /** Waits for autosave (about 2 s after the last change) to have saved everything. */
  async autosaved() {
    await expect(this.saveState).toHaveAttribute('data-state', 'saved', { timeout: 15_000 });
  }

  async run() {
    await this.page.getByTestId('run-button').click();
  }

  async openVersions() {
    await this.page.getByTestId('versions-button').click();
    await expect(this.page.getByTestId('versions-panel')).toBeVisible();
  }

  async openTransferMenu(item: 'export-flow' | 'import-flow') {
    await this.page.getByTestId('transfer-menu').click();
    await this.page.getByTestId(item).click();
  }
}
