'use client';

import { useState } from 'react';
import Link from 'next/link';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Send } from 'lucide-react';
import { useTRPC } from '../trpc/client';
import { errorIssues, errorMessage } from '../trpc/errors';
import { Button } from '../ui/button';
import { cn } from '../ui/cn';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { Select } from '../ui/select';
import { useToast } from '../ui/toast';
import { CHANNEL_CREDENTIALS, deliveryErrorText, describeCondition, type AlertCondition, type AlertDelivery, type AlertRule } from './alert-words';

type Unit = 'minutes' | 'hours' | 'days';
const UNIT_MINUTES: Record<Unit, number> = { minutes: 1, hours: 60, days: 1440 };

function splitMinutes(minutes: number): { amount: string; unit: Unit } {
  if (minutes % 1440 === 0) return { amount: String(minutes / 1440), unit: 'days' };
  if (minutes % 60 === 0) return { amount: String(minutes / 60), unit: 'hours' };
  return { amount: String(minutes), unit: 'minutes' };
}

interface FormState {
  flowId: string;
  name: string;
  kind: AlertCondition['kind'];
  count: string;
  percent: string;
  window: { amount: string; unit: Unit };
  minRuns: string;
  period: { amount: string; unit: Unit };
  channel: AlertDelivery['channel'];
  credentialId: string;
  to: string;
  slackChannel: string;
  enabled: boolean;
}

function initialState(rule: AlertRule | null, flowId: string | undefined): FormState {
  const c = rule?.condition;
  const d = rule?.delivery;
  return {
    flowId: rule?.flowId ?? flowId ?? '',
    name: rule?.name ?? '',
    kind: c?.kind ?? 'consecutive_failures',
    count: String(c?.kind === 'consecutive_failures' ? c.count : 3),
    percent: String(c?.kind === 'error_rate' ? c.percent : 20),
    window: splitMinutes(c?.kind === 'error_rate' ? c.windowMinutes : 60),
    minRuns: String(c?.kind === 'error_rate' ? c.minRuns : 5),
    period: splitMinutes(c?.kind === 'no_success' ? c.periodMinutes : 1440),
    channel: d?.channel ?? 'email',
    credentialId: d?.credentialId ?? '',
    to: d?.channel === 'email' ? d.to : '',
    slackChannel: d?.channel === 'slack' ? (d.slackChannel ?? '') : '',
    enabled: rule?.enabled ?? true,
  };
}

function toCondition(s: FormState): AlertCondition {
  const n = (v: string) => Number(v);
  switch (s.kind) {
    case 'consecutive_failures':
      return { kind: 'consecutive_failures', count: n(s.count) };
    case 'error_rate':
      return { kind: 'error_rate', percent: n(s.percent), windowMinutes: Math.round(n(s.window.amount) * UNIT_MINUTES[s.window.unit]), minRuns: n(s.minRuns) };
    case 'no_success':
      return { kind: 'no_success', periodMinutes: Math.round(n(s.period.amount) * UNIT_MINUTES[s.period.unit]) };
  }
}

function toDelivery(s: FormState): AlertDelivery {
  return s.channel === 'email'
    ? { channel: 'email', credentialId: s.credentialId, to: s.to.trim() }
    : { channel: 'slack', credentialId: s.credentialId, ...(s.slackChannel.trim() ? { slackChannel: s.slackChannel.trim() } : {}) };
}

/** Checks in the browser what the server would refuse, with the same plain words. */
function localErrors(s: FormState): Record<string, string> {
  const e: Record<string, string> = {};
  const int = (v: string, min: number, max: number) => /^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max;
  if (!s.flowId) e.flowId = 'Choose the flow to watch';
  if (s.kind === 'consecutive_failures' && !int(s.count, 1, 100)) e['condition.count'] = 'Enter a whole number from 1 to 100';
  if (s.kind === 'error_rate') {
    if (!(Number(s.percent) >= 0 && Number(s.percent) <= 100) || s.percent.trim() === '') e['condition.percent'] = 'Enter a percentage from 0 to 100';
    const w = Number(s.window.amount) * UNIT_MINUTES[s.window.unit];
    if (!(w >= 1 && w <= 43_200)) e['condition.windowMinutes'] = 'Choose between 1 minute and 30 days';
    if (!int(s.minRuns, 1, 100_000)) e['condition.minRuns'] = 'Enter a whole number, at least 1';
  }
  if (s.kind === 'no_success') {
    const p = Number(s.period.amount) * UNIT_MINUTES[s.period.unit];
    if (!(p >= 1 && p <= 43_200)) e['condition.periodMinutes'] = 'Choose between 1 minute and 30 days';
  }
  if (!s.credentialId) e['delivery.credentialId'] = 'Choose a credential';
  if (s.channel === 'email' && s.to.trim().length < 3) e['delivery.to'] = 'Enter at least one e-mail address';
  return e;
}

