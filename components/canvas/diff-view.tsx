'use client';

import { memo, useEffect, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Background, BackgroundVariant, Controls, Handle, MarkerType, Position, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import { ArrowLeft } from 'lucide-react';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import type { FlowGraph } from '../trpc/types';
import { Button } from '../ui/button';
import { cn } from '../ui/cn';
import { PageSpinner } from '../ui/spinner';
import { AgentIcon } from './agent-icon';
import { categoryStyle } from './categories';
import { diffGraphs, type DiffStatus, type GraphDiff } from './diff';
import { NODE_HEIGHT, NODE_WIDTH, NOTE_HEIGHT, NOTE_WIDTH, toGraph } from './graph';
import { useEditorStore, useEditorStoreApi } from './store-context';
import { sideLabel, type CompareRequest, type CompareSide } from './versions-panel';

const statusStyle: Record<DiffStatus, { border: string; badge: string; word: string; colour: string }> = {
  added: { border: 'border-emerald-500 ring-2 ring-emerald-500/30', badge: 'bg-emerald-600 text-white', word: 'Added', colour: '#10b981' },
  removed: { border: 'border-rose-400 border-dashed opacity-60', badge: 'bg-rose-600 text-white', word: 'Removed', colour: '#f43f5e' },
  changed: { border: 'border-amber-500 ring-2 ring-amber-500/30', badge: 'bg-amber-500 text-white', word: 'Changed', colour: '#f59e0b' },
  unchanged: { border: 'border-slate-200 dark:border-slate-700', badge: '', word: 'Unchanged', colour: '#94a3b8' },
};

type DiffNodeData = { status: DiffStatus; title: string; subtitle: string; icon?: string; category?: string; changes: string[]; moved: boolean; note?: string };
type DiffNode = Node<DiffNodeData, 'diff'>;

function DiffNodeView({ id, data }: NodeProps<DiffNode>) {
  const st = statusStyle[data.status];
  const style = categoryStyle(data.category);
  if (data.note !== undefined) {
    return (
      <div data-testid={`diff-node-${id}`} data-diff={data.status} className={cn('h-full w-full rounded-lg border bg-amber-50 p-2 text-xs dark:bg-amber-950/60', st.border)}>
        {data.status !== 'unchanged' && <span className={cn('mb-1 inline-block rounded-full px-1.5 text-[10px] font-semibold', st.badge)}>{st.word}</span>}
        <p className="line-clamp-5 whitespace-pre-wrap">{data.note || 'Empty note'}</p>
      </div>
    );
  }
  return (
    <div
      data-testid={`diff-node-${id}`}
      data-diff={data.status}
      style={{ width: NODE_WIDTH }}
      title={data.changes.length ? `Changed: ${data.changes.join(', ')}` : undefined}
      className={cn('relative rounded-xl border bg-white px-3 py-2.5 shadow-sm dark:bg-slate-900', st.border)}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} className="!pointer-events-none !opacity-0" />
      <div className="flex items-center gap-2.5">
        <span className={cn('flex h-9 w-9 shrink-0 items-center justify-center rounded-lg', style.chip)}>
          <AgentIcon name={data.icon} category={data.category} className="h-5 w-5" />
        </span>
        <div className="min-w-0 flex-1">
          <div className={cn('truncate text-sm font-medium', data.status === 'removed' && 'line-through')}>{data.title}</div>
          <div className="truncate text-xs text-slate-500">{data.subtitle}</div>
        </div>
      </div>
      {data.status !== 'unchanged' && (
        <span className={cn('absolute -top-2.5 right-2 rounded-full px-2 py-0.5 text-[10px] font-semibold shadow-sm', st.badge)} data-testid="diff-badge">
          {st.word}
        </span>
      )}
      {data.changes.length > 0 && <p className="mt-1.5 truncate text-[11px] text-amber-800 dark:text-amber-300">{data.changes.join(', ')}</p>}
      <Handle type="source" position={Position.Right} isConnectable={false} className="!pointer-events-none !opacity-0" />
    </div>
  );
}

const nodeTypes = { diff: memo(DiffNodeView) };

/** The graph of one side: a saved version (fetched) or the canvas as it was when the comparison opened. */
function useSideGraph(side: CompareSide, canvas: FlowGraph) {
  const trpc = useTRPC();
  const flowId = useEditorStore((s) => s.flowId);
  const query = useQuery(trpc.flows.version.queryOptions({ id: flowId, version: side.kind === 'version' ? side.version : 1 }, { enabled: side.kind === 'version', staleTime: Infinity }));
  if (side.kind === 'canvas') return { graph: canvas, error: null, pending: false };
  return { graph: query.data?.graph, error: query.error, pending: query.isPending };
}

/**
 * Two versions compared on a read-only canvas: the newer one drawn, with added steps green,
 * changed ones amber, and removed ones ghosted red where they used to be.
 */
export function DiffView({ request, onClose }: { request: CompareRequest; onClose: () => void }) {
  const store = useEditorStoreApi();
  const [canvas] = useState(() => toGraph(store.getState().nodes, store.getState().edges));
  const older = useSideGraph(request.older, canvas);
  const newer = useSideGraph(request.newer, canvas);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('dialog[open]')) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const diff = useMemo(() => (older.graph && newer.graph ? diffGraphs(older.graph, newer.graph) : null), [older.graph, newer.graph]);
  const title = `Changes from ${sideLabel(request.older)} to ${sideLabel(request.newer)}`;

  return (
    <section aria-label={title} data-testid="diff-view" className="absolute inset-0 z-20 flex flex-col bg-slate-50 dark:bg-slate-950">
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900">
        <Button size="sm" onClick={onClose} data-testid="diff-close">
          <ArrowLeft className="h-4 w-4" aria-hidden />
          Back to editing
        </Button>
        <h2 className="text-sm font-semibold">{title}</h2>
        {diff && <Legend diff={diff} />}
      </div>
      <div className="relative min-h-0 flex-1">
        {(older.error || newer.error) && <p className="p-6 text-sm text-rose-700">{errorMessage(older.error ?? newer.error)}</p>}
        {!diff && !(older.error || newer.error) && <PageSpinner label="Loading the versions…" />}
        {diff && (
          <ReactFlowProvider>
            <DiffCanvas diff={diff} />
          </ReactFlowProvider>
        )}
      </div>
    </section>
  );
}

