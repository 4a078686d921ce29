import { expect, test } from './support/auth';
import { EditorPage } from './pages/editor-page';
import { Api } from './support/api';

const at = (x: number, y: number) => ({ x, y });

test.describe('editor comforts', () => {
  test('undo and redo steps, connections and a drag; autosave saves by itself', async ({ page, request, baseURL }) => {
    const { id } = await new Api(request, baseURL!).createFlow(`Undo ${Date.now()}`);
    const editor = new EditorPage(page);
    await editor.open(id);

    await editor.addByClick('manual');
    await editor.addByClick('transform');
    await expect(editor.edge('manual_1', 'transform_1')).toBeAttached();

    // Ctrl+Z takes back the last step and its connection; Ctrl+Shift+Z puts them back.
    await editor.clickEmptyCanvas();
    await page.keyboard.press('Control+z');
    await expect(editor.nodes()).toHaveCount(1);
    await expect(editor.edges()).toHaveCount(0);
    await page.keyboard.press('Control+Shift+z');
    await expect(editor.nodes()).toHaveCount(2);
    await expect(editor.edge('manual_1', 'transform_1')).toBeAttached();

    // A whole drag is one undo step, and the buttons do the same as the keys.
    const before = await editor.node('transform_1').boundingBox();
    await editor.dragNode('transform_1', { dx: 120, dy: 90 });
    const moved = await editor.node('transform_1').boundingBox();
    expect(moved!.x - before!.x).toBeGreaterThan(60);
    await page.getByTestId('undo-button').click();
    await expect.poll(async () => Math.round((await editor.node('transform_1').boundingBox())!.x)).toBe(Math.round(before!.x));
    await page.getByTestId('redo-button').click();
    await expect.poll(async () => Math.round((await editor.node('transform_1').boundingBox())!.x)).toBe(Math.round(moved!.x));

    // No Save click: the changes are saved about two seconds after the last one.
    await editor.autosaved();
    await page.reload();
    await editor.waitUntilReady();
    await expect(editor.nodes()).toHaveCount(2);
    await expect(editor.edge('manual_1', 'transform_1')).toBeAttached();
  });

  test('copy, paste and duplicate steps — also into another flow', async ({ page, context, request, baseURL }) => {
    const api = new Api(request, baseURL!);
    const { id } = await api.createFlow(`Copy ${Date.now()}`);
    const { id: otherId } = await api.createFlow(`Paste ${Date.now()}`);
    const editor = new EditorPage(page);
    await editor.open(id);
    await editor.addByClick('manual');
    await editor.addByClick('transform');
    await editor.field('template').fill('{ "copied": true }');

    // Ctrl+click adds to the selection; Shift+drag draws a box around several steps.
    await editor.clickEmptyCanvas();
    await editor.node('manual_1').click();
    await editor.node('transform_1').click({ modifiers: ['Control'] });
    await expect(page.getByTestId('inspector')).toContainText('2 items selected');
    await editor.clickEmptyCanvas();
    await editor.fitView();
    const m = (await editor.node('manual_1').boundingBox())!;
    const t = (await editor.node('transform_1').boundingBox())!;
    await page.keyboard.down('Shift');
    await page.mouse.move(m.x - 30, Math.min(m.y, t.y) - 30);
    await page.mouse.down();
    await page.mouse.move(t.x + t.width + 30, Math.max(m.y + m.height, t.y + t.height) + 30, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await expect(page.getByTestId('inspector')).toContainText('2 items selected');

    // Copy, paste: new ids, the connection between them kept.
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect(editor.nodes()).toHaveCount(4);
    await expect(editor.edge('manual_2', 'transform_2')).toBeAttached();
    // Pasted steps land offset from the originals, so both are visible.
    const original = await editor.node('transform_1').boundingBox();
    const copy = await editor.node('transform_2').boundingBox();
    expect(Math.abs(copy!.x - original!.x) + Math.abs(copy!.y - original!.y)).toBeGreaterThan(20);

    // Duplicate the selected (pasted) pair.
    await page.keyboard.press('Control+d');
    await expect(editor.nodes()).toHaveCount(6);
    await expect(editor.edge('manual_3', 'transform_3')).toBeAttached();
    await editor.clickEmptyCanvas();
    await editor.select('transform_3');
    await expect(editor.field('template')).toHaveValue(/"copied": true/);

    // The system clipboard still holds the steps: paste them into another flow, in another tab.
    const other = await context.newPage();
    const otherEditor = new EditorPage(other);
    await otherEditor.open(otherId);
    await otherEditor.clickEmptyCanvas();
    await other.keyboard.press('Control+v');
    await expect(otherEditor.nodes()).toHaveCount(2);
    await expect(otherEditor.edge('manual_1', 'transform_1')).toBeAttached();
    await other.close();
  });

  test('tidy up lays the steps out left to right without overlaps', async ({ page, request, baseURL }) => {
    const api = new Api(request, baseURL!);
    const { id } = await api.createFlow(`Tidy ${Date.now()}`);
    // Everything piled up on one spot.
    await api.mutation('flows.saveGraph', {
      id,
      baseVersion: 1,
      graph: {
        nodes: [
          { id: 'start', type: 'manual', options: {}, position: at(0, 0) },
          { id: 'a', type: 'transform', options: { template: { a: 1 } }, position: at(10, 10) },
          { id: 'b', type: 'transform', options: { template: { b: 1 } }, position: at(20, 20) },
          { id: 'c', type: 'transform', options: { template: { c: 1 } }, position: at(30, 30) },
        ],
        edges: [
          { source: 'start', target: 'a' },
          { source: 'start', target: 'b' },
          { source: 'b', target: 'c' },
        ],
      },
    });
    const editor = new EditorPage(page);
    await editor.open(id);
    await page.getByTestId('tidy-button').click();
    await expect(editor.toast()).toContainText('Tidied up');

    const boxes = await Promise.all(['start', 'a', 'b', 'c'].map(async (n) => [n, await editor.node(n).boundingBox()] as const));
    const box = Object.fromEntries(boxes);
    expect(box.a!.x).toBeGreaterThan(box.start!.x + box.start!.width - 1);
    expect(box.c!.x).toBeGreaterThan(box.b!.x + box.b!.width - 1);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [p, q] = [boxes[i]![1]!, boxes[j]![1]!];
        const overlap = p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;
        expect(overlap, `${boxes[i]![0]} overlaps ${boxes[j]![0]}`).toBe(false);
      }
    }
  });

  test('sticky notes are saved with the flow; ? lists the shortcuts', async ({ page, request, baseURL }) => {
    const { id } = await new Api(request, baseURL!).createFlow(`Notes ${Date.now()}`);
    const editor = new EditorPage(page);
    await editor.open(id);
    await editor.addByClick('manual');
    await page.getByTestId('add-note-button').click();
    const note = editor.note('note-1');
    await expect(note).toBeVisible();
    await note.getByTestId('note-text').fill('Runs when the ops lead presses Run.');
    await editor.autosaved();

    await page.reload();
    await editor.waitUntilReady();
    await expect(editor.note('note-1').getByTestId('note-text')).toHaveValue('Runs when the ops lead presses Run.');

    await editor.clickEmptyCanvas();
    await page.keyboard.press('?');
    const help = page.getByTestId('shortcuts-dialog');
    await expect(help).toBeVisible();
    await expect(help).toContainText('Undo');
    await expect(help).toContainText('Ctrl + D');
  });
});
