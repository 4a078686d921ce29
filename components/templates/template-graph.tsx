'use client';

import { useMemo } from 'react';
import { ReadOnlyGraph, stepSubtitle, stepTitle } from '../canvas/read-only-graph';
import type { AgentInfo } from '../trpc/types';
import { cn } from '../ui/cn';
import type { TemplateDetail } from './types';

/** The template's flow, drawn read-only: pan and zoom, nothing else. Screen readers get the steps as a list. */
export function TemplateGraph({ graph, catalog, className }: { graph: TemplateDetail['graph']; catalog: Map<string, AgentInfo>; className?: string }) {
  const drawing = useMemo(() => ({ nodes: graph.nodes.map((node) => ({ node })), edges: graph.edges.map((edge) => ({ edge })) }), [graph]);
  const title = (n: (typeof graph.nodes)[number]) => stepTitle(n, catalog.get(n.type));
  const subtitle = (n: (typeof graph.nodes)[number]) => stepSubtitle(n, catalog.get(n.type));
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return (
    <div className={cn('relative overflow-hidden rounded-xl border border-slate-200 bg-slate-50 dark:border-slate-800 dark:bg-slate-950', className)} role="region" aria-label="Preview of the flow (drag to look around)" data-testid="template-graph">
      <div className="h-full w-full">
        <ReadOnlyGraph {...drawing} catalog={catalog} handles="visible" minZoom={0.2} attribution ariaLabel="The template's flow" />
      </div>
      <div className="sr-only">
        <p>The steps in order:</p>
        <ol>
          {graph.nodes.map((n) => {
            const next = graph.edges.filter((e) => e.source === n.id).map((e) => (byId.get(e.target) ? title(byId.get(e.target)!) : e.target));
            return (
              <li key={n.id}>
                {title(n)} ({subtitle(n)}){next.length ? `, then ${next.join(' and ')}` : ''}
              </li>
            );
          })}
        </ol>
      </div>
    </div>
  );
}
