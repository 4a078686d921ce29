import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange, type XYPosition } from '@xyflow/react';
import { createStore } from 'zustand/vanilla';
import type { FieldIssue } from '../trpc/errors';
import type { AgentInfo, FlowGraph } from '../trpc/types';
import { instantiateFragment, readFragment } from './clipboard';
import { refuseConnection } from './connection-rules';
import { fromGraph, nextNodeId, nextNoteId, NOTE_HEIGHT, NOTE_WIDTH, spotBeside, toEdge } from './graph';
import { autoLayout } from './layout';
import type { NodeRunState } from './run-state';
import { isAgentNode, type AgentNode, type AgentNodeData, type EditorNode, type FlowEdge, type NoteNode } from './types';

/** One undo step: the canvas as it was. Node objects are immutable, so a snapshot costs two references. */
interface Snapshot {
  nodes: EditorNode[];
  edges: FlowEdge[];
}

const HISTORY_LIMIT = 100;
/** Typing into one field, or nudging with the arrow keys, within this long is one undo step. */
const COALESCE_MS = 1_000;

export type InspectorTab = 'settings' | 'test' | 'last-run';

export interface EditorState {
  flowId: string;
  catalog: ReadonlyMap<string, AgentInfo>;
  nodes: EditorNode[];
  edges: FlowEdge[];
  /** The flow version this editor's graph is based on; sent with every save. */
  baseVersion: number;
  /** Bumped by every change that would be saved; `savedRevision` is the one last saved. */
  revision: number;
  savedRevision: number;
  saving: boolean;
  /** The conflict dialog is open. */
  conflict: boolean;
  /**
   * A save was refused because someone else saved first, and it is not resolved yet: autosave
   * waits, so it never keeps knocking on a version that has moved on.
   */
  stale: boolean;
  /** Problems the server reported on the last save, by node and field. */
  serverIssues: FieldIssue[];
  /** Text typed into JSON fields that does not parse yet, keyed by `nodeId path`. Blocks saving. */
  jsonDrafts: Record<string, JsonDraft>;
  webhooks: Record<string, string>;
  /** Each node's part in the flow's latest run, for the dots and counts on the canvas. */
  runState: Record<string, NodeRunState>;
  /** The latest run is still going: edges into working steps animate. */
  runActive: boolean;
  /** The inspector tab chosen for a step; any other step opens on its settings. */
  inspectorTab: { nodeId: string | null; tab: InspectorTab };

  past: Snapshot[];
  future: Snapshot[];
  /** The last change that may absorb the next one into the same undo step. */
  lastCoalesce: { key: string; at: number } | null;
  /** A node drag is under way: its many position changes are one undo step. */
  dragging: boolean;

  onNodesChange: (changes: NodeChange<EditorNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<FlowEdge>[]) => void;
  /** Adds the edge, or returns why it is refused. */
  connect: (connection: Connection) => string | null;
  /** Adds a node of `agentType` at `position`, or beside the selected node and wired from it. Returns its id. */
  addNode: (agentType: string, position?: XYPosition) => string;
  addNote: (position: XYPosition) => string;
  updateNodeData: (id: string, patch: Partial<AgentNodeData>) => void;
  updateNoteText: (id: string, text: string) => void;
  selectNode: (id: string | null) => void;
  selectAll: () => void;
  /** Selects a step and shows what it did in the latest run. */
  showRunOf: (id: string) => void;
  setInspectorTab: (nodeId: string, tab: InspectorTab) => void;
  /** Puts back nodes and edges (undo of a deletion from its toast). */
  restore: (nodes: EditorNode[], edges: FlowEdge[]) => void;
  /** Adds copied steps (portable-flow JSON) as new, selected steps. Returns their ids, or null if the text is not a flow. */
  paste: (text: string, offset: XYPosition) => string[] | null;
  /** Lays the steps out left to right; returns how many moved. */
  tidyUp: () => number;
  undo: () => boolean;
  redo: () => boolean;
  /**
   * Replaces the whole canvas with `graph` — reload, restore, merge, import. Undoable.
   * `version`: the saved version the graph is now based on (resolves a conflict); without it the
   * base stays. With `saved`, the graph is exactly what the server holds (nothing to save).
   */
  loadGraph: (graph: FlowGraph, opts: { version?: number; saved: boolean }) => void;
  setSaving: (saving: boolean) => void;
  markSaved: (version: number, revision: number) => void;
  setServerIssues: (issues: FieldIssue[]) => void;
  setConflict: (conflict: boolean) => void;
  /** Records (or, with null, clears) unfinished JSON typed into a field. */
  setJsonDraft: (nodeId: string, path: string, draft: JsonDraft | null) => void;
  setWebhooks: (webhooks: Array<{ nodeId: string; url: string }>) => void;
  setRunState: (state: Record<string, NodeRunState>, active: boolean) => void;
}

