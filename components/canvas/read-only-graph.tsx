'use client';

import { memo, useEffect, useMemo, type ReactNode } from 'react';
import { Background, BackgroundVariant, Controls, Handle, MarkerType, Position, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import type { AgentInfo } from '../trpc/types';
import { cn } from '../ui/cn';
import { AgentIcon } from './agent-icon';
import { categoryStyle } from './categories';
import { NODE_WIDTH, NOTE_HEIGHT, NOTE_WIDTH } from './graph';
import type { GraphEdge, GraphNode, GraphNote } from './graph-compare';

/**
 * A flow drawn read-only, the way the editor draws its steps: the run page (the path a run took),
 * the version diff (what changed), the template page (plain). Callers say how each step and
 * connection looks through a decoration; this component knows nothing about runs or diffs.
 */

/** How one step is marked. Everything is optional: without it, a plain step. */
export interface NodeDecoration {
  /** Border, ring and opacity classes of the card (the status colour); a plain border otherwise. */
  frame?: string;
  /** The second line; by default the agent's name, or its one-line summary when the step has no label. */
  subtitle?: ReactNode;
  subtitleClassName?: string;
  /** Title struck through (a removed step). */
  struck?: boolean;
  /** A pill on the top-right corner ("Added"). */
  badge?: { text: string; className: string; testId?: string };
  /** A small line under the title (what changed). */
  detail?: ReactNode;
  tooltip?: string;
  /** data-* attributes on the card, for tests and styling ({ 'data-status': 'failed' }). */
  data?: Record<`data-${string}`, string>;
  /** Where to draw it instead of its own position (a ghost moved out of the way). */
  position?: { x: number; y: number };
}

export interface EdgeDecoration {
  /** React Flow's default grey when absent. */
  colour?: string;
  width?: number;
  dash?: string;
  animated?: boolean;
  /** An arrow at the target end. */
  arrow?: boolean;
  className?: string;
  data?: Record<string, unknown>;
}

export interface NoteDecoration {
  frame?: string;
  badge?: { text: string; className: string };
  data?: Record<`data-${string}`, string>;
}

export interface ReadOnlyGraphProps {
  nodes: Array<{ node: GraphNode; decoration?: NodeDecoration }>;
  edges: Array<{ edge: GraphEdge; decoration?: EdgeDecoration }>;
  notes?: Array<{ note: GraphNote; decoration?: NoteDecoration }>;
  catalog: ReadonlyMap<string, AgentInfo>;
  /** e.g. (id) => `diff-node-${id}`. */
  nodeTestId?: (id: string) => string;
  /** Connection points drawn as on the canvas (only where a step can receive), or hidden. */
  handles?: 'visible' | 'hidden';
  /** Zoom buttons in the bottom-left corner. */
  controls?: boolean;
  /** The wheel zooms (a full-size view) rather than scrolling the page past the drawing (an embedded one). */
  wheelZooms?: boolean;
  minZoom?: number;
  /** Show edge labels (the output a connection leaves from). */
  edgeLabels?: boolean;
  /** React Flow's small attribution link. */
  attribution?: boolean;
  /** Fits the drawing into view again whenever this changes. */
  fitKey?: unknown;
  onNodeClick?: (nodeId: string) => void;
  ariaLabel: string;
}

type StepData = {
  title: string;
  subtitle: ReactNode;
  icon?: string;
  category?: string;
  receives: boolean;
  handles: 'visible' | 'hidden';
  testId?: string;
  decoration: NodeDecoration;
};
type NoteData = { text: string; testId?: string; decoration: NoteDecoration };
type StepNode = Node<StepData, 'step'>;
type NoteNode = Node<NoteData, 'note'>;
type ReadOnlyNode = StepNode | NoteNode;

/** A step's name as the canvas shows it: its label, else its agent's name. */
export function stepTitle(node: GraphNode, agent: AgentInfo | undefined): string {
  return node.label || agent?.name || node.type;
}

/** The line under it: the agent's name under a label, else what the agent does. */
export function stepSubtitle(node: GraphNode, agent: AgentInfo | undefined): string {
  return node.label ? (agent?.name ?? node.type) : (agent?.summary ?? node.type);
}

const hiddenHandle = '!pointer-events-none !opacity-0';

function StepView({ data }: NodeProps<StepNode>) {
  const d = data.decoration;
  const hidden = data.handles === 'hidden';
  return (
    <div
      data-testid={data.testId}
      {...d.data}
      style={{ width: NODE_WIDTH }}
      title={d.tooltip}
      className={cn('relative rounded-xl border bg-white px-3 py-2.5 shadow-sm dark:bg-slate-900', d.frame ?? 'border-slate-200 dark:border-slate-700')}
    >
      {(hidden || data.receives) && <Handle type="target" position={Position.Left} isConnectable={false} className={hidden ? hiddenHandle : undefined} />}
      <div className="flex items-center gap-2.5">
        <span className={cn('flex h-9 w-9 shrink-0 items-center justify-center rounded-lg', categoryStyle(data.category).chip)}>
          <AgentIcon name={data.icon} category={data.category} className="h-5 w-5" />
        </span>
        <div className="min-w-0 flex-1">
          <div className={cn('truncate text-sm font-medium text-slate-900 dark:text-slate-100', d.struck && 'line-through')}>{data.title}</div>
          <div className={cn('truncate text-xs', d.subtitleClassName ?? 'text-slate-500 dark:text-slate-400')}>{data.subtitle}</div>
        </div>
      </div>
      {d.badge && (
        <span className={cn('absolute -top-2.5 right-2 rounded-full px-2 py-0.5 text-[10px] font-semibold shadow-sm', d.badge.className)} data-testid={d.badge.testId}>
          {d.badge.text}
        </span>
      )}
      {d.detail}
      <Handle type="source" position={Position.Right} isConnectable={false} className={hidden ? hiddenHandle : undefined} />
    </div>
  );
}

function NoteView({ data }: NodeProps<NoteNode>) {
  const d = data.decoration;
  return (
    <div data-testid={data.testId} {...d.data} className={cn('h-full w-full rounded-lg border bg-amber-50 p-2 text-xs dark:bg-amber-950/60', d.frame ?? 'border-amber-200 dark:border-amber-900')}>
      {d.badge && <span className={cn('mb-1 inline-block rounded-full px-1.5 text-[10px] font-semibold', d.badge.className)}>{d.badge.text}</span>}
      <p className="line-clamp-5 whitespace-pre-wrap">{data.text || 'Empty note'}</p>
    </div>
  );
}

const nodeTypes = { step: memo(StepView), note: memo(NoteView) };

/** The editor's spacing, for steps saved without a position. */
const COLUMN_GAP = 96;

function edgeId(e: GraphEdge): string {
  return `${e.source}${e.sourceHandle ? `.${e.sourceHandle}` : ''}->${e.target}`;
}

function FitOnChange({ fitKey }: { fitKey: unknown }) {
  const { fitView } = useReactFlow();
  useEffect(() => {
    const frame = window.requestAnimationFrame(() => void fitView({ maxZoom: 1, padding: 0.2 }));
    return () => window.cancelAnimationFrame(frame);
  }, [fitView, fitKey]);
  return null;
}

/**
 * Always with a React Flow store of its own: drawn inside the editor (the diff), it must not take
 * over the editor's canvas store.
 */
export function ReadOnlyGraph(props: ReadOnlyGraphProps) {
  return (
    <ReactFlowProvider>
      <ReadOnlyFlow {...props} />
    </ReactFlowProvider>
  );
}

function ReadOnlyFlow({
  nodes: steps,
  edges: connections,
  notes = [],
  catalog,
  nodeTestId,
  handles = 'hidden',
  controls = false,
  wheelZooms = false,
  minZoom = 0.1,
  edgeLabels = false,
  attribution = false,
  fitKey,
  onNodeClick,
  ariaLabel,
}: ReadOnlyGraphProps) {
  const { nodes, edges } = useMemo(() => {
    const nodes: ReadOnlyNode[] = steps.map(({ node, decoration = {} }, i) => {
      const agent = catalog.get(node.type);
      return {
        id: node.id,
        type: 'step',
        position: decoration.position ?? node.position ?? { x: i * (NODE_WIDTH + COLUMN_GAP), y: 0 },
        draggable: false,
        connectable: false,
        selectable: false,
        data: {
          title: stepTitle(node, agent),
          subtitle: decoration.subtitle ?? stepSubtitle(node, agent),
          icon: agent?.icon,
          category: agent?.category,
          receives: agent ? agent.capabilities.receives : true,
          handles,
          testId: nodeTestId?.(node.id),
          decoration,
        },
      };
    });
    for (const { note, decoration = {} } of notes) {
      nodes.push({
        id: `note:${note.id}`,
        type: 'note',
        position: note.position,
        width: note.size?.width ?? NOTE_WIDTH,
        height: note.size?.height ?? NOTE_HEIGHT,
        zIndex: -1,
        draggable: false,
        selectable: false,
        data: { text: note.text, testId: nodeTestId?.(`note:${note.id}`), decoration },
      });
    }
    const edges: Edge[] = connections.map(({ edge, decoration }) => {
      const colour = decoration?.colour;
      return {
        id: edgeId(edge),
        source: edge.source,
        target: edge.target,
        ...(edgeLabels && edge.sourceHandle ? { label: edge.sourceHandle } : {}),
        animated: decoration?.animated ?? false,
        selectable: false,
        focusable: false,
        style: { ...(colour ? { stroke: colour } : {}), strokeWidth: decoration?.width ?? 2, ...(decoration?.dash ? { strokeDasharray: decoration.dash } : {}) },
        ...(decoration?.arrow && colour ? { markerEnd: { type: MarkerType.ArrowClosed, color: colour, width: 16, height: 16 } } : {}),
        className: decoration?.className,
        data: decoration?.data,
      };
    });
    return { nodes, edges };
  }, [steps, connections, notes, catalog, handles, nodeTestId, edgeLabels]);

  return (
    <ReactFlow<ReadOnlyNode, Edge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      fitView
      fitViewOptions={{ maxZoom: 1, padding: 0.2 }}
      minZoom={minZoom}
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable={false}
      nodesFocusable={Boolean(onNodeClick)}
      edgesFocusable={false}
      zoomOnScroll={wheelZooms}
      preventScrolling={wheelZooms}
      onlyRenderVisibleElements={nodes.length > 100}
      deleteKeyCode={null}
      onNodeClick={onNodeClick ? (_, node) => !node.id.startsWith('note:') && onNodeClick(node.id) : undefined}
      colorMode="system"
      {...(attribution ? { attributionPosition: 'bottom-right' as const } : { proOptions: { hideAttribution: true } })}
      aria-label={ariaLabel}
    >
      <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
      {controls && <Controls showInteractive={false} position="bottom-left" />}
      {fitKey !== undefined && <FitOnChange fitKey={fitKey} />}
    </ReactFlow>
  );
}
