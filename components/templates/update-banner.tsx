'use client';

import { useMemo, useState } from 'react';
import Link from 'next/link';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ArrowUpCircle, ChevronDown, ChevronUp, CircleCheck, GitCompareArrows } from 'lucide-react';
import { useCan } from '../auth/account-context';
import { useTRPC } from '../trpc/client';
import { errorIssues, errorMessage } from '../trpc/errors';
import { Button } from '../ui/button';
import { cn } from '../ui/cn';
import { formatDateTime, plural } from '../ui/format';
import { Markdown } from '../ui/markdown';
import { Spinner } from '../ui/spinner';
import { CredentialChoice, inputValuesToSend, initialInputValue, issuesByPrefix, missingInputs, TemplateInputField, type InputValue } from './template-fields';
import type { GraphDiff, TemplateUpdateInfo } from './types';

export interface TemplateUpdateResult {
  flowId: string;
  version: number;
  fromTemplateVersion: number;
  toTemplateVersion: number;
  diff: GraphDiff;
}

interface UpdateBannerProps {
  flowId: string;
  /**
   * The editor has unsaved edits. Updating replaces the flow's steps, so it waits until they are
   * saved (the flow's history keeps the version before the update either way).
   */
  dirty?: boolean;
  /**
   * After the update is saved. In the editor, reload the flow into the canvas here (the update
   * made a new version of the flow); without it the banner shows what changed and stays put.
   */
  onUpdated?: (result: TemplateUpdateResult) => void;
  /** Outside the editor: names the flow and links to it. */
  flowName?: string;
  /** Placement, e.g. "mx-3 mt-2" under the editor's top bar. */
  className?: string;
  /** In the editor: "See what changes" draws the update as a diff on the canvas. */
  onShowChanges?: () => void;
  /**
   * In the editor: runs before the update (saving unsaved edits); false stops it. With it, unsaved
   * edits no longer hold the Update button back.
   */
  prepare?: () => Promise<boolean>;
  /** The caller says it was done (a toast in the editor): the banner then simply goes away. */
  hideWhenDone?: boolean;
}

/** "Added 1 step, changed 2; 1 new connection." */
export function diffSummary(diff: GraphDiff): string {
  const parts: string[] = [];
  if (diff.added.length) parts.push(`added ${plural(diff.added.length, 'step')}`);
  if (diff.changed.length) parts.push(`changed ${plural(diff.changed.length, 'step')}`);
  if (diff.removed.length) parts.push(`removed ${plural(diff.removed.length, 'step')}`);
  const edges: string[] = [];
  if (diff.edgesAdded) edges.push(`${plural(diff.edgesAdded, 'new connection')}`);
  if (diff.edgesRemoved) edges.push(`${plural(diff.edgesRemoved, 'connection')} removed`);
  const text = [parts.join(', '), edges.join(', ')].filter(Boolean).join('; ');
  return text ? `${text.charAt(0).toUpperCase()}${text.slice(1)}.` : 'The steps are the same; only details changed.';
}

/**
 * On a flow installed from a template that has a newer version: "Update available: v2 → v3",
 * what changed, and an Update button that keeps the credentials and values chosen at install
 * (asking only for what the new version adds).
 */
export function UpdateBanner({ flowId, dirty = false, onUpdated, flowName, className, onShowChanges, prepare, hideWhenDone = false }: UpdateBannerProps) {
  const trpc = useTRPC();
  const info = useQuery(trpc.templates.updateInfo.queryOptions({ flowId }, { staleTime: 60_000 }));
  const [done, setDone] = useState<TemplateUpdateResult | null>(null);

  if (done && hideWhenDone) return null;
  if (done) {
    return (
      <div role="status" className={cn('flex flex-wrap items-start gap-3 rounded-xl border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-100', className)} data-testid="update-done">
        <CircleCheck className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
        <p className="flex-1">
          {flowName ? `“${flowName}” now uses` : 'Updated to'} version {done.toTemplateVersion} of the template. {diffSummary(done.diff)} Your credentials and settings were kept; the version before the update is in the
          flow&apos;s history.
        </p>
        {flowName && (
          <Link href={`/flows/${flowId}`} className="font-medium text-emerald-800 underline dark:text-emerald-200">
            Open the flow
          </Link>
        )}
      </div>
    );
  }
  if (!info.data?.updateAvailable || !info.data.template) return null;
  return (
    <UpdateAvailable
      info={info.data}
      dirty={prepare ? false : dirty}
      prepare={prepare}
      onShowChanges={onShowChanges}
      flowName={flowName}
      className={className}
      onUpdated={(r) => {
        setDone(r);
        onUpdated?.(r);
      }}
    />
  );
}

