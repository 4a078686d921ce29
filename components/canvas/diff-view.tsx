'use client';

import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ArrowLeft } from 'lucide-react';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import type { FlowGraph } from '../trpc/types';
import { Button } from '../ui/button';
import { cn } from '../ui/cn';
import { PageSpinner } from '../ui/spinner';
import { diffGraphs, type DiffStatus, type GraphDiff } from './diff';
import { NODE_HEIGHT, NODE_WIDTH, toGraph } from './graph';
import { ReadOnlyGraph, type EdgeDecoration, type NodeDecoration, type ReadOnlyGraphProps } from './read-only-graph';
import { useEditorStore, useEditorStoreApi } from './store-context';
import { sideLabel, type CompareRequest, type CompareSide } from './versions-panel';

const statusStyle: Record<DiffStatus, { border: string; badge: string; word: string; colour: string }> = {
  added: { border: 'border-emerald-500 ring-2 ring-emerald-500/30', badge: 'bg-emerald-600 text-white', word: 'Added', colour: '#10b981' },
  removed: { border: 'border-rose-400 border-dashed opacity-60', badge: 'bg-rose-600 text-white', word: 'Removed', colour: '#f43f5e' },
  changed: { border: 'border-amber-500 ring-2 ring-amber-500/30', badge: 'bg-amber-500 text-white', word: 'Changed', colour: '#f59e0b' },
  unchanged: { border: 'border-slate-200 dark:border-slate-700', badge: '', word: 'Unchanged', colour: '#94a3b8' },
};

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
  return (
    <DiffPanel
      title={`Changes from ${sideLabel(request.older)} to ${sideLabel(request.newer)}`}
      older={older.graph}
      newer={newer.graph}
      error={older.error ?? newer.error}
      loadingLabel="Loading the versions…"
      onClose={onClose}
    />
  );
}

interface DiffPanelProps {
  title: string;
  /** Undefined while loading. */
  older: FlowGraph | undefined;
  newer: FlowGraph | undefined;
  error?: unknown;
  loadingLabel: string;
  onClose: () => void;
  /** A line under the header (what the comparison is about). */
  intro?: ReactNode;
  testId?: string;
}

/** The diff drawn over the canvas, with "Back to editing" (also Escape) and a legend. */
export function DiffPanel({ title, older, newer, error, loadingLabel, onClose, intro, testId = 'diff-view' }: DiffPanelProps) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('dialog[open]')) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const diff = useMemo(() => (older && newer ? diffGraphs(older, newer) : null), [older, newer]);

  return (
    <section aria-label={title} data-testid={testId} className="absolute inset-0 z-20 flex flex-col bg-slate-50 dark:bg-slate-950">
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900">
        <Button size="sm" onClick={onClose} data-testid="diff-close">
          <ArrowLeft className="h-4 w-4" aria-hidden />
          Back to editing
        </Button>
        <h2 className="text-sm font-semibold">{title}</h2>
        {diff && <Legend diff={diff} />}
      </div>
      {intro}
      <div className="relative min-h-0 flex-1">
        {Boolean(error) && <p className="p-6 text-sm text-rose-700">{errorMessage(error)}</p>}
        {!diff && !error && <PageSpinner label={loadingLabel} />}
        {diff && <DiffCanvas diff={diff} />}
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

const diffTestId = (id: string) => `diff-node-${id}`;

function DiffCanvas({ diff }: { diff: GraphDiff }) {
  const catalog = useEditorStore((s) => s.catalog);
  const graph = useMemo((): Pick<ReadOnlyGraphProps, 'nodes' | 'edges' | 'notes'> => {
    const place = ghostPlacer(diff);
    const nodes = diff.nodes.map(({ id, status, node, changes }): { node: typeof node; decoration: NodeDecoration } => {
      const st = statusStyle[status];
      const agent = catalog.get(node.type);
      return {
        node,
        decoration: {
          frame: st.border,
          position: status === 'removed' ? place(id, node.position ?? { x: 0, y: 0 }, status) : undefined,
          subtitle: node.label ? (agent?.name ?? node.type) : id,
          subtitleClassName: 'text-slate-500',
          struck: status === 'removed',
          badge: status === 'unchanged' ? undefined : { text: st.word, className: st.badge, testId: 'diff-badge' },
          detail: changes.length > 0 ? <p className="mt-1.5 truncate text-[11px] text-amber-800 dark:text-amber-300">{changes.join(', ')}</p> : undefined,
          tooltip: changes.length ? `Changed: ${changes.join(', ')}` : undefined,
          data: { 'data-diff': status },
        },
      };
    });
    const notes = diff.notes.map(({ status, note }) => ({
      note,
      decoration: {
        frame: statusStyle[status].border,
        badge: status === 'unchanged' ? undefined : { text: statusStyle[status].word, className: statusStyle[status].badge },
        data: { 'data-diff': status },
      },
    }));
    const edges = diff.edges.map(({ status, edge }): { edge: typeof edge; decoration: EdgeDecoration } => ({
      edge,
      decoration: {
        colour: status === 'unchanged' ? '#94a3b8' : statusStyle[status].colour,
        width: status === 'unchanged' ? 1.5 : 2.5,
        dash: status === 'removed' ? '6 4' : undefined,
        arrow: true,
        className: `diff-edge-${status}`,
        data: { status },
      },
    }));
    return { nodes, edges, notes };
  }, [catalog, diff]);

  return (
    <ReadOnlyGraph
      {...graph}
      catalog={catalog}
      nodeTestId={diffTestId}
      controls
      wheelZooms
      edgeLabels
      fitKey={diff}
      ariaLabel="The compared versions, read-only"
    />
  );
}
