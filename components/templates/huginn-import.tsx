'use client';

import { useEffect, useRef, useState, type DragEvent } from 'react';
import Link from 'next/link';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { CircleAlert, CircleCheck, FileJson, KeyRound, RotateCcw, TriangleAlert, Upload, Waves } from 'lucide-react';
import { PageHeader } from '../app-shell/page-header';
import { useCan } from '../auth/account-context';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import type { AgentInfo } from '../trpc/types';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { cn } from '../ui/cn';
import { Field } from '../ui/field';
import { plural } from '../ui/format';
import { Input } from '../ui/input';
import { Textarea } from '../ui/textarea';
import { AgentChip, useAgentCatalog } from './agent-icons';
import type { HuginnImportResult, HuginnReport } from './types';

type Parsed = { ok: true; value: unknown; name?: string; agents: number; links: number } | { ok: false; message: string };

/** Checks the text before sending it, so that a wrong file is explained at once. */
function parseScenario(text: string): Parsed | null {
  if (!text.trim()) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const where = /position (\d+)/.exec((e as Error).message)?.[1];
    return { ok: false, message: `This is not valid JSON${where ? ` (the problem is near character ${where})` : ''}. Export the scenario again in Huginn and use the whole file.` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'This is JSON, but not a Huginn scenario export: that is one object with an "agents" list.' };
  const s = value as { name?: unknown; agents?: unknown; links?: unknown };
  if (!Array.isArray(s.agents)) return { ok: false, message: 'This JSON has no "agents" list, so it is not a Huginn scenario export. In Huginn, open the scenario and choose Export.' };
  if (s.agents.length === 0) return { ok: false, message: 'This scenario has no agents, so there is nothing to import.' };
  return { ok: true, value, name: typeof s.name === 'string' ? s.name : undefined, agents: s.agents.length, links: Array.isArray(s.links) ? s.links.length : 0 };
}

const STATUS: Record<HuginnReport['agents'][number]['status'], { label: string; tone: 'green' | 'amber' | 'red'; icon: typeof CircleCheck; help: string }> = {
  mapped: { label: 'Mapped', tone: 'green', icon: CircleCheck, help: 'Works the same way.' },
  approximated: { label: 'Approximated', tone: 'amber', icon: Waves, help: 'Works, with differences described in the notes.' },
  needs_attention: { label: 'Needs attention', tone: 'red', icon: TriangleAlert, help: 'Fix this before relying on the flow.' },
};

