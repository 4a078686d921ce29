'use client';

import { useCallback, useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import Link from 'next/link';
import { useCan } from '../auth/account-context';
import { isActiveStatus } from '../runs/run-status';
import { EditorUpdateBanner, useEditorPublish } from '../templates/editor-template-actions';
import { UpdateDiffView } from '../templates/update-diff-view';
import { useTRPC } from '../trpc/client';
import type { FlowDetail, RunDetail } from '../trpc/types';
import { ErrorNotice } from '../ui/error-notice';
import { PageSpinner } from '../ui/spinner';
import { Canvas } from './canvas';
import { ConflictDialog } from './conflict-dialog';
import { DiffView } from './diff-view';
import { ImportDialog, useExportFlow } from './import-export';
import { Inspector } from './inspector';
import { Palette } from './palette';
import { RunsPanel } from './runs-panel';
import { runStateOf } from './run-state';
import { ShortcutsDialog, useEditorShortcuts } from './shortcuts';
import { saveStateOf } from './store';
import { EditorStoreProvider, useEditorStore, useEditorStoreApi } from './store-context';
import { TopBar } from './top-bar';
import { useAutosave } from './use-autosave';
import { useEditorCommands } from './use-editor-commands';
import { useFlowActions } from './use-flow-actions';
import { useLatestRun } from './use-latest-run';
import { VersionsPanel, type CompareRequest } from './versions-panel';

/** The flow editor: loads the flow and the agent catalog, then hands them to one store. */
export function FlowEditor({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const flow = useQuery(trpc.flows.get.queryOptions({ id: flowId }));
  const agents = useQuery(trpc.agents.list.queryOptions(undefined, { staleTime: Infinity }));

  if (flow.isError || agents.isError) {
    return (
      <div className="mx-auto max-w-3xl p-8">
        <ErrorNotice title="The flow could not be opened." error={flow.error ?? agents.error}>
          <Link href="/flows" className="font-medium underline">
            Back to your flows
          </Link>
        </ErrorNotice>
      </div>
    );
  }
  if (!flow.data || !agents.data) return <PageSpinner label="Opening the flow…" />;

  return (
    // Only the first load seeds the store; later refetches (after a save) never overwrite local edits.
    <EditorStoreProvider key={flowId} init={{ flowId, version: flow.data.version, graph: flow.data.graph, catalog: agents.data }}>
      <ReactFlowProvider>
        <EditorLayout flow={flow.data} />
      </ReactFlowProvider>
    </EditorStoreProvider>
  );
}

function EditorLayout({ flow }: { flow: FlowDetail }) {
  const store = useEditorStoreApi();
  const agents = useEditorStore((s) => s.catalog);
  const { save, run, running } = useFlowActions();
  const [showShortcuts, setShowShortcuts] = useState(false);
  const [versionsOpen, setVersionsOpen] = useState(false);
  const [importOpen, setImportOpen] = useState(false);
  const [compare, setCompare] = useState<CompareRequest | null>(null);
  const [updateDiff, setUpdateDiff] = useState(false);
  const { fitView } = useReactFlow();
  const latestRun = useLatestRun(flow.id);
  const canEdit = useCan('edit');
  const commands = useEditorCommands();
  const exportFlow = useExportFlow(flow);

  useSyncServerState(flow, latestRun.data);
  useWarnBeforeLeaving();
  useAutosave(save, canEdit);

  const doSave = useCallback(() => void save(), [save]);
  const doRun = useCallback(() => void run(), [run]);
  const showHelp = useCallback(() => setShowShortcuts(true), []);
  const closeCompare = useCallback(() => setCompare(null), []);
  const closeUpdateDiff = useCallback(() => setUpdateDiff(false), []);
  const showVersions = useCallback(() => setVersionsOpen(true), []);
  const publish = useEditorPublish(save);
  useEditorShortcuts({
    save: doSave,
    run: doRun,
    help: showHelp,
    commands,
    canEdit: canEdit && !compare && !updateDiff,
    hasSelection: () => store.getState().nodes.some((n) => n.selected),
  });

  const addFromPalette = useCallback(
    (agentType: string) => {
      const id = store.getState().addNode(agentType);
      // Bring the new step into view without jumping the zoom around.
      window.requestAnimationFrame(() => void fitView({ nodes: [{ id }], maxZoom: 1, minZoom: 0.5, duration: 200, padding: 2 }));
    },
    [fitView, store],
  );

  return (
    <div className="flex h-full flex-col">
      <TopBar
        flow={flow}
        onSave={doSave}
        onRun={doRun}
        running={running}
        onShowShortcuts={showHelp}
        versionsOpen={versionsOpen}
        onToggleVersions={() => {
          setVersionsOpen(!versionsOpen);
          if (versionsOpen) setCompare(null);
        }}
        onExport={exportFlow}
        onImport={() => setImportOpen(true)}
        onPublish={publish.start}
      />
      <EditorUpdateBanner
        save={save}
        onShowChanges={() => {
          setCompare(null);
          setUpdateDiff(true);
        }}
        onShowVersions={showVersions}
        onUpdated={closeUpdateDiff}
      />
      <div className="flex min-h-0 flex-1">
        {canEdit && <Palette agents={[...agents.values()].filter((a) => !a.hidden)} onAdd={addFromPalette} />}
        <main className="relative flex min-w-0 flex-1 flex-col" aria-label="Canvas">
          <div className="relative min-h-0 flex-1">
            <Canvas commands={commands} />
            {compare && <DiffView key={JSON.stringify(compare)} request={compare} onClose={closeCompare} />}
            {updateDiff && !compare && <UpdateDiffView flowId={flow.id} onClose={closeUpdateDiff} />}
          </div>
          <RunsPanel />
        </main>
        {versionsOpen ? (
          <VersionsPanel
            save={save}
            onClose={() => {
              setVersionsOpen(false);
              setCompare(null);
            }}
            onCompare={setCompare}
          />
        ) : (
          <Inspector />
        )}
      </div>
      <ConflictDialog save={save} />
      <ImportDialog open={importOpen} onClose={() => setImportOpen(false)} save={save} />
      {publish.dialog}
      <ShortcutsDialog open={showShortcuts} onClose={() => setShowShortcuts(false)} />
    </div>
  );
}

/** Webhook addresses and the latest run's step statuses come from the server; the canvas shows them. */
function useSyncServerState(flow: FlowDetail, latestRun: RunDetail | undefined) {
  const store = useEditorStoreApi();
  useEffect(() => store.getState().setWebhooks(flow.webhooks), [flow.webhooks, store]);
  useEffect(() => {
    const active = Boolean(latestRun && (isActiveStatus(latestRun.status) || latestRun.steps.some((s) => s.status === 'running' || s.status === 'retrying')));
    store.getState().setRunState(runStateOf(latestRun), active);
  }, [latestRun, store]);
}

/** Closing the tab with unsaved changes asks first: edits are never lost silently. */
function useWarnBeforeLeaving() {
  const dirty = useEditorStore((s) => saveStateOf(s) !== 'saved');
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);
}
