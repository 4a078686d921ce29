'use client';

import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { GitMerge } from 'lucide-react';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { Spinner } from '../ui/spinner';
import { useToast } from '../ui/toast';
import { toGraph } from './graph';
import { mergeGraphs } from './merge';
import { useEditorStore, useEditorStoreApi } from './store-context';
import type { SaveFn } from './use-flow-actions';

/**
 * Someone else saved first. Nothing is overwritten or thrown away without the user choosing.
 * When the two sets of changes touch different steps, Merge keeps both (a three-way merge of the
 * version loaded here, their latest save, and the canvas); otherwise it names the steps in
 * conflict and offers to reload theirs (undoable) or to keep editing.
 */
export function ConflictDialog({ save }: { save: SaveFn }) {
  const store = useEditorStoreApi();
  const open = useEditorStore((s) => s.conflict);
  return (
    <Dialog
      open={open}
      onClose={() => store.getState().setConflict(false)}
      title="Someone else saved this flow"
      testId="conflict-dialog"
      description={<p>While you were editing, this flow was saved from somewhere else (another person, or another tab). Your changes here are kept, but not saved yet.</p>}
    >
      {open && <ConflictChoices save={save} />}
    </Dialog>
  );
}

function ConflictChoices({ save }: { save: SaveFn }) {
  const store = useEditorStoreApi();
  const trpc = useTRPC();
  const toast = useToast();
  const flowId = useEditorStore((s) => s.flowId);
  const baseVersion = useEditorStore((s) => s.baseVersion);
  const nodes = useEditorStore((s) => s.nodes);
  const edges = useEditorStore((s) => s.edges);
  const [busy, setBusy] = useState(false);
  const latest = useQuery({ ...trpc.flows.get.queryOptions({ id: flowId }), staleTime: 0, refetchOnMount: 'always' });
  const base = useQuery(trpc.flows.version.queryOptions({ id: flowId, version: baseVersion }, { staleTime: Infinity }));

  const merge = useMemo(
    () => (latest.data && base.data ? mergeGraphs(base.data.graph, latest.data.graph, toGraph(nodes, edges)) : null),
    [base.data, latest.data, nodes, edges],
  );

  async function act(kind: 'merge' | 'reload' | 'overwrite') {
    const theirs = latest.data;
    if (!theirs) return;
    setBusy(true);
    try {
      const s = store.getState();
      if (kind === 'reload') {
        s.loadGraph(theirs.graph, { version: theirs.version, saved: true });
        toast.show({ tone: 'success', message: 'Loaded their version. Your changes are set aside: Undo brings them back.', action: { label: 'Undo', onClick: () => store.getState().undo() } });
      } else if (kind === 'merge' && merge) {
        s.loadGraph(merge.graph, { version: theirs.version, saved: false });
        if (await save()) {
          const renamed = merge.renamed.length ? ` ${merge.renamed.map((r) => `Your new step ${r.from} is now ${r.to}.`).join(' ')}` : '';
          toast.show({ tone: 'success', message: `Merged: your changes are saved on top of theirs.${renamed}` });
        }
      } else {
        s.setConflict(false);
        if (await save({ overrideVersion: theirs.version })) toast.show({ tone: 'success', message: 'Saved your version over the other one.' });
      }
    } catch (error) {
      toast.show({ tone: 'error', message: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  }

  const keepEditing = (
    <Button onClick={() => store.getState().setConflict(false)} disabled={busy} data-testid="conflict-keep">
      Keep editing
    </Button>
  );
  const reload = (primary: boolean) => (
    <Button variant={primary ? 'primary' : 'secondary'} onClick={() => void act('reload')} disabled={busy || !latest.data} data-testid="conflict-reload">
      Reload their version
    </Button>
  );
  const overwrite = (
    <Button variant="danger" onClick={() => void act('overwrite')} disabled={busy || !latest.data} data-testid="conflict-overwrite">
      Save mine over theirs
    </Button>
  );

  if (latest.isError || base.isError) {
    return (
      <div className="space-y-4">
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          Muninn could not load their version to compare: {errorMessage(latest.error ?? base.error)}
        </p>
        <div className="flex flex-wrap justify-end gap-2">
          {keepEditing}
          {overwrite}
          {reload(true)}
        </div>
      </div>
    );
  }
  if (!merge || !latest.data) return <Spinner label="Comparing your changes with theirs…" />;

  const conflicted = merge.conflicts.length > 0;
  return (
    <div className="space-y-4 text-sm" data-testid="conflict-choices" data-mergeable={!conflicted}>
      {conflicted ? (
        <div>
          <p>You both changed the same {merge.conflicts.length === 1 ? 'step' : 'steps'}, so Muninn cannot combine the two versions by itself:</p>
          <ul className="mt-2 space-y-1.5 rounded-lg bg-amber-50 p-3 dark:bg-amber-950/50" data-testid="conflict-list">
            {merge.conflicts.map((c) => (
              <li key={c.id}>
                <strong className="font-medium">{c.name}</strong> — {c.reason}
              </li>
            ))}
          </ul>
          <p className="mt-3 text-slate-600 dark:text-slate-400">
            Reload their version (your changes are set aside, and Undo brings them back), or keep editing and save yours over theirs when you are sure.
          </p>
        </div>
      ) : (
        <p className="flex gap-2 rounded-lg bg-emerald-50 p-3 text-emerald-900 dark:bg-emerald-950/50 dark:text-emerald-100">
          <GitMerge className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
          <span>
            Your changes and theirs touch different steps, so both can be kept. <strong>Merge</strong> puts your changes on top of their version (version{' '}
            {latest.data.version}) and saves.
          </span>
        </p>
      )}
      <div className="flex flex-wrap justify-end gap-2">
        {keepEditing}
        {conflicted ? (
          <>
            {overwrite}
            {reload(true)}
          </>
        ) : (
          <>
            {reload(false)}
            <Button variant="primary" onClick={() => void act('merge')} disabled={busy} data-testid="conflict-merge">
              <GitMerge className="h-4 w-4" aria-hidden />
              Merge
            </Button>
          </>
        )}
      </div>
    </div>
  );
}