/** Import a Huginn scenario export as a new flow, and read what carried over, agent by agent. */
export function HuginnImport() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canEdit = useCan('edit');
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [dragging, setDragging] = useState(false);
  const [readError, setReadError] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const imported = useMutation(
    trpc.templates.importHuginn.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.credentials.list.queryKey() });
      },
    }),
  );
  const parsed = parseScenario(text);

  async function readFile(file: File | undefined) {
    if (!file) return;
    setReadError(null);
    if (file.size > 10_000_000) return setReadError('This file is larger than 10 MB; a Huginn scenario export is much smaller. Check you chose the right file.');
    try {
      setText(await file.text());
      setFileName(file.name);
      setTouched(true);
    } catch {
      setReadError('The file could not be read. Try again, or open it and paste its contents below.');
    }
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    void readFile(e.dataTransfer.files[0]);
  }

  function start() {
    setTouched(true);
    if (!parsed?.ok) return;
    imported.mutate({ scenario: parsed.value, ...(name.trim() ? { name: name.trim() } : {}) });
  }

  if (imported.isSuccess) {
    const again = () => {
      imported.reset();
      setText('');
      setFileName(null);
      setName('');
      setTouched(false);
    };
    return <ImportReport result={imported.data} onAgain={again} />;
  }

  return (
    <>
      <PageHeader title="Import from Huginn" description="Bring a Huginn scenario over as a Muninn flow. You see, agent by agent, what carried over and what to check." />
      {!canEdit ? (
        <p className="rounded-xl border border-slate-200 bg-slate-50 p-4 text-sm text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400">
          Your role in this workspace lets you look, not create flows. Ask a builder or an admin to import the scenario.
        </p>
      ) : (
        <div className="max-w-3xl space-y-5" data-testid="huginn-import">
          <ol className="list-decimal space-y-1 pl-5 text-sm text-slate-600 dark:text-slate-400">
            <li>In Huginn, open the scenario and choose <span className="font-medium">Export</span>. You get a .json file.</li>
            <li>Upload that file here, or paste its contents.</li>
            <li>Muninn creates a flow, switched off, and a report of what to check.</li>
          </ol>

          <div
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
            className={cn(
              'flex flex-col items-center gap-3 rounded-2xl border-2 border-dashed px-6 py-8 text-center transition-colors',
              dragging ? 'border-indigo-400 bg-indigo-50 dark:bg-indigo-950' : 'border-slate-300 bg-white dark:border-slate-700 dark:bg-slate-900',
            )}
          >
            <FileJson className="h-8 w-8 text-indigo-500" aria-hidden />
            <p className="text-sm text-slate-600 dark:text-slate-400">{fileName ? <>Loaded <span className="font-medium">{fileName}</span>.</> : 'Drop the exported .json file here, or'}</p>
            <input ref={fileRef} type="file" accept=".json,application/json" className="sr-only" onChange={(e) => void readFile(e.target.files?.[0])} data-testid="huginn-file" aria-label="Huginn scenario file" />
            <Button onClick={() => fileRef.current?.click()}>
              <Upload className="h-4 w-4" aria-hidden />
              {fileName ? 'Choose another file' : 'Choose a file'}
            </Button>
            {readError && (
              <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
                {readError}
              </p>
            )}
          </div>

          <Field label="…or paste the scenario" error={touched && parsed && !parsed.ok ? parsed.message : null} hint={parsed?.ok ? `Scenario “${parsed.name ?? 'without a name'}”: ${plural(parsed.agents, 'agent')}, ${plural(parsed.links, 'link')}.` : 'The whole exported JSON, starting with {'}>
            {({ invalid, ...c }) => (
              <Textarea
                {...c}
                invalid={invalid}
                mono
                rows={5}
                value={text}
                placeholder='{ "name": "…", "agents": [ … ], "links": [ … ] }'
                onChange={(e) => {
                  setText(e.target.value);
                  setFileName(null);
                }}
                onBlur={() => setTouched(true)}
                data-testid="huginn-text"
              />
            )}
          </Field>

          <Field label="Name of the new flow" hint={parsed?.ok && parsed.name ? `Left empty: “${parsed.name}”.` : 'Left empty: the scenario’s name.'}>
            {({ invalid, ...c }) => <Input {...c} invalid={invalid} maxLength={200} value={name} onChange={(e) => setName(e.target.value)} data-testid="huginn-name" />}
          </Field>

          {imported.isPending && (
            <div role="status" className="space-y-2" data-testid="huginn-progress">
              <div className="h-1.5 overflow-hidden rounded-full bg-indigo-100 dark:bg-indigo-950">
                <div className="h-full w-1/2 animate-pulse rounded-full bg-indigo-500" />
              </div>
              <p className="text-sm text-slate-600 dark:text-slate-400">
                Translating {parsed?.ok ? plural(parsed.agents, 'agent') : 'the agents'} into steps and building the flow…
              </p>
            </div>
          )}
          {imported.isError && (
            <p role="alert" className="flex gap-2 rounded-lg bg-rose-50 p-3 text-sm text-rose-800 dark:bg-rose-950 dark:text-rose-200" data-testid="huginn-error">
              <CircleAlert className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
              {errorMessage(imported.error)}
            </p>
          )}

          <div className="flex justify-end">
            <Button variant="primary" onClick={start} disabled={imported.isPending || !text.trim()} data-testid="huginn-import-submit">
              {imported.isPending ? 'Importing…' : 'Import the scenario'}
            </Button>
          </div>
        </div>
      )}
    </>
  );
}

