'use client';

import { useEffect, useRef, useState } from 'react';
import Link from 'next/link';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Check, ChevronLeft, PartyPopper } from 'lucide-react';
import { useCan } from '../auth/account-context';
import { humanise } from '../canvas/schema/json-schema';
import { useTRPC } from '../trpc/client';
import { errorIssues, errorMessage } from '../trpc/errors';
import { Button } from '../ui/button';
import { cn } from '../ui/cn';
import { ErrorNotice } from '../ui/error-notice';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { PageSpinner } from '../ui/spinner';
import { CredentialChoice, initialInputValue, inputValuesToSend, issuesByPrefix, missingInputs, TemplateInputField, type InputValue } from './template-fields';
import type { TemplateDetail } from './types';

type StepId = 'credentials' | 'inputs' | 'review';

const STEP_LABEL: Record<StepId, string> = { credentials: 'Credentials', inputs: 'Your details', review: 'Review and install' };

/** The install page: loads the template, then walks through what it needs. */
export function InstallWizard({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const canEdit = useCan('edit');
  const template = useQuery(trpc.templates.get.queryOptions({ slug }));
  if (!canEdit) {
    return (
      <p className="rounded-xl border border-slate-200 bg-slate-50 p-4 text-sm text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400">
        Your role in this workspace lets you look at templates, not install them. Ask a builder or an admin to install it.{' '}
        <Link href={`/templates/${slug}`} className="font-medium text-indigo-600 underline dark:text-indigo-400">
          Back to the template
        </Link>
      </p>
    );
  }
  if (template.isPending) return <PageSpinner label="Loading the template…" />;
  if (template.isError) {
    return (
      <ErrorNotice title="The template could not be loaded." error={template.error}>
        <Link href="/templates" className="font-medium underline">
          Back to all templates
        </Link>
      </ErrorNotice>
    );
  }
  return <Wizard template={template.data} onCredentialCreated={() => void template.refetch()} />;
}

function Wizard({ template: t, onCredentialCreated }: { template: TemplateDetail; onCredentialCreated: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const steps: StepId[] = [...(t.credentials.length ? (['credentials'] as const) : []), ...(t.inputs.length ? (['inputs'] as const) : []), 'review'];
  const [step, setStep] = useState<StepId>(steps[0]!);
  const [reached, setReached] = useState(0);
  // One fitting credential is the obvious choice; several are left for the person to pick.
  const [credentials, setCredentials] = useState<Record<string, string | undefined>>(() =>
    Object.fromEntries(t.credentials.map((c) => [c.name, c.available.length === 1 ? c.available[0]!.id : undefined])),
  );
  const [inputs, setInputs] = useState<Record<string, InputValue>>(() => Object.fromEntries(t.inputs.map((i) => [i.name, initialInputValue(i)])));
  const [flowName, setFlowName] = useState(t.name);
  const [credErrors, setCredErrors] = useState<Record<string, string>>({});
  const [inputErrors, setInputErrors] = useState<Record<string, string>>({});
  const [nameError, setNameError] = useState<string | null>(null);
  const [other, setOther] = useState<string | null>(null);
  const install = useMutation(trpc.templates.install.mutationOptions());
  const index = steps.indexOf(step);

  function go(to: StepId) {
    const i = steps.indexOf(to);
    setStep(to);
    setReached((r) => Math.max(r, i));
  }

  // A new step: bring its heading into view and move focus there, so screen readers announce it.
  const stepRef = useRef<HTMLDivElement>(null);
  const shownStep = useRef(step);
  useEffect(() => {
    if (shownStep.current === step) return;
    shownStep.current = step;
    const heading = stepRef.current?.querySelector<HTMLElement>('#step-heading');
    heading?.focus({ preventScroll: true });
    stepRef.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [step]);

  function checkCredentials(): boolean {
    const e = Object.fromEntries(
      t.credentials.filter((c) => !credentials[c.name]).map((c) => [c.name, `Choose a credential for ${humanise(c.name)}, or create one.`]),
    );
    setCredErrors(e);
    return Object.keys(e).length === 0;
  }

  function checkInputs(): boolean {
    const e = missingInputs(t.inputs, inputs);
    setInputErrors(e);
    return Object.keys(e).length === 0;
  }

  function next() {
    if (step === 'credentials' && !checkCredentials()) return;
    if (step === 'inputs' && !checkInputs()) return;
    const following = steps[index + 1];
    if (following) go(following);
  }

  function submit() {
    if (!flowName.trim()) return setNameError('Give the flow a name.');
    setNameError(null);
    setOther(null);
    if (t.credentials.length && !checkCredentials()) return go('credentials');
    if (t.inputs.length && !checkInputs()) return go('inputs');
    install.mutate(
      {
        slug: t.slug,
        name: flowName.trim(),
        credentials: Object.fromEntries(Object.entries(credentials).filter((e): e is [string, string] => Boolean(e[1]))),
        inputs: inputValuesToSend(inputs),
      },
      {
        onSuccess: () => {
          void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.templates.list.queryKey() });
        },
        onError: (err) => {
          // Each problem goes back to the step where it can be fixed, under its field.
          const issues = errorIssues(err);
          const creds = issuesByPrefix(issues, 'credentials');
          const ins = issuesByPrefix(issues, 'inputs');
          setCredErrors(creds);
          setInputErrors(ins);
          if (Object.keys(creds).length && steps.includes('credentials')) go('credentials');
          else if (Object.keys(ins).length && steps.includes('inputs')) go('inputs');
          else setOther(errorMessage(err));
        },
      },
    );
  }

  if (install.isSuccess) {
    return (
      <div className="mx-auto max-w-xl space-y-5 rounded-2xl border border-emerald-200 bg-white p-8 text-center dark:border-emerald-900 dark:bg-slate-900" data-testid="install-done" role="status">
        <span className="mx-auto flex h-12 w-12 items-center justify-center rounded-full bg-emerald-50 text-emerald-600 dark:bg-emerald-950 dark:text-emerald-300">
          <PartyPopper className="h-6 w-6" aria-hidden />
        </span>
        <div className="space-y-2">
          <h2 className="text-xl font-semibold">Your flow is ready (inactive until you turn it on)</h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            “{install.data.name}” was created switched off, so nothing runs yet. Open it to look it over, try a step with “Test this node”, then turn on
            <span className="font-medium"> Active</span> in the editor&apos;s top bar.
          </p>
        </div>
        <div className="flex flex-wrap justify-center gap-2">
          <Link href={`/flows/${install.data.flowId}`} className="inline-flex h-9 items-center gap-2 rounded-lg bg-indigo-600 px-3.5 text-sm font-medium text-white shadow-sm hover:bg-indigo-500" data-testid="open-installed-flow">
            Open it in the editor
          </Link>
          <Link href="/templates" className="inline-flex h-9 items-center rounded-lg px-3.5 text-sm font-medium text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800">
            Back to templates
          </Link>
        </div>
      </div>
    );
  }

  return (
    <div ref={stepRef} className="mx-auto max-w-2xl scroll-mt-6 space-y-6" data-testid="install-wizard">
      <div className="space-y-1">
        <Link href={`/templates/${t.slug}`} className="inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-800 dark:hover:text-slate-200">
          <ChevronLeft className="h-4 w-4" aria-hidden />
          {t.name}
        </Link>
        <h1 className="text-2xl font-semibold tracking-tight">Install “{t.name}”</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">A few questions, then the flow is yours to adapt. It starts switched off.</p>
      </div>

      <Stepper steps={steps} current={index} reached={reached} onGo={(s) => go(s)} />

      {step === 'credentials' && (
        <section className="space-y-4" aria-labelledby="step-heading" data-testid="install-step-credentials">
          <div>
            <h2 id="step-heading" tabIndex={-1} className="text-lg font-semibold outline-none">
              Which accounts should it use?
            </h2>
            <p className="text-sm text-slate-600 dark:text-slate-400">Pick one of your saved credentials, or create one here. Nothing is shared with the template&apos;s author.</p>
          </div>
          {t.credentials.map((c) => (
            <CredentialChoice
              key={c.name}
              need={c}
              value={credentials[c.name]}
              onChange={(id) => {
                setCredentials((s) => ({ ...s, [c.name]: id }));
                if (id) setCredErrors(({ [c.name]: _done, ...rest }) => rest);
              }}
              error={credErrors[c.name]}
              suggestedName={`${c.typeLabel.split(' or ')[0]} for ${t.name}`.slice(0, 100)}
              onCreated={onCredentialCreated}
            />
          ))}
        </section>
      )}

      {step === 'inputs' && (
        <section className="space-y-4" aria-labelledby="step-heading" data-testid="install-step-inputs">
          <div>
            <h2 id="step-heading" tabIndex={-1} className="text-lg font-semibold outline-none">
              Your details
            </h2>
            <p className="text-sm text-slate-600 dark:text-slate-400">Suggested values are filled in; change what is different for you. You can change all of it later in the editor.</p>
          </div>
          <div className="space-y-4 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
            {t.inputs.map((i) => (
              <TemplateInputField key={i.name} input={i} value={inputs[i.name]} onChange={(v) => setInputs((s) => ({ ...s, [i.name]: v }))} error={inputErrors[i.name]} />
            ))}
          </div>
        </section>
      )}

      {step === 'review' && (
        <section className="space-y-4" aria-labelledby="step-heading" data-testid="install-step-review">
          <div>
            <h2 id="step-heading" tabIndex={-1} className="text-lg font-semibold outline-none">
              Review and install
            </h2>
            <p className="text-sm text-slate-600 dark:text-slate-400">The flow is created switched off: nothing runs until you turn it on.</p>
          </div>
          <div className="space-y-4 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
            <Field label="Name of the new flow" required error={nameError}>
              {({ invalid, ...c }) => <Input {...c} invalid={invalid} maxLength={200} value={flowName} onChange={(e) => setFlowName(e.target.value)} data-testid="install-flow-name" />}
            </Field>
            <dl className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
              {t.credentials.map((c) => {
                const chosen = c.available.find((a) => a.id === credentials[c.name]);
                return (
                  <div key={c.name} className="flex gap-4 py-2">
                    <dt className="w-40 shrink-0 text-slate-500">{humanise(c.name)}</dt>
                    <dd className="min-w-0 flex-1">{chosen ? chosen.name : credentials[c.name] ? 'The credential you just created' : <span className="text-rose-600">Not chosen yet</span>}</dd>
                  </div>
                );
              })}
              {t.inputs.map((i) => {
                const v = inputs[i.name];
                const shown = i.type === 'boolean' ? (v ? 'Yes' : 'No') : i.secret ? (v ? '•••••••• (entered)' : '—') : typeof v === 'string' && v.trim() ? v : i.default !== undefined ? `${String(i.default)} (suggested)` : '—';
                return (
                  <div key={i.name} className="flex gap-4 py-2">
                    <dt className="w-40 shrink-0 text-slate-500">{i.label}</dt>
                    <dd className="min-w-0 flex-1 break-words whitespace-pre-wrap">{shown}</dd>
                  </div>
                );
              })}
            </dl>
          </div>
          {install.isPending && (
            <div role="status" className="space-y-2" data-testid="install-progress">
              <div className="h-1.5 overflow-hidden rounded-full bg-indigo-100 dark:bg-indigo-950">
                <div className="h-full w-1/3 animate-pulse rounded-full bg-indigo-500" />
              </div>
              <p className="text-sm text-slate-600 dark:text-slate-400">Creating your flow and filling in your details…</p>
            </div>
          )}
          {other && (
            <p role="alert" className="rounded-lg bg-rose-50 p-3 text-sm text-rose-800 dark:bg-rose-950 dark:text-rose-200" data-testid="install-error">
              {other}
            </p>
          )}
        </section>
      )}

      <div className="flex items-center justify-between gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        {index > 0 ? (
          <Button variant="ghost" onClick={() => go(steps[index - 1]!)} disabled={install.isPending}>
            Back
          </Button>
        ) : (
          <Link href={`/templates/${t.slug}`} className="inline-flex h-9 items-center rounded-lg px-3.5 text-sm font-medium text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800">
            Cancel
          </Link>
        )}
        {step === 'review' ? (
          <Button variant="primary" onClick={submit} disabled={install.isPending} data-testid="install-submit">
            {install.isPending ? 'Installing…' : 'Install the flow'}
          </Button>
        ) : (
          <Button variant="primary" onClick={next} data-testid="install-next">
            Next
          </Button>
        )}
      </div>
    </div>
  );
}

