import dagre from '@dagrejs/dagre';
import { NODE_HEIGHT, NODE_WIDTH } from './graph';
import { isAgentNode, type EditorNode, type FlowEdge } from './types';

/** Space between columns (ranks) and between steps in a column; room for a step's problem badge. */
const RANK_GAP = 96;
const NODE_GAP = 56;
/** Above this many steps, tidying up takes long enough to say so first (and uses the faster ranker). */
export const BIG_LAYOUT = 150;

/**
 * "Tidy up": lays the steps out left to right along their connections (dagre). Notes keep their
 * place. The laid-out flow starts where the old one did, so the canvas does not jump away.
 * Returns the new position of every step that moved.
 */
export function autoLayout(nodes: EditorNode[], edges: FlowEdge[]): Map<string, { x: number; y: number }> {
  const steps = nodes.filter(isAgentNode);
  const moved = new Map<string, { x: number; y: number }>();
  if (steps.length === 0) return moved;

  const g = new dagre.graphlib.Graph();
  // The default ranker (network simplex) gives the shortest connections but takes seconds on
  // 1,000 steps; tight-tree is about four times faster there, and nearly as tidy.
  g.setGraph({ rankdir: 'LR', ranksep: RANK_GAP, nodesep: NODE_GAP, marginx: 0, marginy: 0, ...(steps.length > BIG_LAYOUT ? { ranker: 'tight-tree' } : {}) });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set<string>();
  for (const n of steps) {
    ids.add(n.id);
    g.setNode(n.id, { width: n.measured?.width ?? NODE_WIDTH, height: n.measured?.height ?? NODE_HEIGHT });
  }
  for (const e of edges) if (ids.has(e.source) && ids.has(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);

  const origin = { x: Math.min(...steps.map((n) => n.position.x)), y: Math.min(...steps.map((n) => n.position.y)) };
  const laidOut = steps.map((n) => {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number };
    // dagre gives centres; React Flow positions are top-left corners.
    return { id: n.id, x: p.x - p.width / 2, y: p.y - p.height / 2 };
  });
  const minX = Math.min(...laidOut.map((p) => p.x));
  const minY = Math.min(...laidOut.map((p) => p.y));
  laidOut.forEach((p, i) => {
    const next = { x: Math.round(p.x - minX + origin.x), y: Math.round(p.y - minY + origin.y) };
    const { position } = steps[i]!;
    if (position.x !== next.x || position.y !== next.y) moved.set(p.id, next);
  });
  return moved;
}
