import type { FlowGraph } from '../trpc/types';
import { isAgentNode, type AgentNode, type EditorNode, type FlowEdge, type NoteNode } from './types';

export const NODE_WIDTH = 224;
export const NODE_HEIGHT = 64;
export const NOTE_WIDTH = 224;
export const NOTE_HEIGHT = 140;
const COLUMN_GAP = 96;
const ROW_GAP = 48;

type GraphNode = FlowGraph['nodes'][number];
type GraphEdge = FlowGraph['edges'][number];
type GraphNote = NonNullable<FlowGraph['notes']>[number];

export function edgeId(source: string, target: string, sourceHandle?: string | null): string {
  return sourceHandle ? `${source}.${sourceHandle}->${target}` : `${source}->${target}`;
}

export function toEdge(source: string, target: string, sourceHandle?: string | null): FlowEdge {
  return sourceHandle ? { id: edgeId(source, target, sourceHandle), source, target, sourceHandle } : { id: edgeId(source, target), source, target };
}

export function toAgentNode(n: GraphNode, fallbackIndex = 0): AgentNode {
  return {
    id: n.id,
    type: 'agent',
    position: n.position ?? { x: fallbackIndex * (NODE_WIDTH + COLUMN_GAP), y: 0 },
    data: { agentType: n.type, label: n.label ?? '', options: { ...n.options }, ...(n.retry ? { retry: n.retry } : {}) },
  };
}

export function toNoteNode(n: GraphNote): NoteNode {
  return {
    id: n.id,
    type: 'note',
    position: n.position,
    width: n.size?.width ?? NOTE_WIDTH,
    height: n.size?.height ?? NOTE_HEIGHT,
    // Notes sit behind the steps they describe.
    zIndex: -1,
    data: { text: n.text },
  };
}

/** Stored graph → React Flow nodes (steps, then notes) and edges. Steps saved without a position are laid out in a row. */
export function fromGraph(graph: FlowGraph): { nodes: EditorNode[]; edges: FlowEdge[] } {
  const nodes: EditorNode[] = graph.nodes.map((n, i) => toAgentNode(n, i));
  for (const note of graph.notes ?? []) nodes.push(toNoteNode(note));
  return { nodes, edges: graph.edges.map((e) => toEdge(e.source, e.target, e.sourceHandle)) };
}

export function toGraphNode(n: AgentNode): GraphNode {
  return {
    id: n.id,
    type: n.data.agentType,
    ...(n.data.label.trim() ? { label: n.data.label.trim() } : {}),
    options: n.data.options as GraphNode['options'],
    position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
    ...(n.data.retry ? { retry: n.data.retry } : {}),
  };
}

export function toGraphNote(n: NoteNode): GraphNote {
  const width = n.width ?? n.measured?.width;
  const height = n.height ?? n.measured?.height;
  return {
    id: n.id,
    text: n.data.text,
    position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
    ...(width && height ? { size: { width: Math.round(width), height: Math.round(height) } } : {}),
  };
}

export function toGraphEdge(e: FlowEdge): GraphEdge {
  return e.sourceHandle ? { source: e.source, target: e.target, sourceHandle: e.sourceHandle } : { source: e.source, target: e.target };
}

/** React Flow state → the graph the server saves (positions rounded: sub-pixels are noise in diffs). */
export function toGraph(nodes: EditorNode[], edges: FlowEdge[]): FlowGraph {
  const graphNodes: GraphNode[] = [];
  const notes: GraphNote[] = [];
  for (const n of nodes) {
    if (isAgentNode(n)) graphNodes.push(toGraphNode(n));
    else notes.push(toGraphNote(n));
  }
  return { nodes: graphNodes, edges: edges.map(toGraphEdge), ...(notes.length ? { notes } : {}) };
}

/** Short readable ids such as `http_request_2`: letters, digits, "_" and "-" only, at most 64 characters. */
export function nextNodeId(agentType: string, taken: ReadonlySet<string>): string {
  const base = (agentType.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'node').slice(0, 56);
  for (let i = 1; ; i++) {
    const id = `${base}_${i}`;
    if (!taken.has(id)) return id;
  }
}

/** Note ids use "-" so they can never take the id an agent called "note" would get. */
export function nextNoteId(taken: ReadonlySet<string>): string {
  for (let i = 1; ; i++) {
    const id = `note-${i}`;
    if (!taken.has(id)) return id;
  }
}

/** A free spot to the right of `anchor`, moving down while another node is in the way. */
export function spotBeside(anchor: { x: number; y: number }, nodes: EditorNode[]): { x: number; y: number } {
  const spot = { x: anchor.x + NODE_WIDTH + COLUMN_GAP, y: anchor.y };
  const steps = nodes.filter(isAgentNode);
  const overlaps = () =>
    steps.some((n) => Math.abs(n.position.x - spot.x) < NODE_WIDTH && Math.abs(n.position.y - spot.y) < NODE_HEIGHT + ROW_GAP / 2);
  while (overlaps()) spot.y += NODE_HEIGHT + ROW_GAP;
  return spot;
}
