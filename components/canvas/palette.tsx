'use client';

import { useMemo, useState, type DragEvent } from 'react';
import { Search } from 'lucide-react';
import type { AgentInfo } from '../trpc/types';
import { cn } from '../ui/cn';
import { Input } from '../ui/input';
import { Markdown } from '../ui/markdown';
import { AgentIcon } from './agent-icon';
import { categoryOrder, categoryStyle } from './categories';
import { AGENT_DRAG_TYPE } from './drag';

interface PaletteProps {
  agents: AgentInfo[];
  onAdd: (agentType: string) => void;
}

/** The agent whose description floats beside the palette, and at what height. */
interface Preview {
  type: string;
  top: number;
}

const PREVIEW_ID = 'palette-preview';

function matches(agent: AgentInfo, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return [agent.name, agent.type, agent.summary, agent.category].some((text) => text.toLowerCase().includes(q));
}

function groupByCategory(agents: AgentInfo[]): Array<[string, AgentInfo[]]> {
  const groups = new Map<string, AgentInfo[]>();
  for (const agent of agents) groups.set(agent.category, [...(groups.get(agent.category) ?? []), agent]);
  const rank = (c: string) => {
    const i = (categoryOrder as readonly string[]).indexOf(c);
    return i === -1 ? categoryOrder.length : i;
  };
  return [...groups.entries()].sort(([a], [b]) => rank(a) - rank(b));
}

/** The list of agents: search first, then categories. Drag an item onto the canvas, or click to add it. */
export function Palette({ agents, onAdd }: PaletteProps) {
  const [query, setQuery] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const groups = useMemo(() => groupByCategory(agents.filter((a) => matches(a, query))), [agents, query]);
  const previewed = preview && agents.find((a) => a.type === preview.type);

  return (
    <aside aria-label="Agents" className="flex h-full w-64 shrink-0 flex-col border-r border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <div className="border-b border-slate-200 p-3 dark:border-slate-800">
        <label className="relative block">
          <span className="sr-only">Search agents</span>
          <Search className="pointer-events-none absolute top-2.5 left-2.5 h-4 w-4 text-slate-400" aria-hidden />
          <Input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Search agents…"
            className="pl-8"
            data-testid="palette-search"
          />
        </label>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto px-2 py-2" onScroll={() => setPreview(null)}>
        {groups.length === 0 && <p className="px-2 py-4 text-sm text-slate-500">No agent matches “{query}”.</p>}
        {groups.map(([category, list]) => (
          <section key={category} aria-label={category} className="mb-3">
            <h3 className="px-2 pb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">{category}</h3>
            <ul>
              {list.map((agent) => (
                <li key={agent.type}>
                  <PaletteItem agent={agent} previewed={preview?.type === agent.type} onAdd={onAdd} onPreview={setPreview} />
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
      <p className="border-t border-slate-200 px-3 py-2 text-[11px] text-slate-500 dark:border-slate-800">
        Drag onto the canvas, or click to add next to the selected step.
      </p>
      {previewed && preview && (
        // Floats over the canvas instead of pushing the list around, so nothing moves under the pointer.
        <div
          id={PREVIEW_ID}
          role="tooltip"
          data-testid="palette-description"
          style={{ top: preview.top }}
          className="pointer-events-none fixed left-[16.5rem] z-40 w-80 rounded-xl border border-slate-200 bg-white p-3 shadow-lg dark:border-slate-700 dark:bg-slate-900"
        >
          <p className="mb-1 text-sm font-medium">{previewed.name}</p>
          <Markdown className="text-xs">{previewed.description}</Markdown>
        </div>
      )}
    </aside>
  );
}

interface PaletteItemProps {
  agent: AgentInfo;
  previewed: boolean;
  onAdd: (agentType: string) => void;
  onPreview: (preview: Preview | null) => void;
}

const PREVIEW_HEIGHT_ALLOWANCE = 280;

function PaletteItem({ agent, previewed, onAdd, onPreview }: PaletteItemProps) {
  const style = categoryStyle(agent.category);
  const show = (el: HTMLElement) => {
    const top = Math.max(8, Math.min(el.getBoundingClientRect().top, window.innerHeight - PREVIEW_HEIGHT_ALLOWANCE));
    onPreview({ type: agent.type, top });
  };
  const onDragStart = (e: DragEvent) => {
    onPreview(null);
    e.dataTransfer.setData(AGENT_DRAG_TYPE, agent.type);
    e.dataTransfer.setData('text/plain', agent.name);
    e.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <button
      type="button"
      draggable
      onDragStart={onDragStart}
      onClick={() => onAdd(agent.type)}
      onMouseEnter={(e) => show(e.currentTarget)}
      onFocus={(e) => show(e.currentTarget)}
      onMouseLeave={() => onPreview(null)}
      onBlur={() => onPreview(null)}
      aria-describedby={previewed ? PREVIEW_ID : undefined}
      data-testid={`palette-item-${agent.type}`}
      className={cn(
        'flex w-full cursor-grab items-start gap-2.5 rounded-lg px-2 py-2 text-left active:cursor-grabbing',
        previewed ? 'bg-slate-100 dark:bg-slate-800' : 'hover:bg-slate-100 dark:hover:bg-slate-800',
      )}
    >
      <span className={cn('mt-0.5 flex h-7 w-7 shrink-0 items-center justify-center rounded-md', style.chip)}>
        <AgentIcon name={agent.icon} category={agent.category} className="h-4 w-4" />
      </span>
      <span className="min-w-0">
        <span className="block text-sm font-medium">{agent.name}</span>
        <span className="block text-xs leading-snug text-slate-500 dark:text-slate-400">{agent.summary}</span>
      </span>
    </button>
  );
}
