'use client';

import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { GitCompareArrows, History, RotateCcw, X } from 'lucide-react';
import { useCan } from '../auth/account-context';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import type { RouterOutputs } from '../trpc/types';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { cn } from '../ui/cn';
import { formatDateTime, formatRelative, plural } from '../ui/format';
import { Spinner } from '../ui/spinner';
import { useToast } from '../ui/toast';
import { saveStateOf } from './store';
import { useEditorStore, useEditorStoreApi } from './store-context';
import type { SaveFn } from './use-flow-actions';

type VersionItem = RouterOutputs['flows']['versions']['items'][number];

/** One side of a comparison: a saved version, or what is on the canvas now. */
export type CompareSide = { kind: 'version'; version: number } | { kind: 'canvas' };
export interface CompareRequest {
  older: CompareSide;
  newer: CompareSide;
}

export function sideLabel(side: CompareSide): string {
  return side.kind === 'canvas' ? 'the canvas now' : `version ${side.version}`;
}

interface VersionsPanelProps {
  save: SaveFn;
  onClose: () => void;
  onCompare: (request: CompareRequest) => void;
}

/**
 * Right panel: every saved version (who, when, what changed). Tick two to compare them on the
 * canvas, or one to compare it with the canvas or restore it.
 */
export function VersionsPanel({ save, onClose, onCompare }: VersionsPanelProps) {
  const trpc = useTRPC();
  const flowId = useEditorStore((s) => s.flowId);
  const current = useEditorStore((s) => s.baseVersion);
  const unsaved = useEditorStore((s) => saveStateOf(s) !== 'saved');
  const versions = useQuery(trpc.flows.versions.queryOptions({ id: flowId }, { refetchOnMount: 'always' }));
  const [picked, setPicked] = useState<number[]>([]);
  const restore = useRestoreVersion(save);
  const canEdit = useCan('edit');

  function toggle(version: number) {
    setPicked((list) => (list.includes(version) ? list.filter((v) => v !== version) : [...list, version].slice(-2)));
  }

  const items = versions.data?.items ?? [];
  const [a, b] = [...picked].sort((x, y) => x - y);
  const one = picked.length === 1 ? picked[0] : undefined;

  return (
    <aside aria-label="Versions" data-testid="versions-panel" className="flex h-full w-[22rem] shrink-0 flex-col border-l border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <header className="flex items-center gap-2 border-b border-slate-200 px-4 py-3 dark:border-slate-800">
        <History className="h-4 w-4 text-slate-500" aria-hidden />
        <h2 className="flex-1 font-semibold">Versions</h2>
        <Button variant="ghost" size="icon" aria-label="Close versions" title="Close" onClick={onClose}>
          <X className="h-4 w-4" aria-hidden />
        </Button>
      </header>
      <p className="border-b border-slate-100 px-4 py-2 text-xs text-slate-600 dark:border-slate-800 dark:text-slate-400">
        Every save is kept. Tick two versions to see what changed between them, or one to compare it with the canvas or bring it back.
      </p>

      <div className="min-h-0 flex-1 overflow-y-auto">
        {versions.isPending && <Spinner label="Loading versions…" className="p-4" />}
        {versions.isError && <p className="p-4 text-sm text-rose-700">{errorMessage(versions.error)}</p>}
        {versions.isSuccess && items.length <= 1 && (
          <p className="p-4 text-sm text-slate-600 dark:text-slate-400" data-testid="versions-empty">
            This is the first version. Each time the flow is saved, a new version appears here, and you can compare or restore any of them.
          </p>
        )}
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {items.map((v) => (
            <VersionRow key={v.version} item={v} current={v.version === current} unsaved={unsaved} checked={picked.includes(v.version)} onToggle={() => toggle(v.version)} />
          ))}
        </ul>
        {versions.data && versions.data.total > items.length && (
          <p className="p-4 text-xs text-slate-500">Showing the latest {items.length} of {versions.data.total} versions.</p>
        )}
      </div>

      <footer className="space-y-2 border-t border-slate-200 p-3 dark:border-slate-800">
        {picked.length === 0 && <p className="text-xs text-slate-500">Tick a version to compare or restore it.</p>}
        {a !== undefined && b !== undefined && (
          <Button variant="primary" className="w-full justify-center" onClick={() => onCompare({ older: { kind: 'version', version: a }, newer: { kind: 'version', version: b } })} data-testid="versions-compare">
            <GitCompareArrows className="h-4 w-4" aria-hidden />
            Compare version {a} with version {b}
          </Button>
        )}
        {one !== undefined && (
          <>
            <Button className="w-full justify-center" onClick={() => onCompare({ older: { kind: 'version', version: one }, newer: { kind: 'canvas' } })} data-testid="versions-compare-canvas">
              <GitCompareArrows className="h-4 w-4" aria-hidden />
              Compare version {one} with the canvas
            </Button>
            {canEdit && (
              <Button
                variant="primary"
                className="w-full justify-center"
                disabled={restore.busy || (one === current && !unsaved)}
                title={one === current && !unsaved ? 'This is the version on the canvas.' : undefined}
                onClick={() => void restore.run(one).then((ok) => ok && setPicked([]))}
                data-testid="versions-restore"
              >
                <RotateCcw className="h-4 w-4" aria-hidden />
                {restore.busy ? 'Restoring…' : `Restore version ${one}`}
              </Button>
            )}
          </>
        )}
      </footer>
    </aside>
  );
}