function Legend({ diff }: { diff: GraphDiff }) {
  const { added, removed, changed, connectionsAdded, connectionsRemoved } = diff.counts;
  const item = (status: DiffStatus, count: number) => (
    <li className="flex items-center gap-1.5" data-testid={`diff-count-${status}`} data-count={count}>
      <span className={cn('h-3 w-3 rounded-sm border-2', status === 'removed' && 'border-dashed')} style={{ borderColor: statusStyle[status].colour, background: status === 'unchanged' ? 'transparent' : `${statusStyle[status].colour}33` }} aria-hidden />
      {count} {statusStyle[status].word.toLowerCase()}
    </li>
  );
  const nothing = added + removed + changed + connectionsAdded + connectionsRemoved === 0 && !diff.notes.some((n) => n.status !== 'unchanged');
  return (
    <ul aria-label="Legend" className="ml-auto flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-700 dark:text-slate-300" data-testid="diff-legend">
      {nothing ? (
        <li>No differences in the steps or their connections{diff.nodes.some((n) => n.moved) ? ' (some steps only moved)' : ''}.</li>
      ) : (
        <>
          {item('added', added)}
          {item('changed', changed)}
          {item('removed', removed)}
          <li>
            Connections: +{connectionsAdded} / −{connectionsRemoved}
          </li>
        </>
      )}
    </ul>
  );
}

/**
 * Removed steps are drawn where they were; when a current step now sits on that spot, the ghost
 * moves down until it is free, so neither hides the other.
 */
function ghostPlacer(diff: GraphDiff) {
  const GAP = 24;
  const taken = diff.nodes.filter((n) => n.status !== 'removed').map((n) => n.node.position ?? { x: 0, y: 0 });
  const overlaps = (p: { x: number; y: number }) => taken.some((q) => Math.abs(q.x - p.x) < NODE_WIDTH && Math.abs(q.y - p.y) < NODE_HEIGHT + GAP);
  return (_id: string, position: { x: number; y: number }, status: DiffStatus) => {
    if (status !== 'removed') return position;
    const spot = { ...position };
    while (overlaps(spot)) spot.y += NODE_HEIGHT + GAP;
    taken.push(spot);
    return spot;
  };
}

function DiffCanvas({ diff }: { diff: GraphDiff }) {
  const catalog = useEditorStore((s) => s.catalog);
  const { fitView } = useReactFlow();
  const { nodes, edges } = useMemo(() => {
    const place = ghostPlacer(diff);
    const nodes: DiffNode[] = diff.nodes.map(({ id, status, node, changes, moved }, i) => {
      const agent = catalog.get(node.type);
      return {
        id,
        type: 'diff',
        position: place(id, node.position ?? { x: i * 320, y: 0 }, status),
        draggable: false,
        connectable: false,
        data: {
          status,
          title: node.label || agent?.name || node.type,
          subtitle: node.label ? (agent?.name ?? node.type) : id,
          icon: agent?.icon,
          category: agent?.category,
          changes,
          moved,
        },
      };
    });
    for (const { id, status, note } of diff.notes) {
      nodes.push({
        id: `note:${id}`,
        type: 'diff',
        position: note.position,
        width: note.size?.width ?? NOTE_WIDTH,
        height: note.size?.height ?? NOTE_HEIGHT,
        zIndex: -1,
        draggable: false,
        data: { status, title: 'Note', subtitle: '', changes: [], moved: false, note: note.text },
      });
    }
    const edges: Edge[] = diff.edges.map(({ status, edge }) => {
      const colour = status === 'unchanged' ? '#94a3b8' : statusStyle[status].colour;
      return {
        id: `${edge.source}${edge.sourceHandle ? `.${edge.sourceHandle}` : ''}->${edge.target}`,
        source: edge.source,
        target: edge.target,
        label: edge.sourceHandle,
        selectable: false,
        focusable: false,
        style: { stroke: colour, strokeWidth: status === 'unchanged' ? 1.5 : 2.5, ...(status === 'removed' ? { strokeDasharray: '6 4' } : {}) },
        markerEnd: { type: MarkerType.ArrowClosed, color: colour, width: 16, height: 16 },
        className: `diff-edge-${status}`,
        data: { status },
      };
    });
    return { nodes, edges };
  }, [catalog, diff]);

  useEffect(() => {
    window.requestAnimationFrame(() => void fitView({ maxZoom: 1, padding: 0.2 }));
  }, [fitView, diff]);

  return (
    <ReactFlow<DiffNode, Edge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      fitView
      fitViewOptions={{ maxZoom: 1, padding: 0.2 }}
      minZoom={0.1}
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable={false}
      onlyRenderVisibleElements
      deleteKeyCode={null}
      colorMode="system"
      proOptions={{ hideAttribution: true }}
      aria-label="The compared versions, read-only"
    >
      <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
      <Controls showInteractive={false} position="bottom-left" />
    </ReactFlow>
  );
}
