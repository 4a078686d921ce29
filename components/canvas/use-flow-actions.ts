'use client';

import { useCallback, useRef } from 'react';
import { useRouter } from 'next/navigation';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../trpc/client';
import { errorIssues, errorMessage, isConflict } from '../trpc/errors';
import { useToast } from '../ui/toast';
import { toGraph } from './graph';
import { isClean, nodeIdOfDraftKey } from './store';
import { useEditorStoreApi } from './store-context';

export interface SaveOptions {
  /** Save over the version named here instead of the one this editor is based on ("save mine over theirs"). */
  overrideVersion?: number;
  /** Autosave: problems show on the steps and in the save state, without a toast each time. */
  quiet?: boolean;
  /** The version being restored, for the new version's summary. */
  restoredFrom?: number;
}

export type SaveFn = (opts?: SaveOptions) => Promise<boolean>;

/** Save and Run for the open flow. Run always runs the saved version, so it saves unsaved changes first. */
export function useFlowActions() {
  const store = useEditorStoreApi();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const router = useRouter();
  // mutateAsync is stable across renders, so save/run (and the shortcuts bound to them) are too.
  const { mutateAsync: saveGraph } = useMutation(trpc.flows.saveGraph.mutationOptions());
  const { mutateAsync: startRun, isPending: running } = useMutation(trpc.runs.start.mutationOptions());
  const inflight = useRef<Promise<boolean> | null>(null);

  const saveOnce = useCallback(
    async ({ overrideVersion, quiet, restoredFrom }: SaveOptions): Promise<boolean> => {
      const s = store.getState();
      const broken = Object.keys(s.jsonDrafts)[0];
      if (broken) {
        const nodeId = nodeIdOfDraftKey(broken);
        if (!quiet) {
          toast.show({ tone: 'error', message: 'Some settings in a step are not valid yet. Fix them, then save again.', action: { label: 'Show', onClick: () => store.getState().selectNode(nodeId) } });
        }
        return false;
      }
      // A save known to be refused would only be refused again: show the choices instead.
      if (s.stale && overrideVersion === undefined) {
        if (!quiet) s.setConflict(true);
        return false;
      }
      const revision = s.revision;
      s.setSaving(true);
      try {
        const { version } = await saveGraph({
          id: s.flowId,
          baseVersion: overrideVersion ?? s.baseVersion,
          graph: toGraph(s.nodes, s.edges),
          ...(restoredFrom ? { restoredFrom } : {}),
        });
        store.getState().markSaved(version, revision);
        void queryClient.invalidateQueries({ queryKey: trpc.flows.get.queryKey({ id: s.flowId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.flows.versions.queryKey({ id: s.flowId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });
        return true;
      } catch (error) {
        const st = store.getState();
        st.setSaving(false);
        if (isConflict(error)) {
          // Autosave too: someone else's save must never be silently ignored or overwritten.
          st.setConflict(true);
          return false;
        }
        const issues = errorIssues(error);
        st.setServerIssues(issues);
        const first = issues.find((i) => i.nodeId && st.nodes.some((n) => n.id === i.nodeId))?.nodeId;
        if (!quiet || issues.length === 0) {
          toast.show({
            tone: 'error',
            message: errorMessage(error),
            action: first ? { label: 'Show', onClick: () => store.getState().selectNode(first) } : undefined,
          });
        }
        return false;
      }
    },
    [queryClient, saveGraph, store, toast, trpc],
  );

  /** Saves; a save requested while one is running waits for it, then saves what changed since. */
  const save: SaveFn = useCallback(
    async (opts = {}) => {
      while (inflight.current) await inflight.current;
      if (opts.overrideVersion === undefined && !opts.restoredFrom && isClean(store.getState()) && !store.getState().stale) return true;
      const promise = saveOnce(opts);
      inflight.current = promise;
      try {
        return await promise;
      } finally {
        inflight.current = null;
      }
    },
    [saveOnce, store],
  );

  const run = useCallback(async () => {
    const s = store.getState();
    if (!(await save())) return;
    try {
      const { runId } = await startRun({ flowId: s.flowId });
      void queryClient.invalidateQueries({ queryKey: trpc.runs.listForFlow.queryKey({ flowId: s.flowId }) });
      toast.show({ tone: 'success', message: 'Run started.', action: { label: 'Open run', onClick: () => router.push(`/runs/${runId}`) } });
    } catch (error) {
      toast.show({ tone: 'error', message: errorMessage(error) });
    }
  }, [queryClient, router, save, startRun, store, toast, trpc]);

  return { save, run, running };
}
