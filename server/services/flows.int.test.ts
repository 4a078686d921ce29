import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-db';
import { setDb } from '../db';
import { appError } from '@/server/testing/app-error';
import { forgetDefaultWorkspace, defaultWorkspaceId } from './workspaces';
import { createFlow, exportFlow, getFlow, importFlow, saveFlowGraph, listFlows } from './flows';

let tdb: TestDatabase;
let ws: string;

beforeAll(async () => {
  tdb = await createTestDatabase('flows');
  setDb(tdb.db);
  forgetDefaultWorkspace();
  ws = await defaultWorkspaceId();
});
afterAll(async () => {
  await tdb.drop();
});

const graph = {
  nodes: [
    { id: 'start', type: 'manual', options: {}, position: { x: 0, y: 0 } },
    { id: 'shape', type: 'transform', label: 'Shape', options: { template: { a: '{{ x }}' } }, position: { x: 200, y: 0 } },
  ],
  edges: [{ source: 'start', target: 'shape' }],
};

describe('saveFlowGraph', () => {
  it('saves with the current version and refuses a stale one without overwriting', async () => {
    const { id, version } = await createFlow(ws, { name: 'Versioned' });
    expect(version).toBe(1);
    const first = await saveFlowGraph(ws, { id, baseVersion: 1, graph });
    expect(first.version).toBe(2);

    // A second tab still on version 1 tries to save something else.
    const other = { nodes: [{ id: 'only', type: 'manual', options: {} }], edges: [] };
    const err = await appError(saveFlowGraph(ws, { id, baseVersion: 1, graph: other }));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/changed elsewhere/);

    const stored = await getFlow(ws, id, 'http://x');
    expect(stored.version).toBe(2);
    expect(stored.graph.nodes.map((n) => n.id)).toEqual(['start', 'shape']);
    const versions = await tdb.db.flowVersion.findMany({ where: { flowId: id }, orderBy: { version: 'asc' } });
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[1]!.summary).toMatch(/2 nodes added/);
  });

  it('refuses invalid graphs with messages naming node and field', async () => {
    const { id } = await createFlow(ws, { name: 'Invalid' });
    const cases: Array<[unknown, RegExp, string | undefined, string | undefined]> = [
      [{ nodes: [{ id: 'a', type: 'teleport', options: {} }], edges: [] }, /"teleport" is not a known agent type/, 'a', 'type'],
      [{ nodes: [{ id: 'a', type: 'manual', options: {} }], edges: [{ source: 'a', target: 'ghost' }] }, /"ghost", which does not exist/, 'ghost', undefined],
      [
        { nodes: [{ id: 'h', type: 'http_request', options: { method: 'FETCH', url: 'https://x' } }], edges: [] },
        /Node "h", setting "method"/,
        'h',
        'method',
      ],
      [{ nodes: [{ id: 'h', type: 'http_request', options: {} }], edges: [] }, /setting "url"/, 'h', 'url'],
      [
        { nodes: [{ id: 'a', type: 'manual', options: {} }, { id: 'b', type: 'webhook', options: {} }], edges: [{ source: 'a', target: 'b' }] },
        /is a trigger .* cannot receive/,
        'b',
        undefined,
      ],
      [
        {
          nodes: [
            { id: 'a', type: 'transform', options: { template: {} } },
            { id: 'b', type: 'transform', options: { template: {} } },
          ],
          edges: [{ source: 'a', target: 'b' }, { source: 'b', target: 'a' }],
        },
        /form a loop/,
        'a',
        undefined,
      ],
    ];
    for (const [bad, message, nodeId, field] of cases) {
      const err = await appError(saveFlowGraph(ws, { id, baseVersion: 1, graph: bad }));
      expect(err.code).toBe('VALIDATION');
      expect(err.issues.map((i) => i.message).join('\n')).toMatch(message);
      expect(err.issues[0]!.nodeId).toBe(nodeId);
      expect(err.issues[0]!.field).toBe(field);
    }
    // Nothing was saved by any of the refused attempts.
    expect((await getFlow(ws, id, 'http://x')).version).toBe(1);
  });
});

describe('import and export', () => {
  it('round-trips the portable format', async () => {
    const { id } = await importFlow(ws, { name: 'Imported', ...graph });
    const exported = await exportFlow(ws, id);
    expect(exported).toEqual({ name: 'Imported', ...graph });
    expect((await listFlows(ws)).find((f) => f.id === id)?.nodeCount).toBe(2);
  });

  it('refuses a flow without a name or with bad nodes', async () => {
    const err = await appError(importFlow(ws, { nodes: 'nope', edges: [] }));
    expect(err.code).toBe('VALIDATION');
    expect(err.issues.map((i) => i.field)).toEqual(expect.arrayContaining(['name', 'nodes']));
  });

  it('keeps a webhook node address stable across saves', async () => {
    const wgraph = { nodes: [{ id: 'hook', type: 'webhook', options: {} }], edges: [] };
    const { id } = await createFlow(ws, { name: 'Hooked', graph: wgraph });
    const before = (await getFlow(ws, id, 'http://h')).webhooks;
    expect(before).toHaveLength(1);
    await saveFlowGraph(ws, { id, baseVersion: 1, graph: { ...wgraph, nodes: [{ ...wgraph.nodes[0]!, label: 'Renamed' }] } });
    const after = (await getFlow(ws, id, 'http://h')).webhooks;
    expect(after).toEqual(before);
    await saveFlowGraph(ws, { id, baseVersion: 2, graph: { nodes: [], edges: [] } });
    expect((await getFlow(ws, id, 'http://h')).webhooks).toEqual([]);
  });

  it('does not show one workspace the flows of another', async () => {
    const other = await tdb.db.workspace.create({ data: { name: 'Other', slug: 'other' } });
    const { id } = await createFlow(ws, { name: 'Mine' });
    const err = await appError(getFlow(other.id, id, 'http://x'));
    expect(err.code).toBe('NOT_FOUND');
    expect((await listFlows(other.id)).length).toBe(0);
  });
});
