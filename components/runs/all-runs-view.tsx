'use client';

import { Suspense } from 'react';
import Link from 'next/link';
import { BarChart3 } from 'lucide-react';
import { PageHeader } from '../app-shell/page-header';
import { PageSpinner } from '../ui/spinner';
import { RunsExplorer } from './runs-explorer';

/** Every run of the workspace, across flows. */
export function AllRunsView() {
  return (
    <>
      <PageHeader
        title="Runs"
        description="Every time one of your flows ran, newest first. Filter, search inside the data, and open a run to see what each step did."
        actions={
          <Link
            href="/dashboard"
            className="inline-flex h-9 items-center gap-2 rounded-lg border border-slate-300 bg-white px-3.5 text-sm font-medium shadow-sm hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800"
          >
            <BarChart3 className="h-4 w-4" aria-hidden />
            Dashboard
          </Link>
        }
      />
      <Suspense fallback={<PageSpinner label="Loading runs…" />}>
        <RunsExplorer />
      </Suspense>
    </>
  );
}