function VersionRow({ item, current, unsaved, checked, onToggle }: { item: VersionItem; current: boolean; unsaved: boolean; checked: boolean; onToggle: () => void }) {
  const id = `version-${item.version}`;
  return (
    <li className={cn('flex gap-3 px-4 py-3', checked && 'bg-indigo-50/70 dark:bg-indigo-950/40')} data-testid={`version-row-${item.version}`}>
      <input id={id} type="checkbox" checked={checked} onChange={onToggle} className="mt-1 h-4 w-4 accent-indigo-600" aria-describedby={`${id}-about`} data-testid={`version-pick-${item.version}`} />
      <label htmlFor={id} className="min-w-0 flex-1 cursor-pointer">
        <span className="flex items-center gap-2">
          <span className="font-medium">Version {item.version}</span>
          {current && (
            <Badge tone={unsaved ? 'amber' : 'green'} title={unsaved ? 'The canvas started from this version and has unsaved changes.' : 'This is what is on the canvas.'}>
              {unsaved ? 'on canvas, edited' : 'on canvas'}
            </Badge>
          )}
        </span>
        <span id={`${id}-about`} className="mt-0.5 block text-xs text-slate-600 dark:text-slate-400">
          <span title={formatDateTime(new Date(item.createdAt))}>{formatRelative(new Date(item.createdAt))}</span>
          {' · '}
          {item.createdBy ?? 'someone'}
          {' · '}
          {plural(item.nodeCount, 'step')}
        </span>
        <span className="mt-1 block text-sm text-slate-800 dark:text-slate-200" data-testid="version-summary">
          {item.summary || 'Saved'}
        </span>
      </label>
    </li>
  );
}

/** Restore = put that version's graph on the canvas (undoable) and save it as a new version. */
export function useRestoreVersion(save: SaveFn) {
  const trpc = useTRPC();
  const store = useEditorStoreApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [busy, setBusy] = useState(false);

  async function run(version: number): Promise<boolean> {
    setBusy(true);
    try {
      const flowId = store.getState().flowId;
      const saved = await queryClient.fetchQuery(trpc.flows.version.queryOptions({ id: flowId, version }, { staleTime: Infinity }));
      store.getState().loadGraph(saved.graph, { saved: false });
      const ok = await save({ restoredFrom: version });
      if (ok) {
        toast.show({
          tone: 'success',
          message: `Restored version ${version}; it is saved as version ${store.getState().baseVersion}.`,
          action: { label: 'Undo', onClick: () => store.getState().undo() },
        });
      }
      return ok;
    } catch (error) {
      toast.show({ tone: 'error', message: errorMessage(error) });
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { run, busy };
}
