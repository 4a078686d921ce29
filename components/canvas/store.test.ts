import { describe, expect, it } from 'vitest';
import type { AgentInfo, FlowGraph } from '../trpc/types';
import { copySelection } from './clipboard';
import { NODE_HEIGHT, NODE_WIDTH, toGraph } from './graph';
import { createEditorStore } from './store';

const agent = (type: string, receives = true) =>
  ({ type, name: type, category: 'Code', icon: '', summary: '', description: '', exampleEvent: {}, defaultOptions: {}, capabilities: { receives, dryRun: true }, optionsSchema: {} }) as AgentInfo;
const catalog = [agent('manual', false), agent('transform'), agent('http_request')];

function editor(graph: FlowGraph = { nodes: [], edges: [] }) {
  return createEditorStore({ flowId: 'f', version: 1, graph, catalog });
}

describe('editor store history', () => {
  it('undoes and redoes adding steps and connections', () => {
    const store = editor();
    const s = () => store.getState();
    s().addNode('manual');
    s().addNode('transform');
    expect(s().edges.map((e) => e.id)).toEqual(['manual_1->transform_1']);
    expect(s().undo()).toBe(true);
    expect(s().nodes.map((n) => n.id)).toEqual(['manual_1']);
    expect(s().edges).toEqual([]);
    expect(s().redo()).toBe(true);
    expect(s().nodes.map((n) => n.id)).toEqual(['manual_1', 'transform_1']);
    expect(s().edges).toHaveLength(1);
    // A new change after an undo drops the redo stack.
    s().undo();
    s().addNode('http_request');
    expect(s().redo()).toBe(false);
  });

  it('records a whole drag as one undo step', () => {
    const store = editor({ nodes: [{ id: 'a', type: 'transform', options: {}, position: { x: 0, y: 0 } }], edges: [] });
    const s = () => store.getState();
    for (let x = 1; x <= 5; x++) s().onNodesChange([{ type: 'position', id: 'a', position: { x: x * 10, y: 0 }, dragging: true }]);
    s().onNodesChange([{ type: 'position', id: 'a', position: { x: 60, y: 0 }, dragging: false }]);
    expect(s().nodes[0]?.position).toEqual({ x: 60, y: 0 });
    expect(s().past).toHaveLength(1);
    s().undo();
    expect(s().nodes[0]?.position).toEqual({ x: 0, y: 0 });
    expect(s().revision).not.toBe(s().savedRevision);
  });

  it('records removing a step and its connections as one undo step', () => {
    const store = editor({
      nodes: [
        { id: 'a', type: 'manual', options: {}, position: { x: 0, y: 0 } },
        { id: 'b', type: 'transform', options: {}, position: { x: 300, y: 0 } },
      ],
      edges: [{ source: 'a', target: 'b' }],
    });
    const s = () => store.getState();
    s().onNodesChange([{ type: 'remove', id: 'b' }]);
    s().onEdgesChange([{ type: 'remove', id: 'a->b' }]);
    expect(s().past).toHaveLength(1);
    s().undo();
    expect(s().nodes).toHaveLength(2);
    expect(s().edges).toHaveLength(1);
  });

  it('coalesces typing into one field', () => {
    const store = editor({ nodes: [{ id: 'a', type: 'transform', options: {}, position: { x: 0, y: 0 } }], edges: [] });
    const s = () => store.getState();
    for (const label of ['H', 'He', 'Hel', 'Hello']) s().updateNodeData('a', { label });
    expect(s().past).toHaveLength(1);
    s().undo();
    expect(toGraph(s().nodes, s().edges).nodes[0]?.label).toBeUndefined();
  });
});

describe('copy, paste and tidy up', () => {
  it('pastes copied steps with new ids, offset, and their connections', () => {
    const store = editor({
      nodes: [
        { id: 'manual_1', type: 'manual', options: {}, position: { x: 0, y: 0 } },
        { id: 'transform_1', type: 'transform', options: { template: { x: 1 } }, position: { x: 300, y: 0 } },
      ],
      edges: [{ source: 'manual_1', target: 'transform_1' }],
      notes: [{ id: 'note-1', text: 'Why', position: { x: 0, y: 200 } }],
    });
    const s = () => store.getState();
    s().selectAll();
    const text = copySelection(s().nodes, s().edges)!;
    const ids = s().paste(text, { x: 40, y: 40 });
    expect(ids).toEqual(['manual_2', 'transform_2', 'note-2']);
    const pasted = s().nodes.filter((n) => ids!.includes(n.id));
    expect(pasted.every((n) => n.selected)).toBe(true);
    expect(pasted.find((n) => n.id === 'transform_2')?.position).toEqual({ x: 340, y: 40 });
    expect(s().edges.map((e) => e.id)).toEqual(['manual_1->transform_1', 'manual_2->transform_2']);
    expect(s().paste('just some text', { x: 0, y: 0 })).toBeNull();
  });

  it('lays steps out left to right without overlaps', () => {
    const at = { x: 0, y: 0 };
    const store = editor({
      nodes: ['a', 'b', 'c', 'd'].map((id) => ({ id, type: 'transform', options: {}, position: at })),
      edges: [
        { source: 'a', target: 'b' },
        { source: 'a', target: 'c' },
        { source: 'c', target: 'd' },
      ],
    });
    expect(store.getState().tidyUp()).toBeGreaterThan(0);
    const pos = Object.fromEntries(store.getState().nodes.map((n) => [n.id, n.position]));
    expect(pos.b!.x).toBeGreaterThan(pos.a!.x);
    expect(pos.d!.x).toBeGreaterThan(pos.c!.x);
    const boxes = Object.values(pos);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const overlap = Math.abs(boxes[i]!.x - boxes[j]!.x) < NODE_WIDTH && Math.abs(boxes[i]!.y - boxes[j]!.y) < NODE_HEIGHT;
        expect(overlap).toBe(false);
      }
  });
});
