'use client';

import { useEffect, useId, useMemo, useRef, useState } from 'react';
import Link from 'next/link';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CircleCheck, KeyRound, Plus, ShieldCheck, Trash2, TriangleAlert } from 'lucide-react';
import { useCan } from '../auth/account-context';
import { asSchema, fieldText, resolve } from '../canvas/schema/json-schema';
import { useTRPC } from '../trpc/client';
import { errorIssues, errorMessage, type FieldIssue } from '../trpc/errors';
import type { AgentInfo, FlowGraph } from '../trpc/types';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { Select } from '../ui/select';
import { Spinner } from '../ui/spinner';
import { Textarea } from '../ui/textarea';
import { useAgentCatalog } from './agent-icons';
import type { PublishResult } from './types';

interface PublishDialogProps {
  open: boolean;
  onClose: () => void;
  /** The flow to publish. Without it the dialog first asks which flow. */
  flowId?: string;
  /** Unsaved edits in the editor: publishing uses the last saved version of the flow. */
  dirty?: boolean;
  /** Start with "a new version of" this template (one the workspace owns). */
  slug?: string;
  onPublished?: (result: PublishResult) => void;
}

/**
 * "Publish as template": shares a saved flow with this workspace or everyone. Credentials never
 * travel with it (installers choose their own); chosen settings become values installers fill in;
 * anything that looks like a secret is taken out and replaced by such a value (or, if preferred,
 * publishing stops). A template the workspace owns gets a new version with a changelog.
 */
export function PublishDialog({ open, onClose, ...rest }: PublishDialogProps) {
  return (
    <Dialog open={open} onClose={onClose} title="Publish as a template" testId="publish-dialog">
      <PublishForm onClose={onClose} {...rest} />
    </Dialog>
  );
}

interface InputDraft {
  key: number;
  nodeId: string;
  field: string;
  label: string;
  description: string;
  /** Do not share the current value: installers must enter their own (a secret input). */
  private: boolean;
  /** The input's name in the version before, kept so that installed flows keep their value on update. */
  name?: string;
}

/**
 * The values installers filled in for the version before, where they sit in its graph (a whole
 * top-level setting holding `$input:<name>`): publishing the next version offers them again.
 */
function previousInputs(detail: { graph: FlowGraph; inputs: Array<{ name: string; label: string; description?: string; secret?: boolean }> }): InputDraft[] {
  const out: InputDraft[] = [];
  for (const input of detail.inputs) {
    for (const node of detail.graph.nodes) {
      const field = Object.entries(node.options ?? {}).find(([, v]) => v === `$input:${input.name}`)?.[0];
      if (!field) continue;
      out.push({ key: out.length + 1, nodeId: node.id, field, label: input.label, description: input.description ?? '', private: Boolean(input.secret), name: input.name });
      break;
    }
  }
  return out;
}

/** A value that likely holds a secret (a key in an address, a token, a password in a URL): not shared by default. */
const LOOKS_SECRET = /(api[-_]?key|apikey|token|secret|password|passwd|signature|sig|auth)=|\bbearer\s|\bxox[abposr]-|\bgh[pousr]_|\bsk[-_]|:\/\/[^/\s:@]+:[^/\s@]+@/i;

interface CredentialUse {
  nodeLabel: string;
  fieldLabel: string;
}

const NAME_RE = /[^a-z0-9_]+/g;

function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}

