'use client';

import { memo, useMemo } from 'react';
import { Background, BackgroundVariant, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import { AgentIcon } from '../canvas/agent-icon';
import { categoryStyle } from '../canvas/categories';
import { NODE_WIDTH } from '../canvas/graph';
import type { AgentInfo } from '../trpc/types';
import { cn } from '../ui/cn';
import type { TemplateDetail } from './types';

type PreviewNodeData = { title: string; subtitle: string; icon?: string; category?: string; receives: boolean };
type PreviewNode = Node<PreviewNodeData, 'preview'>;

/** A step as on the editor's canvas, without anything to click. */
function PreviewNodeView({ data }: NodeProps<PreviewNode>) {
  return (
    <div style={{ width: NODE_WIDTH }} className="rounded-xl border border-slate-200 bg-white px-3 py-2.5 shadow-sm dark:border-slate-700 dark:bg-slate-900">
      {data.receives && <Handle type="target" position={Position.Left} isConnectable={false} />}
      <div className="flex items-center gap-2.5">
        <span className={cn('flex h-9 w-9 shrink-0 items-center justify-center rounded-lg', categoryStyle(data.category).chip)}>
          <AgentIcon name={data.icon} category={data.category} className="h-5 w-5" />
        </span>
        <div className="min-w-0 flex-1">
          <div className="truncate text-sm font-medium text-slate-900 dark:text-slate-100">{data.title}</div>
          <div className="truncate text-xs text-slate-500 dark:text-slate-400">{data.subtitle}</div>
        </div>
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

const nodeTypes = { preview: memo(PreviewNodeView) };

/** The template's flow, drawn read-only: pan and zoom, nothing else. Screen readers get the steps as a list. */
export function TemplateGraph({ graph, catalog, className }: { graph: TemplateDetail['graph']; catalog: Map<string, AgentInfo>; className?: string }) {
  const { nodes, edges } = useMemo(() => {
    const nodes: PreviewNode[] = graph.nodes.map((n, i) => {
      const agent = catalog.get(n.type);
      return {
        id: n.id,
        type: 'preview',
        position: n.position ?? { x: i * (NODE_WIDTH + 96), y: 0 },
        data: {
          title: n.label || agent?.name || n.type,
          subtitle: n.label ? (agent?.name ?? n.type) : (agent?.summary ?? n.type),
          icon: agent?.icon,
          category: agent?.category,
          receives: agent ? agent.capabilities.receives : true,
        },
        draggable: false,
        selectable: false,
        connectable: false,
      };
    });
    const edges: Edge[] = graph.edges.map((e) => ({ id: `${e.source}->${e.target}`, source: e.source, target: e.target, selectable: false, style: { strokeWidth: 2 } }));
    return { nodes, edges };
  }, [graph, catalog]);

  const title = (id: string) => nodes.find((n) => n.id === id)?.data.title ?? id;
  return (
    <div className={cn('relative overflow-hidden rounded-xl border border-slate-200 bg-slate-50 dark:border-slate-800 dark:bg-slate-950', className)} role="region" aria-label="Preview of the flow (drag to look around)" data-testid="template-graph">
      <div className="h-full w-full">
        <ReactFlow<PreviewNode, Edge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          zoomOnScroll={false}
          preventScrolling={false}
          fitView
          fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
          minZoom={0.2}
          colorMode="system"
          attributionPosition="bottom-right"
        >
          <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
        </ReactFlow>
      </div>
      <div className="sr-only">
        <p>The steps in order:</p>
        <ol>
          {nodes.map((n) => {
            const next = graph.edges.filter((e) => e.source === n.id).map((e) => title(e.target));
            return (
              <li key={n.id}>
                {n.data.title} ({n.data.subtitle}){next.length ? `, then ${next.join(' and ')}` : ''}
              </li>
            );
          })}
        </ol>
      </div>
    </div>
  );
}