export type EditorStore = ReturnType<typeof createEditorStore>;

export interface JsonDraft {
  text: string;
  message: string;
}

export interface EditorInit {
  flowId: string;
  version: number;
  graph: FlowGraph;
  catalog: AgentInfo[];
}

/** Changes React Flow reports that alter what is saved (selection and measuring do not; resizing a note does). */
function changesGraph(changes: Array<NodeChange<EditorNode> | EdgeChange<FlowEdge>>): boolean {
  return changes.some(
    (c) =>
      c.type === 'add' ||
      c.type === 'remove' ||
      c.type === 'replace' ||
      (c.type === 'position' && c.position !== undefined) ||
      (c.type === 'dimensions' && c.setAttributes === true),
  );
}

/** Node ids cannot contain spaces, so "nodeId path" splits back unambiguously. */
export const jsonDraftKey = (nodeId: string, path: string) => `${nodeId} ${path}`;
export const nodeIdOfDraftKey = (key: string) => key.slice(0, key.indexOf(' '));

function withoutDraftsOf(drafts: Record<string, JsonDraft>, keep: (nodeId: string) => boolean): Record<string, JsonDraft> {
  const keys = Object.keys(drafts);
  if (keys.every((k) => keep(nodeIdOfDraftKey(k)))) return drafts;
  return Object.fromEntries(Object.entries(drafts).filter(([k]) => keep(nodeIdOfDraftKey(k))));
}

const deselect = <T extends { selected?: boolean }>(items: T[]): T[] => items.map((i) => (i.selected ? { ...i, selected: false } : i));

