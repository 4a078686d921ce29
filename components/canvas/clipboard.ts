import type { FlowGraph } from '../trpc/types';
import { nextNodeId, nextNoteId, toAgentNode, toEdge, toGraph, toNoteNode } from './graph';
import type { EditorNode, FlowEdge } from './types';

/**
 * Copy and paste use the portable flow format as text, so steps travel between flows, tabs and
 * browsers — and a pasted `.muninn.json` export works too.
 */
export const CLIPBOARD_FLOW_NAME = 'Copied steps';
/** How far each paste of the same steps moves from the previous one. */
export const PASTE_OFFSET = 40;

type Fragment = Required<Pick<FlowGraph, 'nodes' | 'edges'>> & { notes: NonNullable<FlowGraph['notes']> };

/** The selected steps and notes with the connections between them, as portable-flow JSON. */
export function copySelection(nodes: EditorNode[], edges: FlowEdge[]): string | null {
  const picked = nodes.filter((n) => n.selected);
  if (picked.length === 0) return null;
  const ids = new Set(picked.map((n) => n.id));
  const graph = toGraph(
    picked,
    edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
  );
  return JSON.stringify({ name: CLIPBOARD_FLOW_NAME, ...graph }, null, 2);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPoint = (v: unknown): v is { x: number; y: number } => isObject(v) && typeof v.x === 'number' && typeof v.y === 'number';

/**
 * Reads pasted text as a portable flow. Returns null for anything else (plain text stays plain
 * text). Only the shape is checked here; the settings are checked as usual once on the canvas.
 */
export function readFragment(text: string): Fragment | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(value) || !Array.isArray(value.nodes)) return null;
  const nodes: Fragment['nodes'] = [];
  for (const n of value.nodes) {
    if (!isObject(n) || typeof n.id !== 'string' || typeof n.type !== 'string') return null;
    nodes.push({
      id: n.id,
      type: n.type,
      ...(typeof n.label === 'string' ? { label: n.label } : {}),
      options: (isObject(n.options) ? n.options : {}) as Fragment['nodes'][number]['options'],
      ...(isPoint(n.position) ? { position: n.position } : {}),
      ...(isObject(n.retry) ? { retry: n.retry as Fragment['nodes'][number]['retry'] } : {}),
    });
  }
  const edges: Fragment['edges'] = [];
  for (const e of Array.isArray(value.edges) ? value.edges : []) {
    if (isObject(e) && typeof e.source === 'string' && typeof e.target === 'string') {
      edges.push({ source: e.source, target: e.target, ...(typeof e.sourceHandle === 'string' ? { sourceHandle: e.sourceHandle } : {}) });
    }
  }
  const notes: Fragment['notes'] = [];
  for (const n of Array.isArray(value.notes) ? value.notes : []) {
    if (isObject(n) && typeof n.id === 'string' && typeof n.text === 'string' && isPoint(n.position)) {
      const size = isObject(n.size) && typeof n.size.width === 'number' && typeof n.size.height === 'number' ? { width: n.size.width, height: n.size.height } : undefined;
      notes.push({ id: n.id, text: n.text, position: n.position, ...(size ? { size } : {}) });
    }
  }
  if (nodes.length === 0 && notes.length === 0) return null;
  return { nodes, edges, notes };
}

/**
 * The fragment as new canvas items: fresh ids (never clashing with `taken`), moved by `offset`,
 * selected; connections inside the fragment are kept, others dropped.
 */
export function instantiateFragment(
  fragment: Fragment,
  taken: ReadonlySet<string>,
  offset: { x: number; y: number },
): { nodes: EditorNode[]; edges: FlowEdge[] } {
  const used = new Set(taken);
  const idMap = new Map<string, string>();
  const nodes: EditorNode[] = [];
  fragment.nodes.forEach((n, i) => {
    const id = nextNodeId(n.type, used);
    used.add(id);
    idMap.set(n.id, id);
    const node = toAgentNode({ ...n, id }, i);
    nodes.push({ ...node, position: { x: node.position.x + offset.x, y: node.position.y + offset.y }, selected: true });
  });
  for (const note of fragment.notes) {
    const id = nextNoteId(used);
    used.add(id);
    const node = toNoteNode({ ...note, id });
    nodes.push({ ...node, position: { x: node.position.x + offset.x, y: node.position.y + offset.y }, selected: true });
  }
  const edges: FlowEdge[] = [];
  const seen = new Set<string>();
  for (const e of fragment.edges) {
    const source = idMap.get(e.source);
    const target = idMap.get(e.target);
    if (!source || !target) continue;
    const edge = { ...toEdge(source, target, e.sourceHandle), selected: true };
    if (seen.has(edge.id)) continue;
    seen.add(edge.id);
    edges.push(edge);
  }
  return { nodes, edges };
}
