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
const defaultEdgeOptions = { style: { strokeWidth: 2 } };
const NOTE_COLOUR = '#fcd34d';

export function Canvas({ commands }: { commands: EditorCommands }) {
  const store = useEditorStoreApi();
  const canEdit = useCan('edit');
  const nodes = useEditorStore((s) => s.nodes);
  const edges = useEditorStore((s) => s.edges);
  const runState = useEditorStore((s) => s.runState);
  const runActive = useEditorStore((s) => s.runActive);
  const empty = useEditorStore((s) => s.nodes.length === 0);
  const onNodesChange = useEditorStore((s) => s.onNodesChange);
  const onEdgesChange = useEditorStore((s) => s.onEdgesChange);
  const { screenToFlowPosition } = useReactFlow();
  const toast = useToast();
  // Fit the saved flow into view once on open. Not for an empty flow: React Flow would fit on the
  // first dropped node instead, and the canvas would jump under the user's hand.
  const [fitOnOpen] = useState(() => store.getState().nodes.length > 0);

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
    <div className="relative h-full w-full" data-testid="canvas" onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<EditorNode, FlowEdge>
        nodes={nodes}
        edges={shownEdges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onDelete={onDelete}
        deleteKeyCode={canEdit ? deleteKeys : null}
        nodesDraggable={canEdit}
        nodesConnectable={canEdit}
        // Large flows: only what is on screen is in the DOM.
        onlyRenderVisibleElements
        colorMode="system"
        fitView={fitOnOpen}
        fitViewOptions={fitViewOptions}
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
          style={{ width: 160, height: 100 }}
        />
      </ReactFlow>
      {empty && <EmptyCanvas />}
    </div>
  );
}
