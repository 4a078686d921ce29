'use client';

import { memo, useMemo } from 'react';
import { Background, BackgroundVariant, Controls, Handle, MarkerType, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import type { AgentInfo, FlowGraph, RunDetail, RunStep, StepStatus } from '../trpc/types';
import { cn } from '../ui/cn';
import { AgentIcon } from '../canvas/agent-icon';
import { categoryStyle } from '../canvas/categories';
import { statusMeta } from './run-status';

/**
 * The flow drawn read-only with the path the run took: nodes that ran carry their status (icon and
 * word, and a coloured border), edges between nodes that ran are bold and animated while the run
 * goes on; the rest of the flow is dimmed.
 */

type RunNodeData = {
  title: string;
  agentName: string;
  icon?: string;
  category?: string;
  status: StepStatus | null;
  count: number;
};
type RunNode = Node<RunNodeData, 'run'>;

/** The editor's node size and spacing, so the drawing matches what people built. */
const NODE_WIDTH = 224;
const COLUMN_GAP = 96;

const border: Record<StepStatus, string> = {
  succeeded: 'border-emerald-500 ring-2 ring-emerald-500/20',
  failed: 'border-rose-500 ring-2 ring-rose-500/25 border-dashed',
  retrying: 'border-amber-500 ring-2 ring-amber-500/20 border-dashed',
  cancelled: 'border-amber-500 ring-2 ring-amber-500/20 border-dotted',
  running: 'border-sky-500 ring-2 ring-sky-500/20',
};

const statusText: Record<StepStatus, string> = {
  succeeded: 'text-emerald-700 dark:text-emerald-400',
  failed: 'text-rose-700 dark:text-rose-400',
  retrying: 'text-amber-700 dark:text-amber-400',
  cancelled: 'text-amber-700 dark:text-amber-400',
  running: 'text-sky-700 dark:text-sky-400',
};

const edgeColour: Record<StepStatus, string> = {
  succeeded: 'var(--color-emerald-500)',
  failed: 'var(--color-rose-500)',
  retrying: 'var(--color-amber-500)',
  cancelled: 'var(--color-amber-500)',
  running: 'var(--color-sky-500)',
};

function RunNodeView({ id, data }: NodeProps<RunNode>) {
  const style = categoryStyle(data.category);
  const m = data.status ? statusMeta(data.status) : null;
  const Icon = m?.icon;
  return (
    <div
      data-testid={`run-graph-node-${id}`}
      data-status={data.status ?? 'not-run'}
      style={{ width: NODE_WIDTH }}
      className={cn(
        'rounded-xl border bg-white px-3 py-2.5 shadow-sm dark:bg-slate-900',
        data.status ? border[data.status] : 'border-slate-200 opacity-60 dark:border-slate-700',
      )}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} className="!pointer-events-none !opacity-0" />
      <div className="flex items-center gap-2.5">
        <span className={cn('flex h-9 w-9 shrink-0 items-center justify-center rounded-lg', style.chip)}>
          <AgentIcon name={data.icon} category={data.category} className="h-5 w-5" />
        </span>
        <div className="min-w-0 flex-1">
          <div className="truncate text-sm font-medium text-slate-900 dark:text-slate-100">{data.title}</div>
          <div className={cn('flex items-center gap-1 truncate text-xs', data.status ? statusText[data.status] : 'text-slate-500')}>
            {Icon && <Icon className="h-3.5 w-3.5 shrink-0" aria-hidden />}
            {m ? `${m.label}${data.count > 1 ? ` · ${data.count} times` : ''}` : 'Did not run'}
          </div>
        </div>
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} className="!pointer-events-none !opacity-0" />
    </div>
  );
}

const nodeTypes = { run: memo(RunNodeView) };

/** One status for a node that ran several times: the most worrying wins. */
function combined(steps: RunStep[]): StepStatus | null {
  const order: StepStatus[] = ['failed', 'retrying', 'running', 'cancelled', 'succeeded'];
  for (const s of order) if (steps.some((step) => step.status === s)) return s;
  return null;
}

interface RunGraphProps {
  graph: FlowGraph;
  run: RunDetail;
  agents: AgentInfo[] | undefined;
  onSelectNode?: (nodeId: string) => void;
}

export function RunGraph({ graph, run, agents, onSelectNode }: RunGraphProps) {
  const live = run.status === 'queued' || run.status === 'running';
  const { nodes, edges } = useMemo(() => {
    const byNode = new Map<string, RunStep[]>();
    for (const s of run.steps) byNode.set(s.nodeId, [...(byNode.get(s.nodeId) ?? []), s]);
    const catalog = new Map((agents ?? []).map((a) => [a.type, a]));
    const nodes: RunNode[] = graph.nodes.map((n, i) => {
      const agent = catalog.get(n.type);
      const steps = byNode.get(n.id) ?? [];
      return {
        id: n.id,
        type: 'run',
        position: n.position ?? { x: i * (NODE_WIDTH + COLUMN_GAP), y: 0 },
        draggable: false,
        connectable: false,
        selectable: false,
        data: {
          title: n.label || agent?.name || n.type,
          agentName: agent?.name ?? n.type,
          icon: agent?.icon,
          category: agent?.category,
          status: combined(steps),
          count: steps.length,
        },
      };
    });
    const edges: Edge[] = graph.edges.map((e) => {
      const target = combined(byNode.get(e.target) ?? []);
      const taken = byNode.has(e.source) && target !== null;
      const colour = taken && target ? edgeColour[target] : 'var(--color-slate-300)';
      return {
        id: `${e.source}->${e.target}${e.sourceHandle ? `:${e.sourceHandle}` : ''}`,
        source: e.source,
        target: e.target,
        animated: taken && live,
        selectable: false,
        focusable: false,
        style: taken ? { stroke: colour, strokeWidth: 3 } : { stroke: colour, strokeWidth: 1.5, strokeDasharray: '4 4' },
        markerEnd: { type: MarkerType.ArrowClosed, color: colour, width: 16, height: 16 },
        className: taken ? 'run-edge-taken' : 'run-edge-skipped',
        data: { taken },
      };
    });
    return { nodes, edges };
  }, [graph, run.steps, agents, live]);

  return (
    <div className="h-72 w-full" data-testid="run-graph">
      <ReactFlow<RunNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ maxZoom: 1, padding: 0.2 }}
        minZoom={0.1}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        zoomOnScroll={false}
        preventScrolling={false}
        onNodeClick={(_, node) => onSelectNode?.(node.id)}
        colorMode="system"
        proOptions={{ hideAttribution: true }}
        aria-label="The flow, with the path this run took"
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
        <Controls showInteractive={false} position="bottom-left" />
      </ReactFlow>
    </div>
  );
}