export function createEditorStore(init: EditorInit) {
  const { nodes, edges } = fromGraph(init.graph);
  return createStore<EditorState>()((set, get) => {
    /**
     * Every change that would be saved goes through here: it bumps the revision and records the
     * canvas as it was for undo — unless it continues the change before it (same `coalesce` key
     * within `windowMs`), as typing into one field does.
     */
    const commit = (patch: Partial<EditorState>, coalesce?: string, windowMs = COALESCE_MS) => {
      const s = get();
      const now = Date.now();
      const continues = coalesce !== undefined && s.lastCoalesce?.key === coalesce && now - s.lastCoalesce.at < windowMs;
      set({
        ...patch,
        revision: s.revision + 1,
        past: continues ? s.past : [...s.past.slice(-(HISTORY_LIMIT - 1)), { nodes: s.nodes, edges: s.edges }],
        future: [],
        lastCoalesce: coalesce === undefined ? null : { key: coalesce, at: now },
      });
    };

    /** Drafts and server verdicts of steps that are gone must not block or decorate anything. */
    const pruneFor = (nodes: EditorNode[]): Partial<EditorState> => {
      const s = get();
      const ids = new Set(nodes.map((n) => n.id));
      return {
        jsonDrafts: withoutDraftsOf(s.jsonDrafts, (id) => ids.has(id)),
        serverIssues: s.serverIssues.some((i) => i.nodeId && !ids.has(i.nodeId)) ? s.serverIssues.filter((i) => !i.nodeId || ids.has(i.nodeId)) : s.serverIssues,
      };
    };

    const travel = (from: 'past' | 'future'): boolean => {
      const s = get();
      const stack = s[from];
      const target = stack.at(-1);
      if (!target) return false;
      const current = { nodes: s.nodes, edges: s.edges };
      set({
        nodes: target.nodes,
        edges: target.edges,
        ...pruneFor(target.nodes),
        [from]: stack.slice(0, -1),
        ...(from === 'past' ? { future: [...s.future, current] } : { past: [...s.past, current] }),
        revision: s.revision + 1,
        lastCoalesce: null,
        dragging: false,
      });
      return true;
    };

    return {
      flowId: init.flowId,
      catalog: new Map(init.catalog.map((a) => [a.type, a])),
      nodes,
      edges,
      baseVersion: init.version,
      revision: 0,
      savedRevision: 0,
      saving: false,
      conflict: false,
      stale: false,
      serverIssues: [],
      jsonDrafts: {},
      webhooks: {},
      runState: {},
      runActive: false,
      inspectorTab: { nodeId: null, tab: 'settings' },
      past: [],
      future: [],
      lastCoalesce: null,
      dragging: false,

      onNodesChange: (changes) => {
        const s = get();
        const next = applyNodeChanges(changes, s.nodes);
        const moves = changes.filter((c) => c.type === 'position');
        const dragEnds = moves.some((c) => c.dragging === false);
        if (!changesGraph(changes)) return set({ nodes: next, ...(dragEnds ? { dragging: false } : {}) });

        if (moves.length === changes.length) {
          const dragging = moves.some((c) => c.dragging === true);
          // The first move of a drag records the undo step; the rest of the drag joins it.
          if (s.dragging) return set({ nodes: next, revision: s.revision + 1, dragging: dragging && !dragEnds });
          return commit({ nodes: next, dragging }, dragging ? undefined : 'nudge');
        }
        const removed = new Set(changes.flatMap((c) => (c.type === 'remove' ? [c.id] : [])));
        // Resizing a note sends size (and, from the top or left, position) changes all along: one undo step.
        const resizing = changes.some((c) => c.type === 'dimensions' && c.setAttributes === true);
        if (removed.size === 0) return commit({ nodes: next }, resizing ? 'resize' : undefined);
        // React Flow removes a step's edges in a separate call right after: one undo step for both.
        commit({ nodes: next, ...pruneFor(next) }, 'remove', 50);
      },

      onEdgesChange: (changes) => {
        const next = applyEdgeChanges(changes, get().edges);
        if (!changesGraph(changes)) return set({ edges: next });
        commit({ edges: next }, changes.some((c) => c.type === 'remove') ? 'remove' : undefined, 50);
      },

      connect: (connection) => {
        const { nodes, edges, catalog } = get();
        const reason = refuseConnection(connection, nodes, edges, catalog);
        if (reason) return reason;
        commit({ edges: [...edges, toEdge(connection.source, connection.target, connection.sourceHandle)] });
        return null;
      },

      addNode: (agentType, position) => {
        const { nodes, edges, catalog } = get();
        const agent = catalog.get(agentType);
        const id = nextNodeId(agentType, new Set(nodes.map((n) => n.id)));
        const selected = nodes.filter((n) => n.selected);
        const anchor = selected.length === 1 && isAgentNode(selected[0]) ? selected[0] : undefined;
        const fallback = nodes.findLast(isAgentNode);
        const from = anchor ?? fallback;
        const at = position ?? (from ? spotBeside(from.position, nodes) : { x: 0, y: 0 });
        const node: AgentNode = {
          id,
          type: 'agent',
          position: at,
          selected: true,
          data: { agentType, label: '', options: structuredClone(agent?.defaultOptions ?? {}) as Record<string, unknown> },
        };
        const wire = !position && anchor && agent?.capabilities.receives;
        commit({
          nodes: [...deselect(nodes), node],
          edges: wire ? [...deselect(edges), toEdge(anchor.id, id)] : edges,
        });
        return id;
      },

      addNote: (position) => {
        const { nodes, edges } = get();
        const id = nextNoteId(new Set(nodes.map((n) => n.id)));
        const note: NoteNode = { id, type: 'note', position, width: NOTE_WIDTH, height: NOTE_HEIGHT, zIndex: -1, selected: true, data: { text: '' } };
        commit({ nodes: [...deselect(nodes), note], edges: deselect(edges) });
        return id;
      },

      updateNodeData: (id, patch) => {
        const s = get();
        const touchesOptions = 'options' in patch;
        commit(
          {
            nodes: s.nodes.map((n) => (n.id === id && isAgentNode(n) ? { ...n, data: { ...n.data, ...patch } } : n)),
            // The server's verdict on this node is stale once its settings change; the live check takes over.
            serverIssues: touchesOptions ? s.serverIssues.filter((i) => i.nodeId !== id) : s.serverIssues,
          },
          `data ${id} ${Object.keys(patch).join(',')}`,
        );
      },

      updateNoteText: (id, text) =>
        commit({ nodes: get().nodes.map((n) => (n.id === id && n.type === 'note' ? { ...n, data: { text } } : n)) }, `note ${id}`),

      selectNode: (id) =>
        set((s) => ({
          nodes: s.nodes.map((n) => (Boolean(n.selected) === (n.id === id) ? n : { ...n, selected: n.id === id })),
          edges: deselect(s.edges),
        })),

      selectAll: () => set((s) => ({ nodes: s.nodes.map((n) => (n.selected ? n : { ...n, selected: true })), edges: s.edges.map((e) => (e.selected ? e : { ...e, selected: true })) })),

      showRunOf: (id) => {
        get().selectNode(id);
        set({ inspectorTab: { nodeId: id, tab: 'last-run' } });
      },

      setInspectorTab: (nodeId, tab) => set({ inspectorTab: { nodeId, tab } }),

      restore: (nodes, edges) => {
        const s = get();
        const haveNodes = new Set(s.nodes.map((n) => n.id));
        const haveEdges = new Set(s.edges.map((e) => e.id));
        commit({
          nodes: [...s.nodes, ...nodes.filter((n) => !haveNodes.has(n.id))],
          edges: [...s.edges, ...edges.filter((e) => !haveEdges.has(e.id))],
        });
      },

      paste: (text, offset) => {
        const fragment = readFragment(text);
        if (!fragment) return null;
        const s = get();
        const added = instantiateFragment(fragment, new Set(s.nodes.map((n) => n.id)), offset);
        commit({ nodes: [...deselect(s.nodes), ...added.nodes], edges: [...deselect(s.edges), ...added.edges] });
        return added.nodes.map((n) => n.id);
      },

      tidyUp: () => {
        const s = get();
        const moved = autoLayout(s.nodes, s.edges);
        if (moved.size === 0) return 0;
        commit({ nodes: s.nodes.map((n) => (moved.has(n.id) ? { ...n, position: moved.get(n.id)! } : n)) });
        return moved.size;
      },

      undo: () => travel('past'),
      redo: () => travel('future'),

      loadGraph: (graph, { version, saved }) => {
        const next = fromGraph(graph);
        commit({ ...next, ...(version !== undefined ? { baseVersion: version, conflict: false, stale: false } : {}), serverIssues: [], jsonDrafts: {} });
        if (saved) set({ savedRevision: get().revision });
      },

      setSaving: (saving) => set({ saving }),
      markSaved: (version, revision) => set({ baseVersion: version, savedRevision: revision, saving: false, serverIssues: [], stale: false }),
      setServerIssues: (serverIssues) => set({ serverIssues }),
      setConflict: (conflict) => set(conflict ? { conflict, stale: true } : { conflict }),

      setJsonDraft: (nodeId, path, draft) => {
        const key = jsonDraftKey(nodeId, path);
        const current = get().jsonDrafts;
        if (!draft && !(key in current)) return;
        const next = { ...current };
        if (draft) next[key] = draft;
        else delete next[key];
        set({ jsonDrafts: next });
      },

      setWebhooks: (list) => set({ webhooks: Object.fromEntries(list.map((w) => [w.nodeId, w.url])) }),
      setRunState: (runState, runActive) => set({ runState, runActive }),
    };
  });
}

export type SaveState = 'saved' | 'saving' | 'unsaved' | 'conflict';

export function saveStateOf(s: Pick<EditorState, 'saving' | 'revision' | 'savedRevision' | 'stale' | 'jsonDrafts'>): SaveState {
  if (s.saving) return 'saving';
  if (s.stale) return 'conflict';
  // Unfinished JSON in a field is a change too, even though the graph does not hold it yet.
  return s.revision === s.savedRevision && Object.keys(s.jsonDrafts).length === 0 ? 'saved' : 'unsaved';
}

/** Whether the save logic may skip a save: nothing changed and nothing is pending. */
export function isClean(s: Pick<EditorState, 'revision' | 'savedRevision'>): boolean {
  return s.revision === s.savedRevision;
}
