'use client';

import { Suspense } from 'react';
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { ArrowLeft, BarChart3, BellRing } from 'lucide-react';
import { PageHeader } from '../app-shell/page-header';
import { useTRPC } from '../trpc/client';
import { ErrorNotice } from '../ui/error-notice';
import { PageSpinner } from '../ui/spinner';
import { RunsExplorer } from './runs-explorer';

export const linkButtonClass =
  'inline-flex h-9 items-center gap-2 rounded-lg border border-slate-300 bg-white px-3.5 text-sm font-medium shadow-sm hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800';

/** One flow's runs: the explorer limited to the flow, with ways to its editor, dashboard and alerts. */
export function FlowRunsView({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const flow = useQuery(trpc.flows.get.queryOptions({ id: flowId }));
  if (flow.isError) {
    return (
      <ErrorNotice title="This flow could not be opened." error={flow.error}>
        <Link href="/runs" className="font-medium underline">
          See all runs
        </Link>
      </ErrorNotice>
    );
  }
  return (
    <>
      <PageHeader
        title={flow.data ? `Runs of “${flow.data.name}”` : 'Runs'}
        description="Every time this flow ran, newest first. Open a run to see what each step received and sent on."
        actions={
          <>
            <Link href={`/flows/${flowId}`} className={linkButtonClass}>
              <ArrowLeft className="h-4 w-4" aria-hidden />
              Editor
            </Link>
            <Link href={`/dashboard?flow=${flowId}`} className={linkButtonClass}>
              <BarChart3 className="h-4 w-4" aria-hidden />
              Dashboard
            </Link>
            <Link href={`/settings/alerts?flow=${flowId}`} className={linkButtonClass}>
              <BellRing className="h-4 w-4" aria-hidden />
              Alerts
            </Link>
          </>
        }
      />
      <Suspense fallback={<PageSpinner label="Loading runs…" />}>
        <RunsExplorer flowId={flowId} />
      </Suspense>
    </>
  );
}