interface AlertRuleFormProps {
  rule: AlertRule | null;
  flowId?: string;
  flows: Array<{ id: string; name: string }>;
  onDone: () => void;
}

/** Create or change an alert rule: which flow, when, and how to tell people; with a test button. */
export function AlertRuleForm({ rule, flowId, flows, onDone }: AlertRuleFormProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [s, setS] = useState<FormState>(() => initialState(rule, flowId));
  const [shown, setShown] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [testResult, setTestResult] = useState<{ ok: boolean; text: string } | null>(null);
  const credentials = useQuery(trpc.credentials.list.queryOptions());
  const usable = (credentials.data ?? []).filter((c) => CHANNEL_CREDENTIALS[s.channel].includes(c.type));
  const chosen = credentials.data?.find((c) => c.id === s.credentialId);
  const local = localErrors(s);
  const errorOf = (field: string) => serverErrors[field] ?? (shown ? local[field] : undefined);
  const set = (patch: Partial<FormState>) => {
    setS((prev) => ({ ...prev, ...patch }));
    setServerErrors({});
    setFormError(null);
  };

  const onError = (e: unknown) => {
    const issues = errorIssues(e);
    const byField: Record<string, string> = {};
    for (const i of issues) if (i.field) byField[i.field] = i.message;
    setServerErrors(byField);
    setFormError(errorMessage(e));
  };
  const done = (message: string) => {
    void queryClient.invalidateQueries({ queryKey: trpc.monitoring.alertRules.pathKey() });
    toast.show({ tone: 'success', message });
    onDone();
  };
  const create = useMutation(trpc.monitoring.createAlertRule.mutationOptions({ onSuccess: (r) => done(`Alert rule “${r.name}” saved. It watches the flow from now on.`), onError }));
  const update = useMutation(trpc.monitoring.updateAlertRule.mutationOptions({ onSuccess: (r) => done(`Alert rule “${r.name}” saved.`), onError }));
  const test = useMutation(
    trpc.monitoring.sendTestAlert.mutationOptions({
      onSuccess: (r) => setTestResult(r.ok ? { ok: true, text: 'A test alert was sent. Check that it arrived.' } : { ok: false, text: `The test alert could not be sent: ${deliveryErrorText(r.error ?? 'no reason given.')}` }),
      onError: (e) => setTestResult({ ok: false, text: errorMessage(e) }),
    }),
  );
  const saving = create.isPending || update.isPending;

  const submit = () => {
    setShown(true);
    if (Object.keys(local).length) return;
    const payload = { name: s.name.trim() || undefined, condition: toCondition(s), delivery: toDelivery(s), enabled: s.enabled };
    if (rule) update.mutate({ id: rule.id, ...payload, name: s.name.trim() || rule.name });
    else create.mutate({ flowId: s.flowId, ...payload });
  };
  const sendTest = () => {
    setShown(true);
    setTestResult(null);
    if (local['delivery.credentialId'] || local['delivery.to']) return;
    test.mutate({ ...(s.flowId ? { flowId: s.flowId } : {}), delivery: toDelivery(s) });
  };

  const kinds: Array<{ kind: AlertCondition['kind']; title: string; hint: string }> = [
    { kind: 'consecutive_failures', title: 'It fails several times in a row', hint: 'Good for flows that should always work.' },
    { kind: 'error_rate', title: 'Too many of its runs fail', hint: 'Good for busy flows where a failure now and then is normal.' },
    { kind: 'no_success', title: 'Nothing succeeds for a while', hint: 'Good for scheduled flows: tells you when they stop working or stop running.' },
  ];

  return (
    <form
      className="space-y-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      data-testid="alert-rule-form"
    >
      <Field label="Flow to watch" required error={errorOf('flowId')}>
        {(c) => (
          <Select {...c} value={s.flowId} onChange={(e) => set({ flowId: e.target.value })} disabled={Boolean(rule)} data-testid="alert-flow">
            <option value="">Choose a flow…</option>
            {flows.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </Select>
        )}
      </Field>

      <fieldset>
        <legend className="mb-1.5 text-sm font-medium text-slate-700 dark:text-slate-200">Alert me when…</legend>
        <div className="space-y-2">
          {kinds.map((k) => (
            <label
              key={k.kind}
              className={cn(
                'flex cursor-pointer gap-2 rounded-lg border p-2.5 text-sm',
                s.kind === k.kind ? 'border-indigo-400 bg-indigo-50/60 dark:border-indigo-700 dark:bg-indigo-950/40' : 'border-slate-200 dark:border-slate-700',
              )}
            >
              <input type="radio" name="alert-kind" className="mt-0.5 accent-indigo-600" checked={s.kind === k.kind} onChange={() => set({ kind: k.kind })} />
              <span>
                <span className="font-medium">{k.title}</span>
                <span className="block text-xs text-slate-500 dark:text-slate-400">{k.hint}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>

      {s.kind === 'consecutive_failures' && (
        <Field label="How many failed runs in a row" error={errorOf('condition.count')} hint="Choose 1 to be told about every failed run.">
          {(c) => (
            <div className="w-28">
              <Input {...c} type="number" min={1} max={100} value={s.count} onChange={(e) => set({ count: e.target.value })} data-testid="alert-count" />
            </div>
          )}
        </Field>
      )}
      {s.kind === 'error_rate' && (
        <div className="grid grid-cols-2 gap-3">
          <Field label="More than (% of runs)" error={errorOf('condition.percent')}>
            {(c) => <Input {...c} type="number" min={0} max={100} value={s.percent} onChange={(e) => set({ percent: e.target.value })} />}
          </Field>
          <Field label="Only once this many ended" error={errorOf('condition.minRuns')} hint="Avoids alerts on 1 of 2.">
            {(c) => <Input {...c} type="number" min={1} value={s.minRuns} onChange={(e) => set({ minRuns: e.target.value })} />}
          </Field>
          <div className="col-span-2">
            <DurationField label="Within the last" value={s.window} onChange={(window) => set({ window })} error={errorOf('condition.windowMinutes')} />
          </div>
        </div>
      )}
      {s.kind === 'no_success' && (
        <DurationField label="No successful run for" value={s.period} onChange={(period) => set({ period })} error={errorOf('condition.periodMinutes')} />
      )}

      <fieldset>
        <legend className="mb-1.5 text-sm font-medium text-slate-700 dark:text-slate-200">Tell people by</legend>
        <div className="flex gap-2">
          {(['email', 'slack'] as const).map((ch) => (
            <label
              key={ch}
              className={cn(
                'flex flex-1 cursor-pointer items-center gap-2 rounded-lg border px-3 py-2 text-sm',
                s.channel === ch ? 'border-indigo-400 bg-indigo-50/60 dark:border-indigo-700 dark:bg-indigo-950/40' : 'border-slate-200 dark:border-slate-700',
              )}
            >
              <input type="radio" name="alert-channel" className="accent-indigo-600" checked={s.channel === ch} onChange={() => set({ channel: ch, credentialId: '' })} />
              {ch === 'email' ? 'E-mail' : 'Slack'}
            </label>
          ))}
        </div>
      </fieldset>

      <Field
        label={s.channel === 'email' ? 'Send with (SMTP server)' : 'Send with (Slack connection)'}
        required
        error={errorOf('delivery.credentialId')}
        hint={
          credentials.isSuccess && usable.length === 0 ? (
            <>
              There is no {s.channel === 'email' ? 'SMTP server' : 'Slack webhook or Slack bot'} credential yet.{' '}
              <Link href="/settings/credentials" className="font-medium text-indigo-600 underline dark:text-indigo-400">
                Add one in Settings → Credentials
              </Link>
              , then come back.
            </>
          ) : undefined
        }
      >
        {(c) => (
          <Select {...c} value={s.credentialId} onChange={(e) => set({ credentialId: e.target.value })} data-testid="alert-credential">
            <option value="">{credentials.isPending ? 'Loading…' : 'Choose a credential…'}</option>
            {usable.map((cr) => (
              <option key={cr.id} value={cr.id}>
                {cr.name} ({cr.typeName})
              </option>
            ))}
          </Select>
        )}
      </Field>

      {s.channel === 'email' ? (
        <Field label="Recipients" required error={errorOf('delivery.to')} hint="Separate addresses with commas, e.g. ops@acme.com, Ada <ada@acme.com>">
          {(c) => <Input {...c} value={s.to} onChange={(e) => set({ to: e.target.value })} placeholder="ops@acme.com" data-testid="alert-to" />}
        </Field>
      ) : (
        <Field
          label="Channel"
          required={chosen?.type === 'slack_bot'}
          error={errorOf('delivery.slackChannel')}
          hint={chosen?.type === 'slack_webhook' ? 'An incoming webhook always posts to its own channel; this is ignored.' : 'For a Slack bot: #name or the channel ID.'}
        >
          {(c) => <Input {...c} value={s.slackChannel} onChange={(e) => set({ slackChannel: e.target.value })} placeholder="#ops" />}
        </Field>
      )}

      <Field label="Name (optional)" error={errorOf('name')} hint={`Shown in the alert. Without one: “${describeCondition(toConditionSafe(s))}”.`}>
        {(c) => <Input {...c} value={s.name} onChange={(e) => set({ name: e.target.value })} maxLength={200} />}
      </Field>

      {testResult && (
        <p role="status" className={cn('rounded-lg px-3 py-2 text-sm', testResult.ok ? 'bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200' : 'bg-rose-50 text-rose-800 dark:bg-rose-950 dark:text-rose-200')} data-testid="alert-test-result">
          {testResult.text}
        </p>
      )}
      {formError && (
        <p role="alert" className="rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800 dark:bg-rose-950 dark:text-rose-200">
          {formError}
        </p>
      )}

      <div className="flex flex-wrap items-center justify-between gap-2 pt-2">
        <Button onClick={sendTest} disabled={test.isPending} data-testid="alert-send-test">
          <Send className="h-4 w-4" aria-hidden />
          {test.isPending ? 'Sending…' : 'Send test alert'}
        </Button>
        <div className="flex gap-2">
          <Button variant="ghost" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" disabled={saving} data-testid="alert-save">
            {saving ? 'Saving…' : rule ? 'Save changes' : 'Create alert rule'}
          </Button>
        </div>
      </div>
    </form>
  );
}

function toConditionSafe(s: FormState): AlertCondition {
  const c = toCondition(s);
  const fix = (n: number, d: number) => (Number.isFinite(n) && n > 0 ? n : d);
  if (c.kind === 'consecutive_failures') return { ...c, count: fix(c.count, 1) };
  if (c.kind === 'error_rate') return { ...c, percent: Number.isFinite(c.percent) ? c.percent : 0, windowMinutes: fix(c.windowMinutes, 60), minRuns: fix(c.minRuns, 5) };
  return { ...c, periodMinutes: fix(c.periodMinutes, 60) };
}

function DurationField({ label, value, onChange, error }: { label: string; value: { amount: string; unit: Unit }; onChange: (v: { amount: string; unit: Unit }) => void; error?: string }) {
  return (
    <Field label={label} error={error}>
      {(c) => (
        <div className="grid grid-cols-[7rem_8rem] gap-2">
          <Input {...c} type="number" min={1} value={value.amount} onChange={(e) => onChange({ ...value, amount: e.target.value })} />
          <Select aria-label={`${label}: unit`} value={value.unit} onChange={(e) => onChange({ ...value, unit: e.target.value as Unit })}>
            <option value="minutes">minutes</option>
            <option value="hours">hours</option>
            <option value="days">days</option>
          </Select>
        </div>
      )}
    </Field>
  );
}
