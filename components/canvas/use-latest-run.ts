'use client';

import { useQuery } from '@tanstack/react-query';
import { isActiveStatus } from '../runs/run-status';
import { LIVE_REFRESH_MS, useFlowRuns } from '../runs/use-flow-runs';
import { useTRPC } from '../trpc/client';

/** How many runs the editor's bottom panel lists. */
export const PANEL_RUNS = 8;

/** The newest run of the flow with its steps, refreshing while it is still going. */
export function useLatestRun(flowId: string) {
  const trpc = useTRPC();
  const runs = useFlowRuns(flowId, PANEL_RUNS);
  const latest = runs.data?.items[0];
  return useQuery(
    trpc.runs.get.queryOptions(
      { id: latest?.id ?? '' },
      {
        enabled: Boolean(latest),
        refetchInterval: (q) => {
          const run = q.state.data;
          return run && (isActiveStatus(run.status) || run.steps.some((s) => s.status === 'running' || s.status === 'retrying'))
            ? LIVE_REFRESH_MS
            : false;
        },
      },
    ),
  );
}
