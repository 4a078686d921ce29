'use client';

import { memo, useMemo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { CircleAlert } from 'lucide-react';
import type { StepStatus } from '../trpc/types';
import { cn } from '../ui/cn';
import { plural } from '../ui/format';
import { AgentIcon } from './agent-icon';
import { categoryStyle } from './categories';
import { NODE_WIDTH } from './graph';
import { NoteNodeComponent } from './note-node';
import { namedOutputs } from './outputs';
import { useEditorStore, useEditorStoreApi } from './store-context';
import type { AgentNode } from './types';
import { useNodeProblems } from './use-node-problems';

export const statusDot: Record<StepStatus, { className: string; label: string }> = {
  running: { className: 'bg-sky-500 animate-pulse', label: 'Running now' },
  succeeded: { className: 'bg-emerald-500', label: 'Succeeded' },
  failed: { className: 'bg-rose-500', label: 'Failed' },
  cancelled: { className: 'bg-amber-500', label: 'Cancelled' },
  retrying: { className: 'bg-amber-500 animate-pulse', label: 'Failed once; will retry' },
};

/** The one node component: every agent is drawn from its catalog entry. */
function AgentNodeView({ id, data, selected }: NodeProps<AgentNode>) {
  const store = useEditorStoreApi();
  const agent = useEditorStore((s) => s.catalog.get(data.agentType));
  // Primitives, so a run refresh re-renders only the nodes whose status or count changed.
  const status = useEditorStore((s) => s.runState[id]?.status);
  const events = useEditorStore((s) => s.runState[id]?.events ?? 0);
  const outputPaths = agent?.outputPaths;
  const outputs = useMemo(() => namedOutputs(data.options, outputPaths), [data.options, outputPaths]);
  const extraHandles = useEditorStore((s) => (outputs.length ? s.edges.some((e) => e.source === id && e.sourceHandle && !outputs.includes(e.sourceHandle)) : false));
  const { summary: problem } = useNodeProblems(id, data);
  const style = categoryStyle(agent?.category);
  const receives = agent ? agent.capabilities.receives : true;
  const title = data.label || agent?.name || data.agentType;
  const dot = status ? statusDot[status] : undefined;
  const handles = extraHandles ? [...outputs, ...orphanHandles(store.getState().edges, id, outputs)] : outputs;

  return (
    <div
      data-testid={`canvas-node-${id}`}
      data-agent-type={data.agentType}
      data-invalid={problem ? 'true' : undefined}
      style={{ width: NODE_WIDTH }}
      className={cn(
        'relative rounded-xl border bg-white px-3 py-2.5 shadow-sm transition-shadow dark:bg-slate-900',
        selected ? 'border-indigo-500 ring-2 ring-indigo-500/30' : 'border-slate-200 hover:shadow-md dark:border-slate-700',
        problem && !selected && 'border-rose-400 dark:border-rose-500',
      )}
    >
      {receives && <Handle type="target" position={Position.Left} data-testid={`handle-target-${id}`} aria-label={`Input of ${title}`} />}
      <div className="flex items-center gap-2.5">
        <span className={cn('flex h-9 w-9 shrink-0 items-center justify-center rounded-lg', style.chip)}>
          <AgentIcon name={agent?.icon} category={agent?.category} className="h-5 w-5" />
        </span>
        <div className="min-w-0 flex-1">
          <div className="truncate text-sm font-medium text-slate-900 dark:text-slate-100" data-testid="node-title">
            {title}
          </div>
          {/* With a label, the agent's name says what kind of step it is; without, the id tells steps apart. */}
          <div className="truncate text-xs text-slate-500 dark:text-slate-400">
            {data.label ? (agent?.name ?? data.agentType) : <span className="font-mono">{id}</span>}
          </div>
        </div>
        {dot && (
          <button
            type="button"
            onClick={(e) => {
              e.stopPropagation();
              store.getState().showRunOf(id);
            }}
            className="nodrag flex shrink-0 items-center gap-1 rounded-full px-1.5 py-0.5 text-[11px] font-medium text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
            aria-label={`Latest run: ${dot.label}, ${plural(events, 'event')} sent on. Show details`}
            title={`Latest run: ${dot.label}, ${plural(events, 'event')} sent on. Click for details.`}
            data-testid="node-status"
            data-status={status}
            data-events={events}
          >
            <span className={cn('h-2.5 w-2.5 rounded-full', dot.className)} aria-hidden />
            <span aria-hidden>{events}</span>
          </button>
        )}
      </div>
      {handles.length > 0 && (
        <ul className="mt-2 space-y-1 border-t border-slate-100 pt-1.5 dark:border-slate-800">
          {handles.map((name) => (
            <li key={name} className="relative pr-2 text-right text-[11px] text-slate-600 dark:text-slate-400">
              {name}
              <Handle
                type="source"
                id={name}
                position={Position.Right}
                style={{ top: '50%', right: -13 }}
                data-testid={`handle-source-${id}-${name}`}
                aria-label={`Route “${name}” of ${title}`}
              />
            </li>
          ))}
        </ul>
      )}
      {problem && (
        <div
          data-testid="node-problem"
          className="absolute top-full left-2 mt-1.5 flex max-w-[calc(100%+4rem)] items-center gap-1 rounded-full bg-rose-600 px-2 py-0.5 text-[11px] font-medium text-white shadow-sm"
          title={problem}
        >
          <CircleAlert className="h-3 w-3 shrink-0" aria-hidden />
          <span className="truncate">{problem}</span>
        </div>
      )}
      {handles.length === 0 && <Handle type="source" position={Position.Right} data-testid={`handle-source-${id}`} aria-label={`Output of ${title}`} />}
    </div>
  );
}

/** Connections that leave from an output the step no longer has (a renamed route) stay visible. */
function orphanHandles(edges: { source: string; sourceHandle?: string | null }[], id: string, outputs: string[]): string[] {
  const names = new Set<string>();
  for (const e of edges) if (e.source === id && e.sourceHandle && !outputs.includes(e.sourceHandle)) names.add(e.sourceHandle);
  return [...names];
}

export const AgentNodeComponent = memo(AgentNodeView);
export const nodeTypes = { agent: AgentNodeComponent, note: NoteNodeComponent };