/** Where the person is in the wizard; steps already seen can be revisited. */
function Stepper({ steps, current, reached, onGo }: { steps: StepId[]; current: number; reached: number; onGo: (s: StepId) => void }) {
  return (
    <nav aria-label="Install steps">
      <ol className="flex flex-wrap items-center gap-2 text-sm" data-testid="install-stepper">
        {steps.map((s, i) => {
          const done = i < current;
          const active = i === current;
          const label = (
            <>
              <span
                className={cn(
                  'flex h-6 w-6 items-center justify-center rounded-full text-xs font-semibold',
                  active ? 'bg-indigo-600 text-white' : done ? 'bg-emerald-100 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300' : 'bg-slate-100 text-slate-500 dark:bg-slate-800',
                )}
              >
                {done ? <Check className="h-3.5 w-3.5" aria-hidden /> : i + 1}
              </span>
              <span className={cn(active ? 'font-semibold text-slate-900 dark:text-slate-100' : 'text-slate-600 dark:text-slate-400')}>{STEP_LABEL[s]}</span>
              {done && <span className="sr-only">(done)</span>}
            </>
          );
          return (
            <li key={s} className="flex items-center gap-2" aria-current={active ? 'step' : undefined}>
              {i <= reached && !active ? (
                <button type="button" onClick={() => onGo(s)} className="flex items-center gap-2 rounded-lg px-1 py-0.5 hover:bg-slate-100 dark:hover:bg-slate-800">
                  {label}
                </button>
              ) : (
                <span className="flex items-center gap-2 px-1 py-0.5">{label}</span>
              )}
              {i < steps.length - 1 && <span className="h-px w-6 bg-slate-300 dark:bg-slate-700" aria-hidden />}
            </li>
          );
        })}
        <li className="ml-auto text-xs text-slate-500" aria-hidden>
          Step {current + 1} of {steps.length}
        </li>
      </ol>
    </nav>
  );
}

