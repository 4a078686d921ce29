'use client';

import { useCallback, useMemo, useState, type DragEvent } from 'react';
import { Background, BackgroundVariant, Controls, MiniMap, Panel, ReactFlow, useReactFlow, type Node, type OnConnect, type OnDelete } from '@xyflow/react';
import { useCan } from '../auth/account-context';
import { useToast } from '../ui/toast';
import { nodeTypes } from './agent-node';
import { CanvasToolbar } from './canvas-toolbar';
import { categoryStyle } from './categories';
import { AGENT_DRAG_TYPE } from './drag';
import { EmptyCanvas } from './empty-canvas';
import { NODE_HEIGHT, NODE_WIDTH } from './graph';
import { useEditorStore, useEditorStoreApi } from './store-context';
import { isAgentNode, type EditorNode, type FlowEdge } from './types';
import type { EditorCommands } from './use-editor-commands';

const deleteKeys = ['Delete', 'Backspace'];
const fitViewOptions = { maxZoom: 1, padding: 0.3 };
/** Beyond this many steps the whole flow is too small to read when fitted; it opens on its start. */
const LARGE_FLOW = 80;

/**
 * Where the canvas opens: the whole flow, or for a large flow its start (the steps nothing leads
 * into) at a readable zoom — the MiniMap shows the rest. Fewer steps on screen also means fewer
 * to draw (only what is visible is rendered).
 */
function openingView(nodes: EditorNode[], edges: FlowEdge[]) {
  const steps = nodes.filter(isAgentNode);
  if (steps.length <= LARGE_FLOW) return fitViewOptions;
  const targets = new Set(edges.map((e) => e.target));
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  // The starts and what follows them, breadth first, up to a screenful.
  const shown = new Set<string>();
  const queue = steps.filter((n) => !targets.has(n.id)).map((n) => n.id);
  if (queue.length === 0) queue.push(steps[0]!.id);
  while (queue.length && shown.size < 24) {
    const id = queue.shift()!;
    if (shown.has(id)) continue;
    shown.add(id);
    queue.push(...(next.get(id) ?? []));
  }
  return { ...fitViewOptions, nodes: [...shown].map((id) => ({ id })), minZoom: 0.6 };
}
const defaultEdgeOptions = { style: { strokeWidth: 2 } };
const NOTE_COLOUR = '#fcd34d';
const miniMapStyle = { width: 160, height: 100 };
const clearTextSelection = () => window.getSelection()?.removeAllRanges();

export function Canvas({ commands }: { commands: EditorCommands }) {
  const store = useEditorStoreApi();
  const canEdit = useCan('edit');
  const nodes = useEditorStore((s) => s.nodes);
  const edges = useEditorStore((s) => s.edges);
  const runState = useEditorStore((s) => s.runState);
  const runActive = useEditorStore((s) => s.runActive);
  const count = useEditorStore((s) => s.nodes.length);
  const onNodesChange = useEditorStore((s) => s.onNodesChange);
  const onEdgesChange = useEditorStore((s) => s.onEdgesChange);
  const { screenToFlowPosition } = useReactFlow();
  const toast = useToast();
  // Fit the saved flow into view once on open. Not for an empty flow: React Flow would fit on the
  // first dropped node instead, and the canvas would jump under the user's hand.
  const [fitOnOpen] = useState(() => store.getState().nodes.length > 0);
  const [openView] = useState(() => openingView(store.getState().nodes, store.getState().edges));

  // While a run is going, edges into and out of the steps at work animate.
  const shownEdges = useMemo(() => {
    if (!runActive) return edges;
    const busy = (id: string) => runState[id]?.status === 'running' || runState[id]?.status === 'retrying';
    return edges.map((e) => (busy(e.target) || busy(e.source) ? { ...e, animated: true } : e));
  }, [edges, runState, runActive]);

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(AGENT_DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(AGENT_DRAG_TYPE);
      if (!type || !canEdit) return;
      e.preventDefault();
      const at = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      // Centre the new node under the pointer.
      store.getState().addNode(type, { x: at.x - NODE_WIDTH / 2, y: at.y - NODE_HEIGHT / 2 });
    },
    [canEdit, screenToFlowPosition, store],
  );

  const onConnect: OnConnect = useCallback(
    (c) => {
      const reason = store.getState().connect(c);
      if (reason) toast.show({ tone: 'error', message: reason });
    },
    [store, toast],
  );

  const onDelete: OnDelete<EditorNode, FlowEdge> = useCallback(
    ({ nodes: removedNodes, edges: removedEdges }) => {
      if (removedNodes.length === 0 && removedEdges.length === 0) return;
      const steps = removedNodes.filter(isAgentNode);
      const notes = removedNodes.length - steps.length;
      const first = steps[0];
      const what =
        removedNodes.length === 1 && first
          ? `“${first.data.label || store.getState().catalog.get(first.data.agentType)?.name || 'step'}”`
          : removedNodes.length === 1 && notes === 1
            ? 'a note'
            : removedNodes.length > 1
              ? [steps.length && `${steps.length} step${steps.length > 1 ? 's' : ''}`, notes && `${notes} note${notes > 1 ? 's' : ''}`].filter(Boolean).join(' and ')
              : removedEdges.length === 1
                ? 'a connection'
                : `${removedEdges.length} connections`;
      toast.show({
        message: `Removed ${what}.`,
        action: { label: 'Undo', onClick: () => store.getState().restore(removedNodes, removedEdges) },
      });
    },
    [store, toast],
  );

  const nodeColor = useCallback(
    (n: Node) => (n.type === 'note' ? NOTE_COLOUR : categoryStyle(store.getState().catalog.get((n as EditorNode & { data: { agentType?: string } }).data.agentType ?? '')?.category).color),
    [store],
  );

  return (
    <div className="relative h-full w-full" data-testid="canvas" data-items={count} onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<EditorNode, FlowEdge>
        nodes={nodes}
        edges={shownEdges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onDelete={onDelete}
        // Shift-dragging a selection box can also extend a text selection in the page; copy would then copy text.
        onSelectionStart={clearTextSelection}
        onSelectionEnd={clearTextSelection}
        deleteKeyCode={canEdit ? deleteKeys : null}
        nodesDraggable={canEdit}
        nodesConnectable={canEdit}
        // Large flows: only what is on screen is in the page. Small ones keep every step in it (screen readers).
        onlyRenderVisibleElements={count > LARGE_FLOW}
        colorMode="system"
        fitView={fitOnOpen}
        fitViewOptions={openView}
        minZoom={0.1}
        defaultEdgeOptions={defaultEdgeOptions}
        attributionPosition="top-right"
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
        {canEdit && (
          <Panel position="top-left">
            <CanvasToolbar commands={commands} />
          </Panel>
        )}
        <Controls showInteractive={false} position="bottom-left" aria-label="Zoom and fit" />
        <MiniMap
          pannable
          zoomable
          position="bottom-right"
          ariaLabel="Overview of the flow"
          nodeColor={nodeColor}
          nodeBorderRadius={8}
          style={miniMapStyle}
        />
      </ReactFlow>
      {count === 0 && <EmptyCanvas />}
    </div>
  );
}
