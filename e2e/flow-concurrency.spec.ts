import { expect, test } from './support/auth';
import { EditorPage } from './pages/editor-page';
import { Api } from './support/api';

/**
 * "Run at most N at a time": set in the editor's Flow settings; a run beyond the limit shows as
 * waiting its turn in the runs panel and on its own page, and starts when the run before it ends.
 * The flow holds its first run in a 10-minute Delay, so the second one has to wait.
 */
interface RunView {
  status: string;
}

test('limit runs at a time in Flow settings; a waiting run says why and starts when a slot frees', async ({ page, request, baseURL }) => {
  test.setTimeout(120_000);
  const api = new Api(request, baseURL!);
  const { id } = await api.createFlow(`Limited ${Date.now()}`);
  const node = (nid: string, type: string, options: Record<string, unknown>, x: number) => ({ id: nid, type, options, position: { x, y: 0 } });
  await api.mutation('flows.saveGraph', {
    id,
    baseVersion: 1,
    graph: {
      nodes: [node('start', 'manual', {}, 0), node('hold', 'delay', { duration: '10m' }, 320), node('done', 'transform', { template: { done: true } }, 640)],
      edges: [
        { source: 'start', target: 'hold' },
        { source: 'hold', target: 'done' },
      ],
    },
  });

  const editor = new EditorPage(page);
  await editor.open(id);
  await page.getByTestId('flow-settings-button').click();
  const dialog = page.getByTestId('flow-settings-dialog');
  await expect(dialog.getByTestId('concurrency-limit')).toHaveCount(0);
  await dialog.getByTestId('concurrency-enabled').check();
  await expect(dialog).toContainText('Run at most');
  await expect(dialog).toContainText('extra runs wait their turn');

  // A limit that makes no sense is explained, not saved.
  await dialog.getByTestId('concurrency-limit').fill('0');
  await dialog.getByTestId('concurrency-save').click();
  await expect(dialog.getByTestId('concurrency-error')).toHaveText('Enter a whole number from 1 to 1000.');
  expect((await api.query<{ maxConcurrentRuns: number | null }>('flows.get', { id })).maxConcurrentRuns).toBeNull();

  await dialog.getByTestId('concurrency-limit').fill('1');
  await dialog.getByTestId('concurrency-save').click();
  await expect(page.getByText('At most 1 run of this flow at a time.')).toBeVisible();
  await expect(dialog).toBeHidden();
  expect((await api.query<{ maxConcurrentRuns: number | null }>('flows.get', { id })).maxConcurrentRuns).toBe(1);

  const first = await api.mutation<{ runId: string }>('runs.start', { flowId: id });
  await expect.poll(async () => (await api.query<RunView>('runs.get', { id: first.runId })).status, { timeout: 30_000 }).toBe('running');
  const second = await api.mutation<{ runId: string }>('runs.start', { flowId: id });

  await page.reload();
  const row = page.getByTestId(`run-row-${second.runId}`);
  await expect(row).toContainText('Waiting its turn', { timeout: 30_000 });

  await page.goto(`/runs/${second.runId}`);
  await expect(page.getByTestId('run-status')).toHaveText('Waiting its turn', { timeout: 30_000 });
  await expect(page.getByTestId('run-waiting')).toContainText('Waiting: 1 run of this flow is already running.');

  // Cancelling the run under way frees the slot: the waiting run starts.
  await api.mutation('runs.cancel', { id: first.runId });
  await expect.poll(async () => (await api.query<RunView>('runs.get', { id: second.runId })).status, { timeout: 30_000 }).toBe('running');
  await expect(page.getByTestId('run-status')).toHaveText('Running', { timeout: 30_000 });
  await expect(page.getByTestId('run-waiting')).toHaveCount(0);
  await api.mutation('runs.cancel', { id: second.runId });
});
