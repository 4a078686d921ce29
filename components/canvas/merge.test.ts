import { describe, expect, it } from 'vitest';
import type { FlowGraph } from '../trpc/types';
import { mergeGraphs } from './merge';

const node = (id: string, options: Record<string, unknown> = {}, position = { x: 0, y: 0 }, type = 'transform') => ({ id, type, options, position }) as FlowGraph['nodes'][number];
const base: FlowGraph = {
  nodes: [node('start', {}, { x: 0, y: 0 }, 'manual'), node('a', { template: { v: 1 } }, { x: 300, y: 0 }), node('b', { template: { v: 2 } }, { x: 600, y: 0 })],
  edges: [
    { source: 'start', target: 'a' },
    { source: 'a', target: 'b' },
  ],
};

describe('mergeGraphs', () => {
  it('applies your changes onto theirs when they touch different steps', () => {
    const theirs: FlowGraph = { ...base, nodes: base.nodes.map((n) => (n.id === 'b' ? { ...n, label: 'Their label' } : n)) };
    const yours: FlowGraph = {
      nodes: [...base.nodes.map((n) => (n.id === 'a' ? { ...n, options: { template: { v: 10 } } } : n)), node('c', {}, { x: 900, y: 0 })],
      edges: [...base.edges, { source: 'b', target: 'c' }],
    };
    const r = mergeGraphs(base, theirs, yours);
    expect(r.conflicts).toEqual([]);
    const byId = new Map(r.graph.nodes.map((n) => [n.id, n]));
    expect(byId.get('a')?.options).toEqual({ template: { v: 10 } });
    expect(byId.get('b')?.label).toBe('Their label');
    expect(byId.has('c')).toBe(true);
    expect(r.graph.edges).toContainEqual({ source: 'b', target: 'c' });
    expect(r.yourChanges).toBe(3);
  });

  it('names the steps both sides changed', () => {
    const theirs: FlowGraph = { ...base, nodes: base.nodes.map((n) => (n.id === 'a' ? { ...n, options: { template: { v: 'theirs' } } } : n)) };
    const yours: FlowGraph = { ...base, nodes: base.nodes.map((n) => (n.id === 'a' ? { ...n, options: { template: { v: 'yours' } } } : n)) };
    const r = mergeGraphs(base, theirs, yours);
    expect(r.conflicts.map((c) => c.id)).toEqual(['a']);
  });

  it('keeps settings from one side and the position from the other', () => {
    const theirs: FlowGraph = { ...base, nodes: base.nodes.map((n) => (n.id === 'a' ? { ...n, position: { x: 999, y: 999 } } : n)) };
    const yours: FlowGraph = { ...base, nodes: base.nodes.map((n) => (n.id === 'a' ? { ...n, label: 'Mine' } : n)) };
    const r = mergeGraphs(base, theirs, yours);
    expect(r.conflicts).toEqual([]);
    expect(r.graph.nodes.find((n) => n.id === 'a')).toMatchObject({ label: 'Mine', position: { x: 999, y: 999 } });
  });

  it('gives your new step a fresh id when they added a different step under the same id', () => {
    const theirs: FlowGraph = { ...base, nodes: [...base.nodes, node('transform_1', { template: { who: 'them' } })] };
    const yours: FlowGraph = { nodes: [...base.nodes, node('transform_1', { template: { who: 'me' } })], edges: [...base.edges, { source: 'b', target: 'transform_1' }] };
    const r = mergeGraphs(base, theirs, yours);
    expect(r.conflicts).toEqual([]);
    expect(r.renamed).toEqual([{ from: 'transform_1', to: 'transform_2' }]);
    expect(r.graph.nodes.map((n) => n.id)).toEqual(['start', 'a', 'b', 'transform_1', 'transform_2']);
    expect(r.graph.edges).toContainEqual({ source: 'b', target: 'transform_2' });
  });

  it('refuses to connect to a step the other side removed', () => {
    const theirs: FlowGraph = { nodes: base.nodes.filter((n) => n.id !== 'b'), edges: [{ source: 'start', target: 'a' }] };
    const yours: FlowGraph = { nodes: [...base.nodes, node('c')], edges: [...base.edges, { source: 'b', target: 'c' }] };
    const r = mergeGraphs(base, theirs, yours);
    expect(r.conflicts.map((c) => c.id)).toEqual(['b']);
  });

  it('removes what you removed, unless they changed it', () => {
    const yours: FlowGraph = { nodes: base.nodes.filter((n) => n.id !== 'b'), edges: [{ source: 'start', target: 'a' }] };
    expect(mergeGraphs(base, base, yours).graph.nodes.map((n) => n.id)).toEqual(['start', 'a']);
    const theirs: FlowGraph = { ...base, nodes: base.nodes.map((n) => (n.id === 'b' ? { ...n, label: 'edited' } : n)) };
    expect(mergeGraphs(base, theirs, yours).conflicts.map((c) => c.id)).toEqual(['b']);
  });

  it('merges notes like steps', () => {
    const withNote: FlowGraph = { ...base, notes: [{ id: 'note-1', text: 'hello', position: { x: 0, y: 200 } }] };
    const theirs: FlowGraph = { ...withNote, notes: [{ id: 'note-1', text: 'hello', position: { x: 50, y: 250 } }] };
    const yours: FlowGraph = { ...withNote, notes: [{ id: 'note-1', text: 'hello there', position: { x: 0, y: 200 } }] };
    const r = mergeGraphs(withNote, theirs, yours);
    expect(r.conflicts).toEqual([]);
    expect(r.graph.notes).toEqual([{ id: 'note-1', text: 'hello there', position: { x: 50, y: 250 } }]);
  });
});
