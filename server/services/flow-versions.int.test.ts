import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-db';
import { setDb } from '../db';
import { AppError } from '../errors';
import { forgetDefaultWorkspace, defaultWorkspaceId } from './workspaces';
import { checkPortableFlow, createFlow, exportFlow, getFlowVersion, importFlow, listFlowVersions, saveFlowGraph } from './flows';

let tdb: TestDatabase;
let ws: string;

beforeAll(async () => {
  tdb = await createTestDatabase('flow_versions');
  setDb(tdb.db);
  forgetDefaultWorkspace();
  ws = await defaultWorkspaceId();
});
afterAll(async () => {
  await tdb.drop();
});

const start = { id: 'start', type: 'manual', options: {}, position: { x: 0, y: 0 } };
const note = { id: 'note-1', text: 'Runs every morning', position: { x: 0, y: 200 }, size: { width: 220, height: 120 } };

describe('flow versions', () => {
  it('lists every save newest first and returns one version with its graph, in the workspace only', async () => {
    const { id } = await createFlow(ws, { name: 'Versions' });
    await saveFlowGraph(ws, { id, baseVersion: 1, graph: { nodes: [start], edges: [] } }, 'ada@example.com');
    await saveFlowGraph(ws, { id, baseVersion: 2, graph: { nodes: [], edges: [] }, restoredFrom: 1 }, 'ada@example.com');

    const { items, total } = await listFlowVersions(ws, id);
    expect(total).toBe(3);
    expect(items.map((v) => [v.version, v.summary, v.nodeCount])).toEqual([
      [3, 'Restored version 1', 0],
      [2, '1 node added', 1],
      [1, 'Created', 0],
    ]);
    expect(items[0]?.createdBy).toBe('ada@example.com');

    const two = await getFlowVersion(ws, id, 2);
    expect(two.graph.nodes.map((n) => n.id)).toEqual(['start']);

    const elsewhere = '00000000-0000-4000-8000-000000000000';
    await expect(listFlowVersions(elsewhere, id)).rejects.toBeInstanceOf(AppError);
    await expect(getFlowVersion(elsewhere, id, 2)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(getFlowVersion(ws, id, 99)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps sticky notes through save, export and import, and refuses a note that shares a step id', async () => {
    const { id } = await createFlow(ws, { name: 'Notes' });
    await saveFlowGraph(ws, { id, baseVersion: 1, graph: { nodes: [start], edges: [], notes: [note] } });
    const exported = await exportFlow(ws, id);
    expect(exported.notes).toEqual([note]);
    const copy = await importFlow(ws, exported);
    expect((await exportFlow(ws, copy.id)).notes).toEqual([note]);
    // Graphs from before notes existed stay valid.
    expect(checkPortableFlow({ name: 'Old', nodes: [start], edges: [] }).graph.notes).toBeUndefined();
    await expect(saveFlowGraph(ws, { id, baseVersion: 2, graph: { nodes: [start], edges: [], notes: [{ ...note, id: 'start' }] } })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('checks an import the way save does, with issues per node and field', () => {
    let error: unknown;
    try {
      checkPortableFlow({ name: 'Bad', nodes: [{ id: 'call', type: 'http_request', options: { url: '' } }], edges: [] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).issues[0]).toMatchObject({ nodeId: 'call' });
  });
});
