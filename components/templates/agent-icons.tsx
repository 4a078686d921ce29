'use client';

import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { AgentIcon } from '../canvas/agent-icon';
import { categoryStyle } from '../canvas/categories';
import { useTRPC } from '../trpc/client';
import type { AgentInfo } from '../trpc/types';
import { cn } from '../ui/cn';

/** The agent catalog by type (icon, name, category), loaded once per session. */
export function useAgentCatalog(): Map<string, AgentInfo> {
  const trpc = useTRPC();
  const agents = useQuery(trpc.agents.list.queryOptions(undefined, { staleTime: Infinity }));
  return useMemo(() => new Map((agents.data ?? []).map((a) => [a.type, a])), [agents.data]);
}

interface AgentChipProps {
  type: string;
  agent?: { name: string; icon?: string; category?: string };
  size?: 'sm' | 'md';
}

/** One agent's icon on its category colour, named for screen readers and on hover. */
export function AgentChip({ type, agent, size = 'sm' }: AgentChipProps) {
  const name = agent?.name ?? type;
  return (
    <span
      className={cn('flex shrink-0 items-center justify-center rounded-lg', categoryStyle(agent?.category).chip, size === 'sm' ? 'h-7 w-7' : 'h-9 w-9')}
      title={name}
      role="img"
      aria-label={name}
    >
      <AgentIcon name={agent?.icon} category={agent?.category} className={size === 'sm' ? 'h-4 w-4' : 'h-5 w-5'} />
    </span>
  );
}

/** The icon set of the agents a template uses, as on a marketplace card. */
export function AgentIconRow({ types, catalog, max = 6 }: { types: string[]; catalog: Map<string, AgentInfo>; max?: number }) {
  const shown = types.slice(0, max);
  const more = types.length - shown.length;
  return (
    <div className="flex items-center gap-1.5" data-testid="agent-icons">
      {shown.map((t) => (
        <AgentChip key={t} type={t} agent={catalog.get(t)} />
      ))}
      {more > 0 && (
        <span className="text-xs font-medium text-slate-500" aria-label={`and ${more} more`}>
          +{more}
        </span>
      )}
    </div>
  );
}
