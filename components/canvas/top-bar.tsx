'use client';

import Link from 'next/link';
import { ArrowLeftRight, ChevronLeft, Download, History, Keyboard, Play, Save, Store, Upload } from 'lucide-react';
import { useCan } from '../auth/account-context';
import { useSetFlowActive } from '../flows/use-flow-mutations';
import type { FlowDetail } from '../trpc/types';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { cn } from '../ui/cn';
import { Switch } from '../ui/switch';
import { FlowName } from './flow-name';
import { FlowSettings } from './flow-settings';
import { MenuButton, type MenuItem } from './menu-button';
import { SaveState } from './save-state';
import { useEditorStore } from './store-context';

interface TopBarProps {
  flow: FlowDetail;
  onSave: () => void;
  onRun: () => void;
  running: boolean;
  onShowShortcuts: () => void;
  versionsOpen: boolean;
  onToggleVersions: () => void;
  onExport: () => void;
  onImport: () => void;
  onPublish: () => void;
}

export function TopBar({ flow, onSave, onRun, running, onShowShortcuts, versionsOpen, onToggleVersions, onExport, onImport, onPublish }: TopBarProps) {
  const setActive = useSetFlowActive();
  const saving = useEditorStore((s) => s.saving);
  const active = setActive.isPending ? (setActive.variables?.active ?? flow.active) : flow.active;
  // Viewers may look, not change: no Active switch, Save, Run or Import (the server refuses them as well).
  const canEdit = useCan('edit');
  // Publishing shares the flow beyond its builders, so it is for admins and owners; builders see who can.
  const canPublish = useCan('manage');
  const publishIcon = <Store className="h-4 w-4" aria-hidden />;
  const transfer: MenuItem[] = [
    { label: 'Export to a file', icon: <Download className="h-4 w-4" aria-hidden />, onSelect: onExport, testId: 'export-flow' },
    ...(canEdit ? [{ label: 'Import a flow…', icon: <Upload className="h-4 w-4" aria-hidden />, onSelect: onImport, testId: 'import-flow' }] : []),
    ...(canPublish
      ? [{ label: 'Publish as template…', icon: publishIcon, onSelect: onPublish, testId: 'publish-template' }]
      : canEdit
        ? [{ label: 'Publish as template (admins and owners only)', icon: publishIcon, onSelect: () => {}, disabled: true, testId: 'publish-template' }]
        : []),
  ];

  return (
    <div className="flex h-13 shrink-0 items-center gap-2 border-b border-slate-200 bg-white px-3 dark:border-slate-800 dark:bg-slate-900">
      <Link href="/flows" aria-label="All flows" title="All flows" className="rounded-md p-1.5 text-slate-500 hover:bg-slate-100 hover:text-slate-900 dark:hover:bg-slate-800 dark:hover:text-slate-100">
        <ChevronLeft className="h-5 w-5" aria-hidden />
      </Link>
      <FlowName flowId={flow.id} name={flow.name} />
      <SaveState />
      <div className="flex-1" />
      {canEdit ? (
        <Switch
          checked={active}
          disabled={setActive.isPending}
          onChange={(next) => setActive.mutate({ id: flow.id, active: next })}
          label="Active"
          testId="active-toggle"
        />
      ) : (
        <Badge title="Your role in this workspace is Viewer: you can look at flows and runs, not change them." data-testid="view-only">
          View only
        </Badge>
      )}
      <Link
        href={`/flows/${flow.id}/runs`}
        className="inline-flex h-9 items-center gap-1.5 rounded-lg px-3 text-sm font-medium text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
        data-testid="runs-link"
      >
        <History className="h-4 w-4" aria-hidden />
        Runs
      </Link>
      <button
        type="button"
        aria-pressed={versionsOpen}
        onClick={onToggleVersions}
        data-testid="versions-button"
        className={cn(
          'inline-flex h-9 items-center gap-1.5 rounded-lg px-3 text-sm font-medium',
          versionsOpen ? 'bg-indigo-50 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300' : 'text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800',
        )}
      >
        <History className="h-4 w-4" aria-hidden />
        Versions
      </button>
      <MenuButton label="Import/Export" icon={<ArrowLeftRight className="h-4 w-4" aria-hidden />} items={transfer} testId="transfer-menu" />
      <FlowSettings flow={flow} />
      <Button variant="ghost" size="icon" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={onShowShortcuts}>
        <Keyboard className="h-4 w-4" aria-hidden />
      </Button>
      {canEdit && (
        <>
          <Button onClick={onSave} disabled={saving} title="Save now (Ctrl+S). Changes also save by themselves." data-testid="save-button">
            <Save className="h-4 w-4" aria-hidden />
            Save
          </Button>
          <Button variant="primary" onClick={onRun} disabled={running} title="Run the saved flow (Ctrl+Enter)" data-testid="run-button">
            <Play className="h-4 w-4" aria-hidden />
            {running ? 'Starting…' : 'Run'}
          </Button>
        </>
      )}
    </div>
  );
}
