'use client';

import { useQueryClient, type Query } from '@tanstack/react-query';
import { useTRPC } from '../trpc/client';
import { useRunStream, type RunChange, type StreamState } from './use-run-stream';

/**
 * After (re)connecting the stream says "anything may have changed": refetch only what was not
 * fetched just now, so opening a page does not load everything twice.
 */
function staleAfterReconnect(changes: RunChange[]) {
  if (changes.length > 0) return undefined;
  const since = Date.now() - 2_000;
  // Not a query loading right now (its answer is fresh anyway): restarting it would only waste it.
  return (q: Query) => q.state.fetchStatus !== 'fetching' && q.state.dataUpdatedAt < since;
}

/** Keeps `runs.get` of one run fresh: every change of the run refetches it. */
export function useLiveRun(runId: string, enabled = true): StreamState {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useRunStream({
    target: enabled ? { runId } : null,
    onChanges: (changes) =>
      void queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ id: runId }), predicate: staleAfterReconnect(changes) }),
  });
}

/**
 * Keeps lists of runs fresh (the explorer, a flow's runs, the editor's panel): a change refetches
 * the lists, and the open runs that changed. Without flowId, every run of the workspace is watched.
 */
export function useLiveRunLists({ flowId, enabled = true, throttleMs = 1000 }: { flowId?: string; enabled?: boolean; throttleMs?: number }): StreamState {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useRunStream({
    target: enabled ? (flowId ? { flowId } : {}) : null,
    throttleMs,
    onChanges: (changes) => {
      const predicate = staleAfterReconnect(changes);
      void queryClient.invalidateQueries({ queryKey: trpc.monitoring.runs.pathKey(), predicate });
      void queryClient.invalidateQueries({ queryKey: trpc.runs.listForFlow.pathKey(), predicate });
      for (const id of new Set(changes.map((c) => c.runId))) {
        void queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ id }) });
      }
    },
  });
}
