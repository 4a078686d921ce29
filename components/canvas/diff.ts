import type { FlowGraph } from '../trpc/types';
import { byId, changedParts, edgeKey, noteContent, samePosition, type GraphEdge, type GraphNode, type GraphNote } from './graph-compare';

export type DiffStatus = 'added' | 'removed' | 'changed' | 'unchanged';

export interface NodeDiff {
  id: string;
  status: DiffStatus;
  /** The newer version of the step, or the older one for a removed step. */
  node: GraphNode;
  /** What changed, in words (for changed steps). */
  changes: string[];
  moved: boolean;
}

export interface EdgeDiff {
  key: string;
  status: Exclude<DiffStatus, 'changed'>;
  edge: GraphEdge;
}

export interface NoteDiff {
  id: string;
  status: DiffStatus;
  note: GraphNote;
}

export interface GraphDiff {
  nodes: NodeDiff[];
  edges: EdgeDiff[];
  notes: NoteDiff[];
  counts: { added: number; removed: number; changed: number; connectionsAdded: number; connectionsRemoved: number };
}

/** What changed from `older` to `newer`, step by step; removed steps keep their old place. */
export function diffGraphs(older: FlowGraph, newer: FlowGraph): GraphDiff {
  const before = byId(older.nodes);
  const after = byId(newer.nodes);
  const nodes: NodeDiff[] = [];
  for (const n of newer.nodes) {
    const old = before.get(n.id);
    if (!old) {
      nodes.push({ id: n.id, status: 'added', node: n, changes: [], moved: false });
      continue;
    }
    const changes = changedParts(old, n);
    nodes.push({ id: n.id, status: changes.length ? 'changed' : 'unchanged', node: n, changes, moved: !samePosition(old.position, n.position) });
  }
  for (const n of older.nodes) if (!after.has(n.id)) nodes.push({ id: n.id, status: 'removed', node: n, changes: [], moved: false });

  const oldEdges = new Set(older.edges.map(edgeKey));
  const newEdges = new Set(newer.edges.map(edgeKey));
  const edges: EdgeDiff[] = [
    ...newer.edges.map((e) => ({ key: edgeKey(e), edge: e, status: oldEdges.has(edgeKey(e)) ? ('unchanged' as const) : ('added' as const) })),
    ...older.edges.filter((e) => !newEdges.has(edgeKey(e))).map((e) => ({ key: edgeKey(e), edge: e, status: 'removed' as const })),
  ];

  const oldNotes = byId(older.notes);
  const newNotes = byId(newer.notes);
  const notes: NoteDiff[] = [
    ...(newer.notes ?? []).map((n) => {
      const old = oldNotes.get(n.id);
      const status: DiffStatus = !old ? 'added' : noteContent(old) !== noteContent(n) ? 'changed' : 'unchanged';
      return { id: n.id, note: n, status };
    }),
    ...(older.notes ?? []).filter((n) => !newNotes.has(n.id)).map((n) => ({ id: n.id, note: n, status: 'removed' as const })),
  ];

  const count = (s: DiffStatus) => nodes.filter((n) => n.status === s).length;
  return {
    nodes,
    edges,
    notes,
    counts: {
      added: count('added'),
      removed: count('removed'),
      changed: count('changed'),
      connectionsAdded: edges.filter((e) => e.status === 'added').length,
      connectionsRemoved: edges.filter((e) => e.status === 'removed').length,
    },
  };
}
