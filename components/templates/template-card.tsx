'use client';

import Link from 'next/link';
import { Download } from 'lucide-react';
import type { AgentInfo } from '../trpc/types';
import { Badge } from '../ui/badge';
import { AgentIconRow } from './agent-icons';
import type { TemplateListItem } from './types';

export const SOURCE_LABEL: Record<TemplateListItem['source'], string> = {
  catalog: 'Built in',
  workspace: 'Your workspace',
  community: 'Community',
};

export function installCountText(n: number): string {
  return n === 0 ? 'Not installed yet' : n === 1 ? 'Installed once' : `Installed ${n.toLocaleString('en')} times`;
}

interface TemplateCardProps {
  template: TemplateListItem;
  catalog: Map<string, AgentInfo>;
  activeTag?: string;
  onTag: (tag: string) => void;
}

/** A marketplace card: the whole card opens the template (stretched link); its tags filter the list. */
export function TemplateCard({ template: t, catalog, activeTag, onTag }: TemplateCardProps) {
  return (
    <li
      className="relative flex flex-col gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-xs transition-shadow focus-within:ring-2 focus-within:ring-indigo-500 hover:shadow-md dark:border-slate-800 dark:bg-slate-900"
      data-testid="template-card"
      data-slug={t.slug}
    >
      <div className="flex items-start justify-between gap-2">
        <AgentIconRow types={t.agentTypes} catalog={catalog} />
        {t.source !== 'catalog' && <Badge tone={t.source === 'workspace' ? 'indigo' : 'blue'}>{SOURCE_LABEL[t.source]}</Badge>}
      </div>
      <div className="min-w-0 flex-1 space-y-1">
        <h3 className="font-semibold text-slate-900 dark:text-slate-100">
          <Link href={`/templates/${t.slug}`} className="outline-none after:absolute after:inset-0 after:content-['']" data-testid="template-card-link">
            {t.name}
          </Link>
        </h3>
        <p className="line-clamp-2 text-sm text-slate-600 dark:text-slate-400">{t.summary}</p>
      </div>
      {t.tags.length > 0 && (
        <ul className="relative z-10 flex flex-wrap gap-1" aria-label="Tags">
          {t.tags.slice(0, 4).map((tag) => (
            <li key={tag}>
              <button
                type="button"
                onClick={() => onTag(tag)}
                aria-pressed={activeTag === tag}
                title={`Show templates tagged “${tag}”`}
                className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600 hover:bg-indigo-50 hover:text-indigo-700 dark:bg-slate-800 dark:text-slate-300 dark:hover:bg-indigo-950"
              >
                #{tag}
              </button>
            </li>
          ))}
        </ul>
      )}
      <p className="flex flex-wrap items-center gap-x-3 gap-y-1 border-t border-slate-100 pt-2 text-xs text-slate-500 dark:border-slate-800 dark:text-slate-400">
        <span className="inline-flex items-center gap-1" data-testid="template-install-count">
          <Download className="h-3.5 w-3.5" aria-hidden />
          {installCountText(t.installCount)}
        </span>
        <span data-testid="template-version">Version {t.version}</span>
        <span>{t.category}</span>
      </p>
    </li>
  );
}
