'use client';

import { useMemo } from 'react';
import { ReadOnlyGraph, type EdgeDecoration, type NodeDecoration } from '../canvas/read-only-graph';
import type { AgentInfo, FlowGraph, RunDetail, RunStep, StepStatus } from '../trpc/types';
import { cn } from '../ui/cn';
import { statusMeta } from './run-status';

/**
 * The flow drawn read-only with the path the run took: nodes that ran carry their status (icon and
 * word, and a coloured border), edges between nodes that ran are bold and animated while the run
 * goes on; the rest of the flow is dimmed.
 */

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

const runTestId = (id: string) => `run-graph-node-${id}`;

export function RunGraph({ graph, run, agents, onSelectNode }: RunGraphProps) {
  const live = run.status === 'queued' || run.status === 'running';
  const catalog = useMemo(() => new Map((agents ?? []).map((a) => [a.type, a])), [agents]);
  const drawing = useMemo(() => {
    const byNode = new Map<string, RunStep[]>();
    for (const s of run.steps) byNode.set(s.nodeId, [...(byNode.get(s.nodeId) ?? []), s]);
    const nodes = graph.nodes.map((node): { node: typeof node; decoration: NodeDecoration } => {
      const steps = byNode.get(node.id) ?? [];
      const status = combined(steps);
      const m = status ? statusMeta(status) : null;
      const Icon = m?.icon;
      return {
        node,
        decoration: {
          frame: status ? border[status] : 'border-slate-200 opacity-60 dark:border-slate-700',
          subtitle: (
            <>
              {Icon && <Icon className="h-3.5 w-3.5 shrink-0" aria-hidden />}
              {m ? `${m.label}${steps.length > 1 ? ` · ${steps.length} times` : ''}` : 'Did not run'}
            </>
          ),
          subtitleClassName: cn('flex items-center gap-1', status ? statusText[status] : 'text-slate-500'),
          data: { 'data-status': status ?? 'not-run' },
        },
      };
    });
    const edges = graph.edges.map((edge): { edge: typeof edge; decoration: EdgeDecoration } => {
      const target = combined(byNode.get(edge.target) ?? []);
      const taken = byNode.has(edge.source) && target !== null;
      const colour = taken && target ? edgeColour[target] : 'var(--color-slate-300)';
      return {
        edge,
        decoration: {
          colour,
          width: taken ? 3 : 1.5,
          dash: taken ? undefined : '4 4',
          animated: taken && live,
          arrow: true,
          className: taken ? 'run-edge-taken' : 'run-edge-skipped',
          data: { taken },
        },
      };
    });
    return { nodes, edges };
  }, [graph, run.steps, live]);

  return (
    <div className="h-72 w-full" data-testid="run-graph">
      <ReadOnlyGraph {...drawing} catalog={catalog} nodeTestId={runTestId} controls onNodeClick={onSelectNode} ariaLabel="The flow, with the path this run took" />
    </div>
  );
}
