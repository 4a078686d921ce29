'use client';

import { useState } from 'react';
import Link from 'next/link';
import { ChevronDown, ChevronUp } from 'lucide-react';
import { isActiveStatus } from '../runs/run-status';
import { RunsTable } from '../runs/runs-table';
import { useFlowRuns } from '../runs/use-flow-runs';
import { errorMessage } from '../trpc/errors';
import { Spinner } from '../ui/spinner';
import { useEditorStore } from './store-context';
import { PANEL_RUNS } from './use-latest-run';

/** Bottom panel: the flow's latest runs, live while one is going. */
export function RunsPanel() {
  const flowId = useEditorStore((s) => s.flowId);
  const runs = useFlowRuns(flowId, PANEL_RUNS);
  const [open, setOpen] = useState(true);
  const items = runs.data?.items ?? [];
  const live = items.some((r) => isActiveStatus(r.status));

  return (
    <section aria-label="Latest runs" className="shrink-0 border-t border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900" data-testid="runs-panel">
      <div className="flex h-9 items-center gap-2 px-3">
        <button
          type="button"
          aria-expanded={open}
          aria-controls="runs-panel-body"
          onClick={() => setOpen(!open)}
          className="flex items-center gap-1.5 rounded-md px-1.5 py-1 text-sm font-medium hover:bg-slate-100 dark:hover:bg-slate-800"
        >
          {open ? <ChevronDown className="h-4 w-4" aria-hidden /> : <ChevronUp className="h-4 w-4" aria-hidden />}
          Latest runs
        </button>
        {live && <Spinner label="A run is in progress" />}
        {live && <span className="text-xs text-sky-700 dark:text-sky-400">live</span>}
        <Link href={`/flows/${flowId}/runs`} className="ml-auto text-xs font-medium text-indigo-600 hover:underline dark:text-indigo-400">
          All runs
        </Link>
      </div>
      {open && (
        <div id="runs-panel-body" className="max-h-44 overflow-y-auto border-t border-slate-100 dark:border-slate-800">
          {runs.isError && <p className="p-3 text-sm text-rose-600">{errorMessage(runs.error)}</p>}
          {runs.isSuccess && items.length === 0 && (
            <p className="p-3 text-sm text-slate-500" data-testid="runs-panel-empty">
              No runs yet. Press <strong>Run</strong> to try the saved flow.
            </p>
          )}
          {items.length > 0 && <RunsTable runs={items} compact />}
        </div>
      )}
    </section>
  );
}
