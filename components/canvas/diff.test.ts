import { describe, expect, it } from 'vitest';
import type { FlowGraph } from '../trpc/types';
import { diffGraphs } from './diff';

describe('diffGraphs', () => {
  it('marks added, removed, changed and unchanged steps and connections', () => {
    const older: FlowGraph = {
      nodes: [
        { id: 'start', type: 'manual', options: {}, position: { x: 0, y: 0 } },
        { id: 'a', type: 'transform', options: { template: { b: 1, a: 2 } }, position: { x: 300, y: 0 } },
        { id: 'gone', type: 'transform', options: {}, position: { x: 600, y: 0 } },
      ],
      edges: [
        { source: 'start', target: 'a' },
        { source: 'a', target: 'gone' },
      ],
    };
    const newer: FlowGraph = {
      nodes: [
        // Same options in another key order, moved: not a change of what the step does.
        { id: 'start', type: 'manual', options: {}, position: { x: 10, y: 0 } },
        { id: 'a', type: 'transform', label: 'Shape', options: { template: { a: 2, b: 1 } }, position: { x: 300, y: 0 } },
        { id: 'new', type: 'http_request', options: { url: 'https://example.com' }, position: { x: 600, y: 0 } },
      ],
      edges: [
        { source: 'start', target: 'a' },
        { source: 'a', target: 'new' },
      ],
    };
    const d = diffGraphs(older, newer);
    const status = Object.fromEntries(d.nodes.map((n) => [n.id, n.status]));
    expect(status).toEqual({ start: 'unchanged', a: 'changed', new: 'added', gone: 'removed' });
    expect(d.nodes.find((n) => n.id === 'a')?.changes).toEqual(['label']);
    expect(d.nodes.find((n) => n.id === 'start')?.moved).toBe(true);
    expect(d.counts).toEqual({ added: 1, removed: 1, changed: 1, connectionsAdded: 1, connectionsRemoved: 1 });
  });
});
