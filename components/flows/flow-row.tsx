'use client';

import Link from 'next/link';
import { History, Pencil, Trash2, Workflow } from 'lucide-react';
import type { FlowSummary } from '../trpc/types';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { formatRelative, plural } from '../ui/format';
import { useCan } from '../auth/account-context';

interface FlowRowProps {
  flow: FlowSummary;
  onRename: (flow: FlowSummary) => void;
  onDelete: (flow: FlowSummary) => void;
}

export function FlowRow({ flow, onRename, onDelete }: FlowRowProps) {
  const canEdit = useCan('edit');
  return (
    <li
      data-testid={`flow-row-${flow.id}`}
      className="group relative flex items-center gap-4 rounded-xl border border-slate-200 bg-white px-4 py-3 shadow-xs transition hover:border-indigo-300 hover:shadow-sm dark:border-slate-800 dark:bg-slate-900 dark:hover:border-indigo-700"
    >
      <span className="flex h-10 w-10 shrink-0 items-center justify-center rounded-lg bg-indigo-50 text-indigo-600 dark:bg-indigo-950 dark:text-indigo-300">
        <Workflow className="h-5 w-5" aria-hidden />
      </span>
      <div className="min-w-0 flex-1">
        <div className="flex items-center gap-2">
          {/* The link's ::after covers the row, so the whole card opens the flow. */}
          <Link
            href={`/flows/${flow.id}`}
            className="truncate font-medium after:absolute after:inset-0 after:rounded-xl hover:text-indigo-700 dark:hover:text-indigo-300"
            data-testid="flow-open"
          >
            {flow.name}
          </Link>
          {flow.active ? <Badge tone="green">Active</Badge> : <Badge>Paused</Badge>}
        </div>
        <p className="mt-0.5 truncate text-sm text-slate-500 dark:text-slate-400">
          {flow.description ? `${flow.description} · ` : ''}
          {plural(flow.nodeCount, 'step')} · edited {formatRelative(flow.updatedAt)}
        </p>
      </div>
      <div className="relative flex items-center gap-1">
        <Link
          href={`/flows/${flow.id}/runs`}
          className="inline-flex h-8 items-center gap-1.5 rounded-lg px-2.5 text-sm font-medium text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
        >
          <History className="h-4 w-4" aria-hidden />
          Runs
        </Link>
        {canEdit && (
          <>
            <Button variant="ghost" size="icon" aria-label={`Rename ${flow.name}`} title="Rename" onClick={() => onRename(flow)}>
              <Pencil className="h-4 w-4" aria-hidden />
            </Button>
            <Button
              variant="ghost"
              size="icon"
              aria-label={`Delete ${flow.name}`}
              title="Delete"
              onClick={() => onDelete(flow)}
              className="hover:text-rose-600"
            >
              <Trash2 className="h-4 w-4" aria-hidden />
            </Button>
          </>
        )}
      </div>
    </li>
  );
}
