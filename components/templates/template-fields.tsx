'use client';

import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { CircleCheck, KeyRound } from 'lucide-react';
import { CredentialEditor, type SavedCredential } from '../credentials/credential-editor';
import { useTRPC } from '../trpc/client';
import type { FieldIssue } from '../trpc/errors';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { Select } from '../ui/select';
import { Spinner } from '../ui/spinner';
import { Textarea } from '../ui/textarea';
import { humanise } from '../canvas/schema/json-schema';
import type { TemplateInputNeed } from './types';

/** What a template (or a new version of it) needs of a credential, as the wizard and the update banner show it. */
export interface CredentialNeed {
  name: string;
  types: string[];
  typeLabel: string;
  description?: string;
  usedBy?: Array<{ nodeId: string; label: string }>;
  available: Array<{ id: string; name: string; type: string }>;
}

export type InputValue = string | boolean;

const CREATE = '__create__';

/** "Used by Post to Slack and Daily check". */
export function usedByText(usedBy: Array<{ label: string }> | undefined): string | undefined {
  const labels = [...new Set((usedBy ?? []).map((u) => u.label))];
  if (labels.length === 0) return undefined;
  if (labels.length === 1) return `Used by the step “${labels[0]}”.`;
  return `Used by the steps ${labels.slice(0, -1).map((l) => `“${l}”`).join(', ')} and “${labels.at(-1)}”.`;
}

/** Server issues `credentials.<name>` / `inputs.<name>` → name → message. */
export function issuesByPrefix(issues: FieldIssue[], prefix: 'credentials' | 'inputs'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) {
    if (i.field?.startsWith(`${prefix}.`)) out[i.field.slice(prefix.length + 1)] ??= i.message;
  }
  return out;
}

interface CredentialChoiceProps {
  need: CredentialNeed;
  value: string | undefined;
  onChange: (id: string | undefined) => void;
  error?: string | null;
  /** Suggested name for a credential created here, e.g. "Slack for Webhook → Slack alert". */
  suggestedName?: string;
  /** A credential was created here: the caller refreshes what is available. */
  onCreated?: (credential: SavedCredential) => void;
}

/**
 * Pick one of the workspace's credentials of an accepted kind, or create one right here. Nothing
 * is lost by creating: it is saved under Settings → Credentials for other flows too.
 */
export function CredentialChoice({ need, value, onChange, error, suggestedName, onCreated }: CredentialChoiceProps) {
  const trpc = useTRPC();
  const types = useQuery(trpc.credentials.types.queryOptions(undefined, { staleTime: Infinity }));
  // Credentials made here, until the caller's list includes them.
  const [created, setCreated] = useState<SavedCredential[]>([]);
  const options = [...need.available, ...created.filter((c) => !need.available.some((a) => a.id === c.id))];
  const [creating, setCreating] = useState(options.length === 0);
  const accepted = (types.data ?? []).filter((t) => need.types.includes(t.type));
  const typeName = (type: string) => types.data?.find((t) => t.type === type)?.name ?? type;
  const title = humanise(need.name);
  const chosen = options.find((o) => o.id === value);

  return (
    <section className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900" data-testid={`credential-choice-${need.name}`} aria-labelledby={`credential-choice-${need.name}-title`}>
      <div className="flex items-start gap-3">
        <span className="flex h-9 w-9 shrink-0 items-center justify-center rounded-lg bg-amber-50 text-amber-700 dark:bg-amber-950 dark:text-amber-300">
          <KeyRound className="h-5 w-5" aria-hidden />
        </span>
        <div className="min-w-0 space-y-0.5 text-sm">
          <h3 id={`credential-choice-${need.name}-title`} className="font-semibold">
            {title} <span className="font-normal text-slate-500">— {need.typeLabel}</span>
          </h3>
          {need.description && <p className="text-slate-600 dark:text-slate-400">{need.description}</p>}
          {usedByText(need.usedBy) && !need.description?.startsWith('Used by') && <p className="text-xs text-slate-500">{usedByText(need.usedBy)}</p>}
        </div>
      </div>

      {options.length > 0 && (
        <Field label={`Credential for ${title}`} error={creating ? null : (error ?? null)} hint={options.length === 1 && !value ? 'You have one that fits.' : undefined}>
          {({ invalid, ...control }) => (
            <Select
              {...control}
              invalid={invalid}
              value={creating ? CREATE : (value ?? '')}
              onChange={(e) => {
                if (e.target.value === CREATE) {
                  setCreating(true);
                  onChange(undefined);
                } else {
                  setCreating(false);
                  onChange(e.target.value || undefined);
                }
              }}
              data-testid={`credential-select-${need.name}`}
            >
              <option value="">Choose a credential…</option>
              {options.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name} ({typeName(o.type)})
                </option>
              ))}
              <option value={CREATE}>＋ Create a new credential…</option>
            </Select>
          )}
        </Field>
      )}

      {chosen && !creating && (
        <p className="flex items-center gap-1.5 text-sm text-emerald-700 dark:text-emerald-400" data-testid={`credential-chosen-${need.name}`}>
          <CircleCheck className="h-4 w-4" aria-hidden />
          Uses “{chosen.name}”.
        </p>
      )}

      {creating && (
        <div className="space-y-2 rounded-lg border border-dashed border-slate-300 p-3 dark:border-slate-700">
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {options.length === 0 ? `You have no ${need.typeLabel} credential yet. Create one here — ` : 'Create a new one here — '}
            it is saved under Settings → Credentials, so other flows can use it too.
          </p>
          {error && (
            <p role="alert" className="text-xs text-rose-600 dark:text-rose-400">
              {error}
            </p>
          )}
          {types.isPending ? (
            <Spinner label="Loading the kinds of credential…" />
          ) : (
            <CredentialEditor
              mode="create"
              types={accepted}
              defaultName={suggestedName}
              submitLabel="Create and use it"
              testIdPrefix={`new-credential-${need.name}`}
              onCancel={options.length > 0 ? () => setCreating(false) : undefined}
              onSaved={(c) => {
                setCreated((list) => [...list, c]);
                setCreating(false);
                onChange(c.id);
                onCreated?.(c);
              }}
            />
          )}
        </div>
      )}
    </section>
  );
}

