import type { FlowGraph } from '../trpc/types';
import { nextNodeId } from './graph';
import { byId, edgeKey, nodeContent, noteContent, noteShape, samePosition, type GraphEdge, type GraphNode, type GraphNote } from './graph-compare';

export interface MergeConflict {
  /** The step or note both sides touched. */
  id: string;
  /** How to name it to the user: its label, else its id. */
  name: string;
  reason: string;
}

export interface MergeResult {
  /** Their latest graph with your changes applied; only meaningful when `conflicts` is empty. */
  graph: FlowGraph;
  conflicts: MergeConflict[];
  /** Steps you added under an id they also used for another step: yours got a new id. */
  renamed: Array<{ from: string; to: string }>;
  /** How many steps, notes and connections you changed since the version you loaded. */
  yourChanges: number;
}

type Change = 'none' | 'added' | 'removed' | 'content' | 'moved' | 'content+moved';

function nodeChange(base: GraphNode | undefined, side: GraphNode | undefined): Change {
  if (!base) return side ? 'added' : 'none';
  if (!side) return 'removed';
  const content = nodeContent(base) !== nodeContent(side);
  const moved = !samePosition(base.position, side.position);
  return content && moved ? 'content+moved' : content ? 'content' : moved ? 'moved' : 'none';
}

function noteChange(base: GraphNote | undefined, side: GraphNote | undefined): Change {
  if (!base) return side ? 'added' : 'none';
  if (!side) return 'removed';
  const content = noteContent(base) !== noteContent(side);
  const moved = noteShape(base) !== noteShape(side);
  return content && moved ? 'content+moved' : content ? 'content' : moved ? 'moved' : 'none';
}

const touchesContent = (c: Change) => c === 'content' || c === 'content+moved';
const touchesPlace = (c: Change) => c === 'moved' || c === 'content+moved';

/**
 * Three-way merge of a refused save: `base` is the version this editor loaded, `theirs` the latest
 * saved one, `yours` the editor's graph. Your changes are applied onto theirs unless both sides
 * changed the same step (or note) in ways that cannot both hold; those are returned as conflicts.
 * Where one side only moved a step and the other changed its settings, both are kept.
 */
