import { describe, expect, it } from 'vitest';
import { findCycle, validateGraph, type FlowGraph } from './graph';

const node = (id: string, type = 'transform', options: FlowGraph['nodes'][number]['options'] = { template: {} }) => ({ id, type, options });

describe('validateGraph', () => {
  it('accepts a valid flow', () => {
    const g: FlowGraph = { nodes: [node('a', 'manual', {}), node('b')], edges: [{ source: 'a', target: 'b' }] };
    expect(validateGraph(g)).toEqual([]);
  });

  it('names the node and field of every problem', () => {
    const g = {
      nodes: [node('a', 'manual', {}), node('a'), node('x', 'nope', {}), node('h', 'http_request', { url: 'https://x', extra: 1 })],
      edges: [
        { source: 'h', target: 'h' },
        { source: 'a', target: 'missing' },
      ],
    } as FlowGraph;
    const issues = validateGraph(g);
    expect(issues.map((i) => [i.nodeId, i.field])).toEqual([
      ['a', undefined],
      ['x', 'type'],
      ['h', undefined],
      ['h', undefined],
      ['missing', undefined],
    ]);
    expect(issues[2]!.message).toMatch(/Unknown setting: extra/);
    expect(issues[3]!.message).toMatch(/cannot be connected to itself/);
  });

  it('refuses duplicate edges and edges into triggers', () => {
    const g: FlowGraph = {
      nodes: [node('a', 'manual', {}), node('b'), node('w', 'webhook', {})],
      edges: [
        { source: 'a', target: 'b' },
        { source: 'a', target: 'b' },
        { source: 'b', target: 'w' },
      ],
    };
    expect(validateGraph(g).map((i) => i.message)).toEqual([expect.stringMatching(/twice/), expect.stringMatching(/is a trigger/)]);
  });

  it('finds cycles without recursion on large graphs', () => {
    const n = 5_000;
    const nodes = Array.from({ length: n }, (_, i) => node(`n${i}`));
    const edges = nodes.slice(1).map((x, i) => ({ source: `n${i}`, target: x.id }));
    expect(findCycle({ nodes, edges })).toBeUndefined();
    const cyc = findCycle({ nodes, edges: [...edges, { source: `n${n - 1}`, target: 'n10' }] });
    expect(cyc?.[0]).toBe('n10');
    expect(cyc).toHaveLength(n - 10);
  });
});
