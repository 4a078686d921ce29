'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../trpc/client';
import { useLiveRunLists } from './live';
import { isActiveStatus } from './run-status';
import { SLOW_POLL_MS } from './use-run-stream';

/**
 * How often lists of runs refreshed while one of them was still going, before live updates.
 * Kept for callers that still poll; prefer useLiveRun / useLiveRunLists.
 */
export const LIVE_REFRESH_MS = 2000;

/**
 * The latest runs of a flow, kept fresh by the live stream of the flow's runs; only when the
 * stream is unavailable does it poll, slowly, and only while a run is still going.
 */
export function useFlowRuns(flowId: string, limit = 10) {
  const trpc = useTRPC();
  const stream = useLiveRunLists({ flowId, throttleMs: 500 });
  return useQuery(
    trpc.runs.listForFlow.queryOptions(
      { flowId, limit },
      {
        refetchInterval: (query) =>
          stream !== 'live' && query.state.data?.items.some((r) => isActiveStatus(r.status)) ? (stream === 'offline' ? SLOW_POLL_MS : LIVE_REFRESH_MS) : false,
      },
    ),
  );
}