function ImportReport({ result, onAgain }: { result: HuginnImportResult; onAgain: () => void }) {
  const catalog = useAgentCatalog();
  const r = result.report;
  // The report replaces the form: start reading it from the top.
  const top = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // A block body: newer browsers return a promise from scrollIntoView, which is no effect cleanup.
    top.current?.scrollIntoView({ block: 'start' });
  }, []);
  const openFlow = (
    <Link href={`/flows/${result.id}`} className="inline-flex h-9 items-center gap-2 rounded-lg bg-indigo-600 px-3.5 text-sm font-medium text-white shadow-sm hover:bg-indigo-500" data-testid="huginn-open-flow">
      Open the flow
    </Link>
  );
  return (
    <div ref={top} className="scroll-mt-8 space-y-6" data-testid="huginn-report">
      <PageHeader
        title={`Imported “${r.scenario}”`}
        description="The flow was created switched off. Check the agents marked below, then turn it on in the editor."
        actions={
          <>
            <Button variant="ghost" onClick={onAgain}>
              <RotateCcw className="h-4 w-4" aria-hidden />
              Import another
            </Button>
            {openFlow}
          </>
        }
      />

      <div className="grid grid-cols-3 gap-3" data-testid="huginn-summary">
        {(
          [
            ['mapped', r.summary.mapped],
            ['approximated', r.summary.approximated],
            ['needs_attention', r.summary.needsAttention],
          ] as const
        ).map(([status, n]) => {
          const s = STATUS[status];
          return (
            <div key={status} className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900" data-testid={`huginn-summary-${status}`}>
              <p className="flex items-center gap-2 text-sm font-medium">
                <s.icon className={cn('h-4 w-4', s.tone === 'green' ? 'text-emerald-600' : s.tone === 'amber' ? 'text-amber-600' : 'text-rose-600')} aria-hidden />
                {s.label}
              </p>
              <p className="mt-1 text-2xl font-semibold" data-testid="count">
                {n}
              </p>
              <p className="text-xs text-slate-500">{s.help}</p>
            </div>
          );
        })}
      </div>
      <p className="text-sm text-slate-500">
        {plural(r.summary.agents, 'Huginn agent')} became {plural(r.summary.nodes, 'step')} with {plural(r.summary.edges, 'connection')}.
      </p>

      {(r.warnings.length > 0 || r.credentialsToChoose.length > 0 || r.credentialsCreated.length > 0) && (
        <section className="space-y-3">
          {r.credentialsToChoose.length > 0 && (
            <div className="rounded-xl border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100" data-testid="huginn-credentials-to-choose">
              <p className="flex items-center gap-2 font-medium">
                <KeyRound className="h-4 w-4" aria-hidden />
                Choose credentials in these steps
              </p>
              <ul className="mt-1 list-disc space-y-0.5 pl-5">
                {r.credentialsToChoose.map((c) => (
                  <li key={c.nodeId}>
                    <span className="font-medium">{c.agent}</span> (step <code>{c.nodeId}</code>): {c.why}
                  </li>
                ))}
              </ul>
              <p className="mt-2">
                Save them first under{' '}
                <Link href="/settings/credentials" className="font-medium underline">
                  Settings → Credentials
                </Link>
                , then pick them in each step&apos;s settings.
              </p>
            </div>
          )}
          {r.credentialsCreated.length > 0 && (
            <p className="text-sm text-slate-600 dark:text-slate-400">
              Created from values in the scenario: {r.credentialsCreated.map((c) => `“${c.name}”`).join(', ')} (see Settings → Credentials).
            </p>
          )}
          {r.warnings.length > 0 && (
            <div className="rounded-xl border border-slate-200 bg-white p-4 text-sm dark:border-slate-800 dark:bg-slate-900" data-testid="huginn-warnings">
              <p className="font-medium">About the scenario as a whole</p>
              <ul className="mt-1 list-disc space-y-0.5 pl-5 text-slate-600 dark:text-slate-400">
                {r.warnings.map((w, i) => (
                  <li key={i}>{w}</li>
                ))}
              </ul>
            </div>
          )}
        </section>
      )}

      <section aria-labelledby="agents-heading">
        <h2 id="agents-heading" className="mb-3 text-base font-semibold">
          Agent by agent
        </h2>
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900" data-testid="huginn-agents">
          {r.agents.map((a) => (
            <AgentReport key={a.index} agent={a} catalog={catalog} />
          ))}
        </ul>
      </section>

      <div className="flex justify-end">{openFlow}</div>
    </div>
  );
}

function AgentReport({ agent: a, catalog }: { agent: HuginnReport['agents'][number]; catalog: Map<string, AgentInfo> }) {
  const s = STATUS[a.status];
  const types = [...new Set(a.muninnTypes)];
  return (
    <li className="grid gap-3 px-4 py-3 text-sm md:grid-cols-[14rem_minmax(0,1fr)]" data-testid="huginn-agent" data-status={a.status}>
      <div className="min-w-0 space-y-1">
        <p className="truncate font-medium">{a.name}</p>
        <p className="truncate text-xs text-slate-500">{a.huginnType}</p>
        <Badge tone={s.tone}>
          <s.icon className="h-3 w-3" aria-hidden />
          {s.label}
        </Badge>
      </div>
      <div className="min-w-0 space-y-2">
        <div className="flex flex-wrap items-center gap-2">
          <span className="text-xs text-slate-500">Became</span>
          {types.map((t) => (
            <span key={t} className="inline-flex items-center gap-1.5">
              <AgentChip type={t} agent={catalog.get(t)} />
              <span className="text-xs">{catalog.get(t)?.name ?? t}</span>
            </span>
          ))}
        </div>
        {a.notes.length > 0 && (
          <ul className="list-disc space-y-0.5 pl-5 text-slate-600 dark:text-slate-400">
            {a.notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        )}
      </div>
    </li>
  );
}
