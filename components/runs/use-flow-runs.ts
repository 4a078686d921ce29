'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../trpc/client';
import { isActiveStatus } from './run-status';

/** How often lists of runs refresh while one of them is still waiting or running. */
export const LIVE_REFRESH_MS = 2000;

/** The latest runs of a flow, refreshing every few seconds while any of them is still active. */
export function useFlowRuns(flowId: string, limit = 10) {
  const trpc = useTRPC();
  return useQuery(
    trpc.runs.listForFlow.queryOptions(
      { flowId, limit },
      {
        refetchInterval: (query) => (query.state.data?.items.some((r) => isActiveStatus(r.status)) ? LIVE_REFRESH_MS : false),
      },
    ),
  );
}
