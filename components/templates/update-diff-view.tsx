'use client';

import { useQuery } from '@tanstack/react-query';
import { DiffPanel } from '../canvas/diff-view';
import { useTRPC } from '../trpc/client';

/**
 * "See what changes": the flow as saved, and as the template's update would make it (the
 * credentials and values chosen at install kept), drawn with the editor's version diff.
 * Nothing is saved until Update is pressed in the banner.
 */
export function UpdateDiffView({ flowId, onClose }: { flowId: string; onClose: () => void }) {
  const trpc = useTRPC();
  const preview = useQuery(trpc.templates.updatePreview.queryOptions({ flowId }, { staleTime: 0, refetchOnMount: 'always' }));
  const p = preview.data;
  const asked = [...(p?.missing.credentials ?? []).map((c) => `a credential for “${c}”`), ...(p?.missing.inputs ?? []).map((i) => `a value for “${i}”`)];
  return (
    <DiffPanel
      testId="update-diff"
      title={p ? `What updating to version ${p.template.latestVersion} of “${p.template.name}” changes` : 'What the update changes'}
      older={p?.current}
      newer={p?.next}
      error={preview.error}
      loadingLabel="Preparing the update…"
      onClose={onClose}
      intro={
        p && (
          <p className="border-b border-slate-200 bg-sky-50 px-3 py-2 text-xs text-sky-900 dark:border-slate-800 dark:bg-sky-950 dark:text-sky-100" data-testid="update-diff-intro">
            Compared with the flow as last saved (version {p.flowVersion}). Your credentials, the values you chose and where you placed the steps are kept.
            {asked.length > 0 && ` Updating will ask for ${asked.join(' and ')}.`} Nothing changes until you press Update.
          </p>
        )
      }
    />
  );
}
