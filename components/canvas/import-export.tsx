'use client';

import { useState, type ChangeEvent } from 'react';
import { useRouter } from 'next/navigation';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { FileUp } from 'lucide-react';
import { useTRPC } from '../trpc/client';
import { errorIssues, errorMessage, type FieldIssue } from '../trpc/errors';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { Textarea } from '../ui/textarea';
import { useToast } from '../ui/toast';
import { toGraph } from './graph';
import { useEditorStoreApi } from './store-context';
import type { SaveFn } from './use-flow-actions';
import { fieldMessage } from './use-node-problems';

/** `Acme → JIRA sync!` → `acme-jira-sync`. */
export function fileSlug(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'flow'
  );
}

/** The canvas (saved or not) as a portable flow, downloaded as `<name>.muninn.json`. */
export function useExportFlow(flow: { name: string; description: string }) {
  const store = useEditorStoreApi();
  const toast = useToast();
  return () => {
    const { nodes, edges } = store.getState();
    const portable = { name: flow.name, ...(flow.description ? { description: flow.description } : {}), ...toGraph(nodes, edges) };
    const blob = new Blob([JSON.stringify(portable, null, 2) + '\n'], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${fileSlug(flow.name)}.muninn.json`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    toast.show({ tone: 'success', message: `Exported “${flow.name}” as ${a.download}. Import it into any Muninn workspace.` });
  };
}

type Mode = 'new' | 'replace';

function parseJson(text: string): { value: Record<string, unknown> } | { error: string } {
  if (!text.trim()) return { error: 'Paste the flow’s JSON, or choose a .muninn.json file.' };
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'This JSON is not a flow: a flow is an object with "name", "nodes" and "edges".' };
    return { value: value as Record<string, unknown> };
  } catch (e) {
    return { error: `This is not valid JSON (${e instanceof Error ? e.message : 'it could not be read'}). Check the quotes, commas and brackets.` };
  }
}

/** Import a portable flow: as a new flow, or in place of this flow's steps (undoable), checked like the API checks it. */
export function ImportDialog({ open, onClose, save }: { open: boolean; onClose: () => void; save: SaveFn }) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Import a flow"
      testId="import-dialog"
      description="Paste a flow exported from Muninn (a .muninn.json file), or choose the file."
    >
      {open && <ImportForm onClose={onClose} save={save} />}
    </Dialog>
  );
}

function ImportForm({ onClose, save }: { onClose: () => void; save: SaveFn }) {
  const trpc = useTRPC();
  const store = useEditorStoreApi();
  const router = useRouter();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [mode, setMode] = useState<Mode>('new');
  const [problem, setProblem] = useState<string | null>(null);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const importFlow = useMutation(trpc.flows.import.mutationOptions());
  const checkImport = useMutation(trpc.flows.checkImport.mutationOptions());
  const busy = importFlow.isPending || checkImport.isPending;

  function onText(next: string) {
    setText(next);
    setProblem(null);
    setIssues([]);
    const parsed = parseJson(next);
    if ('value' in parsed && typeof parsed.value.name === 'string' && !name) setName(parsed.value.name);
  }

  async function onFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (!file) return;
    if (file.size > 5_000_000) return setProblem('That file is larger than 5 MB; a flow is usually much smaller. Is it the right file?');
    onText(await file.text());
  }

  async function submit() {
    const parsed = parseJson(text);
    if ('error' in parsed) return setProblem(parsed.error);
    const input = { ...parsed.value, ...(name.trim() ? { name: name.trim() } : {}) };
    setProblem(null);
    setIssues([]);
    try {
      if (mode === 'new') {
        const { id } = await importFlow.mutateAsync(input);
        void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });
        toast.show({ tone: 'success', message: `Imported “${input.name as string}” as a new flow. It is switched off until you turn it on.` });
        onClose();
        router.push(`/flows/${id}`);
      } else {
        const checked = await checkImport.mutateAsync(input);
        const before = toGraph(store.getState().nodes, store.getState().edges);
        store.getState().loadGraph(checked.graph, { saved: false });
        onClose();
        const saved = await save();
        toast.show({
          tone: saved ? 'success' : 'info',
          message: `Replaced the steps with those of “${checked.name}” (${before.nodes.length} → ${checked.graph.nodes.length} steps).`,
          action: { label: 'Undo', onClick: () => store.getState().undo() },
        });
      }
    } catch (error) {
      setProblem(errorMessage(error));
      setIssues(errorIssues(error));
    }
  }

  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <Field label="Flow JSON" error={problem && issues.length === 0 ? problem : null}>
        {({ invalid, ...control }) => (
          <Textarea {...control} invalid={invalid} mono rows={5} value={text} onChange={(e) => onText(e.target.value)} placeholder='{ "name": "…", "nodes": [ … ], "edges": [ … ] }' data-testid="import-text" />
        )}
      </Field>
      <label className="inline-flex cursor-pointer items-center gap-2 rounded-lg border border-dashed border-slate-300 px-3 py-2 text-sm font-medium hover:bg-slate-50 focus-within:outline-2 focus-within:outline-indigo-500 dark:border-slate-700 dark:hover:bg-slate-800">
        <FileUp className="h-4 w-4" aria-hidden />
        Choose a file…
        <input type="file" accept=".json,application/json" className="sr-only" onChange={(e) => void onFile(e)} data-testid="import-file" />
      </label>

      <fieldset className="space-y-2">
        <legend className="mb-1 text-sm font-medium">Import as</legend>
        <label className="flex items-start gap-2 text-sm">
          <input type="radio" name="import-mode" checked={mode === 'new'} onChange={() => setMode('new')} className="mt-0.5 accent-indigo-600" data-testid="import-mode-new" />
          <span>
            <strong className="font-medium">A new flow</strong>
            <span className="block text-xs text-slate-500">This flow stays as it is.</span>
          </span>
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input type="radio" name="import-mode" checked={mode === 'replace'} onChange={() => setMode('replace')} className="mt-0.5 accent-indigo-600" data-testid="import-mode-replace" />
          <span>
            <strong className="font-medium">Replace the steps of this flow</strong>
            <span className="block text-xs text-slate-500">Saved as a new version; Undo or Versions bring the old steps back.</span>
          </span>
        </label>
      </fieldset>

      {mode === 'new' && (
        <Field label="Name of the new flow" hint="Taken from the file; change it if you like.">
          {(control) => <Input {...control} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} data-testid="import-name" />}
        </Field>
      )}

      {issues.length > 0 && <IssueList message={problem} issues={issues} />}

      <div className="flex justify-end gap-2">
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" disabled={busy} data-testid="import-submit">
          {busy ? 'Checking…' : mode === 'new' ? 'Import as a new flow' : 'Replace the steps'}
        </Button>
      </div>
    </form>
  );
}

/** Under the step's heading, `Node "x", setting "url": ` would only repeat it. */
function withoutNodeName(issue: FieldIssue): string {
  return fieldMessage(issue).replace(/^Node (?:"[^"]*" \([^)]*\)|"[^"]*")(?:, setting "[^"]*")?: /, '');
}

/** The server's problems, grouped by step, in its own words minus the repeated step name. */
function IssueList({ message, issues }: { message: string | null; issues: FieldIssue[] }) {
  const groups = new Map<string, FieldIssue[]>();
  for (const issue of issues) {
    const key = issue.nodeId ?? '';
    groups.set(key, [...(groups.get(key) ?? []), issue]);
  }
  return (
    <div role="alert" className="max-h-40 overflow-y-auto rounded-lg bg-rose-50 p-3 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-100" data-testid="import-issues">
      <p className="font-medium">{message?.split('. ')[0] ?? 'The flow has problems'}.</p>
      <ul className="mt-2 space-y-2">
        {[...groups.entries()].map(([nodeId, list]) => (
          <li key={nodeId || 'flow'} data-testid={nodeId ? `import-issue-${nodeId}` : 'import-issue-flow'}>
            <span className="font-medium">{nodeId ? `Step ${nodeId}` : 'The flow'}</span>
            <ul className="ml-4 list-disc">
              {list.map((i, n) => (
                <li key={n}>
                  {i.field && nodeId ? <code className="mr-1 rounded bg-rose-100 px-1 font-mono text-xs dark:bg-rose-900">{i.field}</code> : null}
                  {nodeId ? withoutNodeName(i) : i.message}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </div>
  );
}