function inputName(field: string, taken: Set<string>): string {
  const base = (field.toLowerCase().replace(NAME_RE, '_').replace(/^[^a-z]+/, '').replace(/_+$/, '') || 'value').slice(0, 36);
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

function nodeTitle(node: FlowGraph['nodes'][number], agent: AgentInfo | undefined): string {
  return node.label || agent?.name || node.id;
}

/** Settings of a step that can become a value installers fill in: plain text, numbers and yes/no — not credentials. */
function settingsOf(node: FlowGraph['nodes'][number], agent: AgentInfo | undefined): Array<{ field: string; label: string; value: string }> {
  const root = asSchema(agent?.optionsSchema);
  const props = root.properties ?? {};
  return Object.entries(node.options ?? {})
    .filter(([key, v]) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && !resolve(props[key] ?? {}, root).credentialType)
    .filter(([, v]) => typeof v !== 'string' || (v !== '' && !v.startsWith('$input:') && !v.startsWith('$credential:')))
    .map(([key, v]) => ({ field: key, label: fieldText(key, resolve(props[key] ?? {}, root)).label, value: String(v) }));
}

/** Steps whose settings hold a credential: installers are asked for their own. */
function credentialUses(graph: FlowGraph | undefined, catalog: Map<string, AgentInfo>): CredentialUse[] {
  const out: CredentialUse[] = [];
  for (const node of graph?.nodes ?? []) {
    const agent = catalog.get(node.type);
    const root = asSchema(agent?.optionsSchema);
    for (const [key, prop] of Object.entries(root.properties ?? {})) {
      if (resolve(prop, root).credentialType && node.options?.[key]) out.push({ nodeLabel: nodeTitle(node, agent), fieldLabel: fieldText(key, resolve(prop, root)).label });
    }
  }
  return out;
}

function PublishForm({ onClose, flowId: givenFlowId, dirty, slug: givenSlug, onPublished }: Omit<PublishDialogProps, 'open'>) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canPublish = useCan('manage');
  const catalog = useAgentCatalog();
  const ids = useId();

  const [flowId, setFlowId] = useState(givenFlowId ?? '');
  const flows = useQuery(trpc.flows.list.queryOptions(undefined, { enabled: !givenFlowId }));
  const flow = useQuery(trpc.flows.get.queryOptions({ id: flowId }, { enabled: Boolean(flowId) }));
  const updateInfo = useQuery(trpc.templates.updateInfo.queryOptions({ flowId }, { enabled: Boolean(flowId) }));
  const all = useQuery(trpc.templates.list.queryOptions({ sort: 'name' }));
  const categories = useQuery(trpc.templates.categories.queryOptions());
  const own = (all.data ?? []).filter((t) => t.source === 'workspace');

  const [step, setStep] = useState<1 | 2>(1);
  const [target, setTarget] = useState<string>(givenSlug ?? ''); // '' = a new template
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [summary, setSummary] = useState('');
  const [description, setDescription] = useState('');
  const [category, setCategory] = useState('');
  const [tags, setTags] = useState('');
  const [visibility, setVisibility] = useState<'workspace' | 'everyone'>('workspace');
  const [inputs, setInputs] = useState<InputDraft[]>([]);
  const [secrets, setSecrets] = useState<'replace' | 'refuse'>('replace');
  const [changelog, setChangelog] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [nodeIssues, setNodeIssues] = useState<FieldIssue[]>([]);
  const [general, setGeneral] = useState<string | null>(null);
  const [published, setPublished] = useState<(PublishResult & { name: string }) | null>(null);

  // A flow published before, or installed from one of our own templates: publishing it again is
  // most likely its next version. (State adjusted while rendering, as React recommends for values
  // derived from props.)
  const ownSlugOfFlow = updateInfo.data?.publishedAs?.slug ?? updateInfo.data?.template?.slug;
  const [targetChosen, setTargetChosen] = useState(Boolean(givenSlug));
  if (!targetChosen && ownSlugOfFlow && own.some((t) => t.slug === ownSlugOfFlow)) {
    setTarget(ownSlugOfFlow);
    setTargetChosen(true);
  }

  // A new version starts from what the template says now.
  const existing = useQuery(trpc.templates.get.queryOptions({ slug: target }, { enabled: Boolean(target) }));
  const [prefilledFrom, setPrefilledFrom] = useState<string | null>(null);
  const d = existing.data;
  if (target && d && d.slug === target && prefilledFrom !== d.slug) {
    setPrefilledFrom(d.slug);
    setName(d.name);
    setSummary(d.summary);
    setDescription(d.description);
    setCategory(d.category);
    setTags(d.tags.join(', '));
    setVisibility(d.visibility);
    setInputs(previousInputs(d));
  }
  // A new template is named after the flow to begin with — unless a name was typed already.
  const [autoName, setAutoName] = useState<{ flowId: string; name: string } | null>(null);
  if (!target && flow.data && autoName?.flowId !== flow.data.id) {
    setAutoName({ flowId: flow.data.id, name: flow.data.name });
    if (!name.trim() || name === autoName?.name) setName(flow.data.name);
  }

  // Each step (and the result) starts at the top of the dialog, with its first words.
  const topRef = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    topRef.current?.closest('dialog')?.scrollTo({ top: 0 });
  }, [step, published]);

  const publish = useMutation(trpc.templates.publish.mutationOptions());
  const graph = flow.data?.graph;
  const creds = useMemo(() => credentialUses(graph, catalog), [graph, catalog]);
  const nodes = graph?.nodes ?? [];

  if (!canPublish) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="publish-needs-role">
        Only admins and owners of this workspace can publish templates. Ask one of them to publish this flow.
      </p>
    );
  }

  if (published) {
    return (
      <div className="space-y-4" data-testid="publish-done">
        <span ref={topRef} />
        <p className="flex items-start gap-2 text-sm">
          <CircleCheck className="mt-0.5 h-5 w-5 shrink-0 text-emerald-600" aria-hidden />
          <span>
            <span className="font-semibold">
              Published “{published.name}”{published.created ? '' : ` version ${published.version}`}.
            </span>{' '}
            {visibility === 'everyone' ? 'Everyone on this Muninn can install it.' : 'Everyone in this workspace can install it.'}
            {!published.created && ' Flows installed from it show that an update is available.'}
          </span>
        </p>
        {published.replacedSecrets.length > 0 && (
          <div className="rounded-lg bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100" data-testid="publish-secrets">
            <p className="font-medium">Secrets were taken out</p>
            <ul className="mt-1 list-disc space-y-0.5 pl-5">
              {published.replacedSecrets.map((s) => {
                const node = nodes.find((n) => n.id === s.nodeId);
                return (
                  <li key={`${s.nodeId}:${s.field}`}>
                    {s.what} in “{node ? nodeTitle(node, catalog.get(node.type)) : s.nodeId}” — installers enter their own ({s.input}).
                  </li>
                );
              })}
            </ul>
          </div>
        )}
        {published.credentials.length > 0 && (
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Installers choose their own credentials for: {published.credentials.map((c) => c.name).join(', ')}. Yours are not shared.
          </p>
        )}
        <div className="flex flex-wrap justify-end gap-2">
          <Button variant="ghost" onClick={onClose}>
            Close
          </Button>
          <Link href={`/templates/${published.slug}`} className="inline-flex h-9 items-center rounded-lg bg-indigo-600 px-3.5 text-sm font-medium text-white hover:bg-indigo-500" data-testid="publish-open-template">
            See it in the marketplace
          </Link>
        </div>
      </div>
    );
  }

  const tagList = tags
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  const effectiveSlug = slugEdited ? slug : slugify(name);

  function checkAbout(): boolean {
    const e: Record<string, string> = {};
    if (!flowId) e.flowId = 'Choose the flow to publish.';
    if (!name.trim()) e.name = 'Give the template a name, e.g. “New JIRA issues to Slack”.';
    if (!category.trim()) e.category = 'Choose or type a category, e.g. Notifications.';
    if (!target && effectiveSlug.length < 3) e.slug = 'The address needs at least 3 letters or digits.';
    setErrors(e);
    return Object.keys(e).length === 0;
  }

  function submit() {
    const e: Record<string, string> = {};
    if (target && !changelog.trim()) e.changelog = 'Say what changed in this version; people who installed it read this before updating.';
    inputs.forEach((i) => {
      if (!i.nodeId || !i.field) e[`input-${i.key}`] = 'Choose the step and the setting.';
      else if (!i.label.trim()) e[`input-${i.key}`] = 'Give it a label installers understand.';
    });
    setErrors(e);
    if (Object.keys(e).length) return;
    setGeneral(null);
    setNodeIssues([]);
    // Names of the version before stay the same, so installed flows keep the values they gave.
    const taken = new Set<string>(inputs.flatMap((i) => (i.name ? [i.name] : [])));
    publish.mutate(
      {
        flowId,
        slug: target || effectiveSlug,
        name: name.trim(),
        summary: summary.trim() || undefined,
        description,
        category: category.trim(),
        tags: tagList,
        visibility,
        inputs: inputs.map((i) => ({
          name: i.name ?? inputName(i.field, taken),
          label: i.label.trim(),
          ...(i.description.trim() ? { description: i.description.trim() } : {}),
          ...(i.private ? { secret: true } : {}),
          target: { nodeId: i.nodeId, field: i.field },
        })),
        changelog: changelog.trim(),
        secrets,
      },
      {
        onSuccess: (result) => {
          void queryClient.invalidateQueries({ queryKey: trpc.templates.list.queryKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.templates.categories.queryKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.templates.get.queryKey({ slug: result.slug }) });
          void queryClient.invalidateQueries({ queryKey: trpc.templates.updates.queryKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.templates.updateInfo.queryKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.templates.updatePreview.queryKey() });
          setPublished({ ...result, name: name.trim() });
          onPublished?.(result);
        },
        onError: (err) => {
          const issues = errorIssues(err);
          const fieldErrors: Record<string, string> = {};
          for (const i of issues) if (i.field && !i.nodeId && ['slug', 'name', 'category', 'changelog', 'summary', 'description'].includes(i.field)) fieldErrors[i.field] ??= i.message;
          setErrors(fieldErrors);
          setNodeIssues(issues.filter((i) => i.nodeId));
          setGeneral(errorMessage(err));
          if (fieldErrors.slug || fieldErrors.name || fieldErrors.category) setStep(1);
        },
      },
    );
  }

  const stepHeader = (
    <p className="mb-4 text-xs font-medium tracking-wide text-slate-500 uppercase" aria-live="polite">
      <span ref={topRef} />
      Step {step} of 2 · {step === 1 ? 'About the template' : 'What installers fill in'}
    </p>
  );

  if (step === 1) {
    return (
      <form
        className="space-y-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (checkAbout()) setStep(2);
        }}
        data-testid="publish-step-about"
      >
        {stepHeader}
        {dirty && (
          <p className="flex gap-2 rounded-lg bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">
            <TriangleAlert className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
            You have unsaved changes. Publishing uses the last saved version of the flow — save first to include them.
          </p>
        )}
        {!givenFlowId && (
          <Field label="Flow to publish" required error={errors.flowId}>
            {({ invalid, ...c }) => (
              <Select {...c} invalid={invalid} value={flowId} onChange={(e) => setFlowId(e.target.value)} data-testid="publish-flow-select">
                <option value="">{flows.isPending ? 'Loading your flows…' : 'Choose a flow…'}</option>
                {(flows.data ?? []).map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.name}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        )}
        {flow.data && flow.data.graph.nodes.length === 0 && (
          <p role="alert" className="rounded-lg bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">
            This flow has no steps yet, so there is nothing to publish. Add steps and save first.
          </p>
        )}
        {own.length > 0 && (
          <Field label="Publish as" hint={target ? 'People who installed it see that an update is available.' : undefined}>
            {({ invalid, ...c }) => (
              <Select
                {...c}
                invalid={invalid}
                value={target}
                onChange={(e) => {
                  setTarget(e.target.value);
                  setTargetChosen(true);
                  setPrefilledFrom(null);
                }}
                data-testid="publish-target"
              >
                <option value="">A new template</option>
                {own.map((t) => (
                  <option key={t.slug} value={t.slug}>
                    New version of “{t.name}” (now version {t.version})
                  </option>
                ))}
              </Select>
            )}
          </Field>
        )}
        {target && existing.isPending && <Spinner label="Loading the template…" />}
        <Field label="Name" required error={errors.name}>
          {({ invalid, ...c }) => <Input {...c} invalid={invalid} maxLength={120} value={name} onChange={(e) => setName(e.target.value)} data-testid="publish-name" />}
        </Field>
        {!target && (
          <Field label="Address" error={errors.slug} hint={`The template's page will be /templates/${effectiveSlug || '…'}`}>
            {({ invalid, ...c }) => (
              <Input
                {...c}
                invalid={invalid}
                maxLength={80}
                value={effectiveSlug}
                onChange={(e) => {
                  setSlugEdited(true);
                  setSlug(e.target.value.toLowerCase().replace(/[^a-z0-9-]/g, '-'));
                }}
                data-testid="publish-slug"
              />
            )}
          </Field>
        )}
        <Field label="Summary" hint="One line for the marketplace card. Left empty, the first paragraph of the description is used." error={errors.summary}>
          {({ invalid, ...c }) => <Input {...c} invalid={invalid} maxLength={200} value={summary} onChange={(e) => setSummary(e.target.value)} data-testid="publish-summary" />}
        </Field>
        <Field label="Description" hint="What it does, what it needs, how to adapt it. Markdown: **bold**, lists with -, `code`." error={errors.description}>
          {({ invalid, ...c }) => <Textarea {...c} invalid={invalid} rows={4} maxLength={20_000} value={description} onChange={(e) => setDescription(e.target.value)} data-testid="publish-description" />}
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Category" required error={errors.category}>
            {({ invalid, ...c }) => (
              <>
                <Input {...c} invalid={invalid} list={`${ids}-categories`} maxLength={60} value={category} onChange={(e) => setCategory(e.target.value)} data-testid="publish-category" />
                <datalist id={`${ids}-categories`}>
                  {(categories.data ?? []).map((x) => (
                    <option key={x.name} value={x.name} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <Field label="Tags" hint="Separated by commas.">
            {({ invalid, ...c }) => <Input {...c} invalid={invalid} value={tags} placeholder="jira, slack" onChange={(e) => setTags(e.target.value)} data-testid="publish-tags" />}
          </Field>
        </div>
        <fieldset className="space-y-1.5">
          <legend className="text-sm font-medium text-slate-700 dark:text-slate-200">Who can install it</legend>
          {(
            [
              ['workspace', 'This workspace', 'Only members of this workspace see it.'],
              ['everyone', 'Everyone', 'Every workspace on this Muninn sees it in the marketplace.'],
            ] as const
          ).map(([value, label, hint]) => (
            <label key={value} className="flex items-start gap-2 text-sm">
              <input type="radio" name={`${ids}-visibility`} className="mt-1 h-4 w-4 accent-indigo-600" checked={visibility === value} onChange={() => setVisibility(value)} data-testid={`publish-visibility-${value}`} />
              <span>
                <span className="font-medium">{label}</span> <span className="text-slate-500">— {hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" disabled={!flow.data || flow.data.graph.nodes.length === 0} data-testid="publish-next">
            Next
          </Button>
        </div>
      </form>
    );
  }

  return (
    <div className="space-y-5" data-testid="publish-step-inputs">
      {stepHeader}
      <section className="space-y-2 text-sm">
        <h3 className="flex items-center gap-2 font-semibold">
          <KeyRound className="h-4 w-4 text-amber-600" aria-hidden />
          Credentials
        </h3>
        {creds.length === 0 ? (
          <p className="text-slate-600 dark:text-slate-400">No step uses a credential.</p>
        ) : (
          <>
            <p className="text-slate-600 dark:text-slate-400">Your credentials are never shared. Installers choose their own for:</p>
            <ul className="list-disc pl-5 text-slate-600 dark:text-slate-400" data-testid="publish-credentials">
              {creds.map((c, i) => (
                <li key={i}>
                  {c.nodeLabel} ({c.fieldLabel})
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section className="space-y-3 text-sm">
        <div>
          <h3 className="font-semibold">Values installers fill in</h3>
          <p className="text-slate-600 dark:text-slate-400">Settings that differ for everyone — a channel, a project key, an address. What you have now becomes the suggested value.</p>
        </div>
        {inputs.map((draft, index) => {
          const node = nodes.find((n) => n.id === draft.nodeId);
          const settings = node ? settingsOf(node, catalog.get(node.type)) : [];
          const set = (patch: Partial<InputDraft>) => setInputs((list) => list.map((x) => (x.key === draft.key ? { ...x, ...patch } : x)));
          return (
            <div key={draft.key} className="space-y-2 rounded-lg border border-slate-200 p-3 dark:border-slate-700" data-testid="publish-input">
              <div className="flex items-center justify-between">
                <span className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Value {index + 1}</span>
                <Button size="icon" variant="ghost" aria-label={`Remove value ${index + 1}`} onClick={() => setInputs((list) => list.filter((x) => x.key !== draft.key))}>
                  <Trash2 className="h-4 w-4" aria-hidden />
                </Button>
              </div>
              <div className="grid grid-cols-2 gap-2">
                <Select aria-label={`Value ${index + 1}: step`} value={draft.nodeId} onChange={(e) => set({ nodeId: e.target.value, field: '', label: '', name: undefined })} data-testid="publish-input-node">
                  <option value="">Step…</option>
                  {nodes.map((n) => (
                    <option key={n.id} value={n.id}>
                      {nodeTitle(n, catalog.get(n.type))}
                    </option>
                  ))}
                </Select>
                <Select
                  aria-label={`Value ${index + 1}: setting`}
                  value={draft.field}
                  disabled={!node}
                  onChange={(e) => {
                    const s = settings.find((x) => x.field === e.target.value);
                    set({ field: e.target.value, label: draft.label || (s?.label ?? ''), private: Boolean(s && LOOKS_SECRET.test(s.value)), name: undefined });
                  }}
                  data-testid="publish-input-field"
                >
                  <option value="">{node && settings.length === 0 ? 'No settings to offer' : 'Setting…'}</option>
                  {settings.map((s) => (
                    <option key={s.field} value={s.field}>
                      {s.label}
                    </option>
                  ))}
                </Select>
              </div>
              <Input aria-label={`Value ${index + 1}: label installers see`} placeholder="Label installers see, e.g. Slack channel" value={draft.label} maxLength={100} onChange={(e) => set({ label: e.target.value })} data-testid="publish-input-label" />
              <Input aria-label={`Value ${index + 1}: help text`} placeholder="Help text (optional)" value={draft.description} maxLength={1000} onChange={(e) => set({ description: e.target.value })} />
              <label className="flex items-start gap-2 text-xs text-slate-600 dark:text-slate-400">
                <input type="checkbox" className="mt-0.5 h-3.5 w-3.5 accent-indigo-600" checked={draft.private} onChange={(e) => set({ private: e.target.checked })} data-testid="publish-input-private" />
                <span>
                  Keep my value private — installers enter their own (use this for anything secret).
                  {draft.private && draft.field && LOOKS_SECRET.test(settings.find((x) => x.field === draft.field)?.value ?? '') && ' Your value looks like it contains a secret.'}
                </span>
              </label>
              {draft.nodeId && graph && !node && (
                <p className="text-xs text-amber-700 dark:text-amber-400">The version before used the step “{draft.nodeId}”, which this flow does not have. Choose another step, or remove this value.</p>
              )}
              {errors[`input-${draft.key}`] && (
                <p role="alert" className="text-xs text-rose-600">
                  {errors[`input-${draft.key}`]}
                </p>
              )}
            </div>
          );
        })}
        <Button size="sm" onClick={() => setInputs((list) => [...list, { key: Date.now(), nodeId: '', field: '', label: '', description: '', private: false }])} data-testid="publish-add-input">
          <Plus className="h-3.5 w-3.5" aria-hidden />
          Add a value installers fill in
        </Button>
      </section>

      <fieldset className="space-y-1.5 text-sm">
        <legend className="mb-1 flex items-center gap-2 font-semibold">
          <ShieldCheck className="h-4 w-4 text-emerald-600" aria-hidden />
          Secrets in settings
        </legend>
        <p className="text-slate-600 dark:text-slate-400">Tokens, passwords in addresses or API keys typed into a setting are never published.</p>
        {(
          [
            ['replace', 'Take them out and ask installers for their own (recommended)'],
            ['refuse', 'Stop, and let me remove them first'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="flex items-start gap-2">
            <input type="radio" name={`${ids}-secrets`} className="mt-1 h-4 w-4 accent-indigo-600" checked={secrets === value} onChange={() => setSecrets(value)} />
            {label}
          </label>
        ))}
      </fieldset>

      <Field
        label={target ? 'What changed in this version' : 'Notes for this version'}
        required={Boolean(target)}
        error={errors.changelog}
        hint={target ? 'People who installed the template read this before they update.' : 'Optional. “First version” if left empty.'}
      >
        {({ invalid, ...c }) => <Textarea {...c} invalid={invalid} rows={3} maxLength={5000} value={changelog} onChange={(e) => setChangelog(e.target.value)} data-testid="publish-changelog" />}
      </Field>

      {general && (
        <div role="alert" className="space-y-1 rounded-lg bg-rose-50 p-3 text-sm text-rose-800 dark:bg-rose-950 dark:text-rose-200" data-testid="publish-error">
          <p>{general}</p>
          {nodeIssues.length > 1 && (
            <ul className="list-disc pl-5">
              {nodeIssues.map((i, n) => (
                <li key={n}>{i.message}</li>
              ))}
            </ul>
          )}
        </div>
      )}

      <div className="flex justify-between gap-2 pt-1">
        <Button variant="ghost" onClick={() => setStep(1)} disabled={publish.isPending}>
          Back
        </Button>
        <Button variant="primary" onClick={submit} disabled={publish.isPending} data-testid="publish-submit">
          {publish.isPending ? 'Publishing…' : target ? 'Publish new version' : 'Publish'}
        </Button>
      </div>
    </div>
  );
}
