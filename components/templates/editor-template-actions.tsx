'use client';

import { useCallback, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { saveStateOf } from '../canvas/store';
import { useEditorStore, useEditorStoreApi } from '../canvas/store-context';
import type { SaveFn } from '../canvas/use-flow-actions';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import { useToast } from '../ui/toast';
import { PublishDialog } from './publish-dialog';
import { diffSummary, UpdateBanner, type TemplateUpdateResult } from './update-banner';

/**
 * The marketplace inside the editor: "Publish as template" from the top bar, and the banner of a
 * flow whose template has a newer version.
 */

/** Publishing saves first, so that what is published is what is on the canvas. */
export function useEditorPublish(save: SaveFn) {
  const flowId = useEditorStore((s) => s.flowId);
  const dirty = useEditorStore((s) => saveStateOf(s) !== 'saved');
  const [open, setOpen] = useState(false);
  // If saving fails the dialog still opens, and says that the last saved version is what gets published.
  const start = useCallback(() => void save().finally(() => setOpen(true)), [save]);
  const dialog = <PublishDialog open={open} onClose={() => setOpen(false)} flowId={flowId} dirty={dirty} />;
  return { start, dialog };
}

interface EditorUpdateBannerProps {
  save: SaveFn;
  onShowChanges: () => void;
  onShowVersions: () => void;
  /** After the update is on the canvas (close the diff). */
  onUpdated: () => void;
}

/**
 * "Update available" under the top bar. Updating saves unsaved edits first, then loads the updated
 * flow onto the canvas as the saved version (so the editor sees no conflict with itself); the
 * version before stays in Versions.
 */
export function EditorUpdateBanner({ save, onShowChanges, onShowVersions, onUpdated }: EditorUpdateBannerProps) {
  const store = useEditorStoreApi();
  const flowId = useEditorStore((s) => s.flowId);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();

  const reload = useCallback(
    async (result: TemplateUpdateResult) => {
      try {
        const flow = await queryClient.fetchQuery({ ...trpc.flows.version.queryOptions({ id: flowId, version: result.version }), staleTime: Infinity });
        store.getState().loadGraph(flow.graph, { version: result.version, saved: true });
        void queryClient.invalidateQueries({ queryKey: trpc.flows.versions.queryKey({ id: flowId }) });
        onUpdated();
        toast.show({
          tone: 'success',
          message: `Updated to version ${result.toTemplateVersion} of the template. ${diffSummary(result.diff)} Your credentials and settings were kept. The flow as it was is version ${result.version - 1} in Versions.`,
          action: { label: 'Show versions', onClick: onShowVersions },
        });
      } catch (error) {
        toast.show({ tone: 'error', message: `The flow was updated, but the editor could not load it: ${errorMessage(error)} Reload the page to see it.` });
      }
    },
    [flowId, onShowVersions, onUpdated, queryClient, store, toast, trpc],
  );

  return (
    <UpdateBanner
      flowId={flowId}
      className="mx-3 mt-2"
      prepare={() => save()}
      onShowChanges={onShowChanges}
      onUpdated={(result) => void reload(result)}
      hideWhenDone
    />
  );
}