export function mergeGraphs(base: FlowGraph, theirs: FlowGraph, yours: FlowGraph): MergeResult {
  const conflicts: MergeConflict[] = [];
  const renamed: Array<{ from: string; to: string }> = [];
  let yourChanges = 0;
  const B = byId(base.nodes);
  const T = byId(theirs.nodes);
  const Y = byId(yours.nodes);
  const name = (id: string) => {
    const n = Y.get(id) ?? T.get(id) ?? B.get(id);
    return n?.label ? `“${n.label}” (${id})` : id;
  };

  // Steps: start from theirs, apply yours.
  const result = new Map<string, GraphNode>(theirs.nodes.map((n) => [n.id, n]));
  const taken = new Set([...B.keys(), ...T.keys(), ...Y.keys(), ...(base.notes ?? []).map((n) => n.id), ...(theirs.notes ?? []).map((n) => n.id), ...(yours.notes ?? []).map((n) => n.id)]);
  const idMap = new Map<string, string>();
  for (const id of new Set([...B.keys(), ...Y.keys()])) {
    const b = B.get(id);
    const t = T.get(id);
    const y = Y.get(id);
    const mine = nodeChange(b, y);
    if (mine === 'none') continue;
    yourChanges++;
    const other = nodeChange(b, t);
    if (mine === 'added') {
      if (!t) result.set(id, y!);
      else if (nodeContent(t) !== nodeContent(y!)) {
        // Both added a step with the same id (e.g. both added "http_request_2"): keep both.
        const fresh = nextNodeId(y!.type, taken);
        taken.add(fresh);
        idMap.set(id, fresh);
        renamed.push({ from: id, to: fresh });
        result.set(fresh, { ...y!, id: fresh });
      }
      continue;
    }
    if (mine === 'removed') {
      if (touchesContent(other)) conflicts.push({ id, name: name(id), reason: 'You removed this step; the other save changed its settings.' });
      else result.delete(id);
      continue;
    }
    // You changed or moved an existing step.
    if (other === 'removed') {
      if (touchesContent(mine)) conflicts.push({ id, name: name(id), reason: 'You changed this step; the other save removed it.' });
      continue; // a step you only moved stays removed
    }
    if (touchesContent(mine) && touchesContent(other) && nodeContent(y!) !== nodeContent(t!)) {
      conflicts.push({ id, name: name(id), reason: 'Both of you changed this step’s settings.' });
      continue;
    }
    const content = touchesContent(mine) ? y! : t!;
    const position = touchesPlace(mine) ? y!.position : t!.position;
    result.set(id, { ...content, id, ...(position ? { position } : {}) });
  }

  // Notes: the same rules.
  const NB = byId(base.notes);
  const NT = byId(theirs.notes);
  const NY = byId(yours.notes);
  const notes = new Map<string, GraphNote>((theirs.notes ?? []).map((n) => [n.id, n]));
  for (const id of new Set([...NB.keys(), ...NY.keys()])) {
    const b = NB.get(id);
    const t = NT.get(id);
    const y = NY.get(id);
    const mine = noteChange(b, y);
    if (mine === 'none') continue;
    yourChanges++;
    const other = noteChange(b, t);
    const label = `note ${id}`;
    if (mine === 'added') {
      if (!t) notes.set(id, y!);
      else if (noteContent(t) !== noteContent(y!)) conflicts.push({ id, name: label, reason: 'You both added a note with this id.' });
      continue;
    }
    if (mine === 'removed') {
      if (touchesContent(other)) conflicts.push({ id, name: label, reason: 'You removed this note; the other save changed its text.' });
      else notes.delete(id);
      continue;
    }
    if (other === 'removed') {
      if (touchesContent(mine)) conflicts.push({ id, name: label, reason: 'You changed this note; the other save removed it.' });
      continue;
    }
    if (touchesContent(mine) && touchesContent(other) && noteContent(y!) !== noteContent(t!)) {
      conflicts.push({ id, name: label, reason: 'Both of you changed this note’s text.' });
      continue;
    }
    notes.set(id, { ...(touchesContent(mine) ? y! : t!), ...(touchesPlace(mine) ? { position: y!.position, size: y!.size } : { position: t!.position, size: t!.size }) });
  }

  // Connections: theirs, minus the ones you removed, plus the ones you added.
  const baseEdges = new Set(base.edges.map(edgeKey));
  const yourEdges = new Set(yours.edges.map(edgeKey));
  const theirEdges = new Set(theirs.edges.map(edgeKey));
  const removedByYou = new Set(base.edges.filter((e) => !yourEdges.has(edgeKey(e))).map(edgeKey));
  const edges: GraphEdge[] = theirs.edges.filter((e) => !removedByYou.has(edgeKey(e)));
  yourChanges += removedByYou.size;
  const present = new Set(edges.map(edgeKey));
  for (const e of yours.edges) {
    if (baseEdges.has(edgeKey(e))) continue;
    yourChanges++;
    const mapped = { ...e, source: idMap.get(e.source) ?? e.source, target: idMap.get(e.target) ?? e.target };
    if (present.has(edgeKey(mapped))) continue;
    present.add(edgeKey(mapped));
    edges.push(mapped);
  }
  // A connection may now lead to a step the other side removed.
  const kept: GraphEdge[] = [];
  for (const e of edges) {
    const missing = [e.source, e.target].find((id) => !result.has(id));
    if (!missing) {
      kept.push(e);
      continue;
    }
    const addedByYou = !baseEdges.has(edgeKey(e)) && !theirEdges.has(edgeKey(e));
    if (!conflicts.some((c) => c.id === missing)) {
      conflicts.push({
        id: missing,
        name: name(missing),
        reason: addedByYou ? 'You connected this step; the other save removed it.' : 'The other save connected this step; you removed it.',
      });
    }
  }

  const graph: FlowGraph = { nodes: [...result.values()], edges: kept, ...(notes.size ? { notes: [...notes.values()] } : {}) };
  return { graph, conflicts, renamed, yourChanges };
}