interface TemplateInputFieldProps {
  input: Pick<TemplateInputNeed, 'name' | 'label' | 'description' | 'type' | 'secret' | 'required' | 'default'> & { usedBy?: Array<{ label: string }> };
  value: InputValue | undefined;
  onChange: (value: InputValue) => void;
  error?: string | null;
}

/** The value a template input starts with: its default, as the field shows it. */
export function initialInputValue(input: { type: string; default?: unknown; secret?: boolean }): InputValue {
  if (input.type === 'boolean') return input.default === true || input.default === 'true';
  if (input.default === undefined || input.default === null || input.secret) return '';
  return typeof input.default === 'string' ? input.default : JSON.stringify(input.default);
}

/** What install and update send: text and numbers as typed (the server checks numbers), yes/no as booleans. */
export function inputValuesToSend(values: Record<string, InputValue>): Record<string, string | boolean> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? v.trim() : v]));
}

/** One value the template asks for: text, a number, yes/no, or a secret (never pre-filled). */
export function TemplateInputField({ input, value, onChange, error }: TemplateInputFieldProps) {
  const testId = `input-${input.name}`;
  const hint = [input.description, input.secret ? 'Kept inside your flow; it is not shared if you publish the flow later.' : undefined, usedByText(input.usedBy)]
    .filter(Boolean)
    .join(' ');

  if (input.type === 'boolean') {
    return (
      <div className="space-y-1">
        <label className="flex items-center gap-2 text-sm font-medium text-slate-700 dark:text-slate-200">
          <input type="checkbox" className="h-4 w-4 rounded border-slate-300 accent-indigo-600" checked={value === true} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
          {input.label}
        </label>
        {hint && <p className="pl-6 text-xs text-slate-500 dark:text-slate-400">{hint}</p>}
        {error && (
          <p className="pl-6 text-xs text-rose-600" role="alert">
            {error}
          </p>
        )}
      </div>
    );
  }

  const text = typeof value === 'string' ? value : '';
  const multiline = input.type === 'text' && !input.secret && (text.includes('\n') || (typeof input.default === 'string' && input.default.length > 80));
  return (
    <Field label={input.label} hint={hint || undefined} error={error ?? null} required={input.required}>
      {({ invalid, ...control }) =>
        multiline ? (
          <Textarea {...control} invalid={invalid} rows={Math.min(8, Math.max(3, text.split('\n').length + 1))} value={text} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
        ) : (
          <Input
            {...control}
            invalid={invalid}
            type={input.secret ? 'password' : input.type === 'number' ? 'number' : 'text'}
            inputMode={input.type === 'number' ? 'decimal' : undefined}
            step={input.type === 'number' ? 'any' : undefined}
            autoComplete={input.secret ? 'new-password' : 'off'}
            value={text}
            onChange={(e) => onChange(e.target.value)}
            data-testid={testId}
          />
        )
      }
    </Field>
  );
}

/** Missing required inputs, checked before asking the server. */
export function missingInputs(inputs: Array<Pick<TemplateInputNeed, 'name' | 'label' | 'type' | 'required'>>, values: Record<string, InputValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of inputs) {
    const v = values[i.name];
    if (i.required && i.type !== 'boolean' && (v === undefined || (typeof v === 'string' && v.trim() === ''))) out[i.name] = `Fill in “${i.label}”.`;
    else if (i.type === 'number' && typeof v === 'string' && v.trim() !== '' && !Number.isFinite(Number(v))) out[i.name] = `“${i.label}” must be a number, e.g. 5.`;
  }
  return out;
}