function UpdateAvailable({
  info,
  dirty,
  flowName,
  className,
  onUpdated,
  onShowChanges,
  prepare,
}: {
  info: TemplateUpdateInfo;
  dirty: boolean;
  onShowChanges?: () => void;
  prepare?: () => Promise<boolean>;
  flowName?: string;
  className?: string;
  onUpdated: (r: TemplateUpdateResult) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canEdit = useCan('edit');
  const template = info.template!;
  const [open, setOpen] = useState(false);
  const [credentials, setCredentials] = useState<Record<string, string | undefined>>({});
  const [inputs, setInputs] = useState<Record<string, InputValue>>(() => Object.fromEntries(info.missing.inputs.map((i) => [i.name, initialInputValue(i)])));
  const [problems, setProblems] = useState<{ credentials: Record<string, string>; inputs: Record<string, string>; other?: string }>({ credentials: {}, inputs: {} });
  const apply = useMutation(trpc.templates.applyUpdate.mutationOptions());
  const needsAnswers = info.missing.credentials.length > 0 || info.missing.inputs.length > 0 || Object.keys(problems.credentials).length > 0 || Object.keys(problems.inputs).length > 0;
  // The latest version's needs (with the credentials available for each), for whatever must be asked.
  const detail = useQuery(trpc.templates.get.queryOptions({ slug: template.slug }, { enabled: open }));
  const flow = useQuery(trpc.flows.get.queryOptions({ id: info.flowId }, { enabled: open }));
  const preview = useMemo(() => {
    if (!detail.data || !flow.data) return null;
    const now = new Set(flow.data.graph.nodes.map((n) => n.id));
    const next = new Set(detail.data.graph.nodes.map((n) => n.id));
    return {
      added: detail.data.graph.nodes.filter((n) => !now.has(n.id)).map((n) => n.label || n.type),
      removed: flow.data.graph.nodes.filter((n) => !next.has(n.id)).map((n) => n.label || n.type),
    };
  }, [detail.data, flow.data]);

  const askCredentials = (detail.data?.credentials ?? []).filter((c) => info.missing.credentials.some((m) => m.name === c.name) || problems.credentials[c.name]);
  const askInputs = (detail.data?.inputs ?? []).filter((i) => info.missing.inputs.some((m) => m.name === i.name) || problems.inputs[i.name]);

  // The only credential of a fitting kind is the obvious choice; it is shown chosen and can be changed.
  const chosenFor = (c: (typeof askCredentials)[number]) => credentials[c.name] ?? (c.available.length === 1 ? c.available[0]!.id : undefined);

  const [preparing, setPreparing] = useState(false);
  async function update() {
    if (!open && needsAnswers) return setOpen(true);
    const missingCreds = Object.fromEntries(askCredentials.filter((c) => !chosenFor(c)).map((c) => [c.name, `Choose a credential for “${c.name}”, or create one.`]));
    const missing = missingInputs(askInputs, inputs);
    if (Object.keys(missingCreds).length || Object.keys(missing).length) {
      setOpen(true);
      return setProblems({ credentials: missingCreds, inputs: missing });
    }
    setProblems({ credentials: {}, inputs: {} });
    const chosen = Object.fromEntries(askCredentials.map((c) => [c.name, chosenFor(c)]).filter((e): e is [string, string] => Boolean(e[1])));
    const given = Object.fromEntries(Object.entries(inputValuesToSend(inputs)).filter(([k]) => askInputs.some((i) => i.name === k)));
    if (prepare) {
      setPreparing(true);
      const ready = await prepare().finally(() => setPreparing(false));
      if (!ready) return setProblems({ credentials: {}, inputs: {}, other: 'Your changes could not be saved, so the flow was not updated. Fix what the editor reports, then try again.' });
    }
    apply.mutate(
      { flowId: info.flowId, credentials: chosen, inputs: given },
      {
        onSuccess: (result) => {
          void queryClient.invalidateQueries({ queryKey: trpc.templates.updateInfo.queryKey({ flowId: info.flowId }) });
          void queryClient.invalidateQueries({ queryKey: trpc.templates.updatePreview.queryKey({ flowId: info.flowId }) });
          void queryClient.invalidateQueries({ queryKey: trpc.templates.updates.queryKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.flows.get.queryKey({ id: info.flowId }) });
          void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });
          onUpdated(result);
        },
        onError: (e) => {
          const issues = errorIssues(e);
          const creds = issuesByPrefix(issues, 'credentials');
          const ins = issuesByPrefix(issues, 'inputs');
          setOpen(true);
          setProblems({ credentials: creds, inputs: ins, other: Object.keys(creds).length || Object.keys(ins).length ? undefined : errorMessage(e) });
        },
      },
    );
  }

  const latest = info.changes[0];
  return (
    <section
      className={cn('rounded-xl border border-sky-200 bg-sky-50 text-sm text-sky-950 dark:border-sky-900 dark:bg-sky-950 dark:text-sky-100', className)}
      aria-label={`Update available for ${flowName ?? 'this flow'}`}
      data-testid="update-banner"
      data-flow-id={info.flowId}
    >
      <div className="flex flex-wrap items-center gap-3 px-4 py-2.5">
        <ArrowUpCircle className="h-5 w-5 shrink-0 text-sky-600 dark:text-sky-400" aria-hidden />
        <p className="min-w-0 flex-1">
          <span className="font-semibold" data-testid="update-versions">
            Update available: {template.name} v{template.latestVersion} (you have v{info.installedVersion})
          </span>{' '}
          <span className="text-sky-800 dark:text-sky-300">
            {flowName && (
              <>
                for <Link href={`/flows/${info.flowId}`} className="underline">{flowName}</Link>
              </>
            )}
            {latest && !open && ` — ${firstLine(latest.changelog)}`}
          </span>
        </p>
        {onShowChanges && (
          <Button size="sm" variant="ghost" onClick={onShowChanges} title="The flow as it is and as the update would make it, side by side on the canvas" data-testid="update-show-diff">
            <GitCompareArrows className="h-4 w-4" aria-hidden />
            See what changes
          </Button>
        )}
        <Button size="sm" variant="ghost" onClick={() => setOpen(!open)} aria-expanded={open} data-testid="update-details-toggle">
          {open ? <ChevronUp className="h-4 w-4" aria-hidden /> : <ChevronDown className="h-4 w-4" aria-hidden />}
          {open ? 'Hide details' : 'What is new'}
        </Button>
        {canEdit && (
          <Button size="sm" variant="primary" onClick={() => void update()} disabled={apply.isPending || preparing || dirty} title={dirty ? 'Save your changes first' : undefined} data-testid="update-apply">
            {apply.isPending || preparing ? 'Updating…' : 'Update'}
          </Button>
        )}
      </div>
      {dirty && canEdit && <p className="px-4 pb-2.5 text-xs text-sky-800 dark:text-sky-300">Save your changes first: the update replaces the flow&apos;s steps.</p>}
      {apply.isPending && (
        <p className="px-4 pb-2.5">
          <Spinner label="Updating the flow…" /> <span className="text-xs">Updating the flow…</span>
        </p>
      )}

      {open && (
        <div className="space-y-4 border-t border-sky-200 bg-white/70 px-4 py-4 text-slate-800 dark:border-sky-900 dark:bg-slate-900/60 dark:text-slate-100" data-testid="update-details">
          <div>
            <h3 className="mb-2 font-semibold">What is new</h3>
            <ol className="space-y-3">
              {info.changes.map((c) => (
                <li key={c.version}>
                  <p className="text-xs font-medium text-slate-500">
                    Version {c.version} · {formatDateTime(new Date(c.createdAt))}
                  </p>
                  <Markdown>{c.changelog}</Markdown>
                </li>
              ))}
            </ol>
          </div>
          {preview && (preview.added.length > 0 || preview.removed.length > 0) && (
            <div data-testid="update-preview">
              <h3 className="mb-1 font-semibold">Steps</h3>
              <ul className="list-disc space-y-0.5 pl-5 text-slate-600 dark:text-slate-400">
                {preview.added.length > 0 && <li>New: {preview.added.join(', ')}</li>}
                {preview.removed.length > 0 && <li>No longer in the template: {preview.removed.join(', ')}</li>}
              </ul>
            </div>
          )}
          <p className="text-slate-600 dark:text-slate-400">
            Updating keeps the credentials and values you chose when installing, and where you placed the steps. Changes you made to the template&apos;s steps
            are replaced; the version before the update stays in the flow&apos;s history.
          </p>
          {(askCredentials.length > 0 || askInputs.length > 0) && (
            <div className="space-y-3">
              <h3 className="font-semibold">The new version also needs</h3>
              {askCredentials.map((c) => (
                <CredentialChoice
                  key={c.name}
                  need={c}
                  value={chosenFor(c)}
                  onChange={(id) => setCredentials((s) => ({ ...s, [c.name]: id ?? '' }))}
                  error={problems.credentials[c.name]}
                  suggestedName={`${c.typeLabel.split(' or ')[0]} for ${template.name}`.slice(0, 100)}
                  onCreated={() => void detail.refetch()}
                />
              ))}
              {askInputs.map((i) => (
                <TemplateInputField key={i.name} input={i} value={inputs[i.name]} onChange={(v) => setInputs((s) => ({ ...s, [i.name]: v }))} error={problems.inputs[i.name]} />
              ))}
            </div>
          )}
          {detail.isPending && needsAnswers && <Spinner label="Loading what the new version needs…" />}
          {problems.other && (
            <p role="alert" className="rounded-lg bg-rose-50 p-3 text-rose-800 dark:bg-rose-950 dark:text-rose-200">
              {problems.other}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

function firstLine(markdown: string): string {
  const line = markdown.split('\n').map((l) => l.replace(/^[-*#>\s]+/, '').trim()).find(Boolean) ?? '';
  return line.length > 90 ? `${line.slice(0, 89)}…` : line;
}
