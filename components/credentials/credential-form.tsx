'use client';

import { asSchema, fieldText, resolve, type JsonSchema } from '../canvas/schema/json-schema';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import type { CredentialTypeInfo } from './types';

export type CredentialValues = Record<string, unknown>;

type Kind = 'boolean' | 'number' | 'secret' | 'email' | 'text';

export interface CredentialFieldInfo {
  name: string;
  label: string;
  hint?: string;
  kind: Kind;
  required: boolean;
  placeholder?: string;
}

function typesOf(schema: JsonSchema): string[] {
  return Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
}

/** The fields of a credential type, read from the JSON Schema of its data (flat objects of text, numbers and yes/no). */
export function credentialFields(type: CredentialTypeInfo): CredentialFieldInfo[] {
  const root = asSchema(type.dataSchema);
  return Object.entries(root.properties ?? {}).map(([name, raw]) => {
    const schema = resolve(raw, root);
    const types = typesOf(schema);
    const { label, hint } = fieldText(name, schema);
    const kind: Kind = type.secretFields.includes(name)
      ? 'secret'
      : types.includes('boolean')
        ? 'boolean'
        : types.includes('integer') || types.includes('number')
          ? 'number'
          : schema.format === 'email'
            ? 'email'
            : 'text';
    const placeholder = typeof schema.default === 'string' || typeof schema.default === 'number' ? String(schema.default) : undefined;
    // A field with a default may be left empty: the default applies.
    const required = (root.required ?? []).includes(name) && schema.default === undefined;
    return { name, label, hint, kind, required, placeholder };
  });
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Missing required fields, before asking the server (which checks everything else and says why). */
export function missingFields(type: CredentialTypeInfo, values: CredentialValues, setFields: readonly string[] = []): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const f of credentialFields(type)) {
    if (!f.required || f.kind === 'boolean') continue;
    // When editing, a secret that is already saved may stay empty: it keeps its value.
    if (f.kind === 'secret' && setFields.includes(f.name)) continue;
    if (isEmpty(values[f.name])) errors[f.name] = `Fill in “${f.label}”.`;
  }
  return errors;
}

/**
 * What is sent to the server. Creating: empty fields are left out, so defaults apply. Editing:
 * every field is sent; an empty secret keeps its saved value, an empty ordinary field is cleared.
 */
export function dataToSend(type: CredentialTypeInfo, values: CredentialValues, editing: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of credentialFields(type)) {
    const v = values[f.name];
    if (f.kind === 'boolean') {
      if (v !== undefined) out[f.name] = v === true || v === 'true';
      continue;
    }
    if (isEmpty(v)) {
      if (editing) out[f.name] = '';
      continue;
    }
    out[f.name] = typeof v === 'string' ? v.trim() : v;
  }
  return out;
}

interface CredentialFormProps {
  type: CredentialTypeInfo;
  values: CredentialValues;
  onChange: (values: CredentialValues) => void;
  /** Field name → message. */
  errors: Record<string, string>;
  /** Editing: the fields that hold a value. Secret ones show "A value is set". */
  setFields?: readonly string[];
  /** Prefix for data-testids, e.g. "credential" → "credential-field-apiToken". */
  testIdPrefix?: string;
}

/**
 * The fields of one kind of credential, drawn from its JSON Schema. Secret fields are password
 * inputs and are never filled in from the server: when editing, they say a value is set.
 */
export function CredentialForm({ type, values, onChange, errors, setFields = [], testIdPrefix = 'credential' }: CredentialFormProps) {
  const set = (name: string, value: unknown) => onChange({ ...values, [name]: value });
  return (
    <div className="space-y-4">
      {credentialFields(type).map((f) => {
        const testId = `${testIdPrefix}-field-${f.name}`;
        const error = errors[f.name] ?? null;
        if (f.kind === 'boolean') {
          const checked = values[f.name] === true || values[f.name] === 'true';
          return (
            <div key={f.name} className="space-y-1">
              <label className="flex items-center gap-2 text-sm font-medium text-slate-700 dark:text-slate-200">
                <input
                  type="checkbox"
                  className="h-4 w-4 rounded border-slate-300 accent-indigo-600"
                  checked={checked}
                  onChange={(e) => set(f.name, e.target.checked)}
                  data-testid={testId}
                />
                {f.label}
              </label>
              {f.hint && <p className="pl-6 text-xs text-slate-500 dark:text-slate-400">{f.hint}</p>}
              {error && (
                <p className="pl-6 text-xs text-rose-600" role="alert">
                  {error}
                </p>
              )}
            </div>
          );
        }
        const secretIsSet = f.kind === 'secret' && setFields.includes(f.name);
        const hint = secretIsSet ? ['A value is set — leave empty to keep it.', f.hint].filter(Boolean).join(' ') : f.hint;
        const raw = values[f.name];
        return (
          <Field key={f.name} label={f.label} hint={hint} error={error} required={f.required && !secretIsSet}>
            {({ invalid, ...control }) => (
              <Input
                {...control}
                invalid={invalid}
                type={f.kind === 'secret' ? 'password' : f.kind === 'number' ? 'number' : f.kind === 'email' ? 'email' : 'text'}
                inputMode={f.kind === 'number' ? 'numeric' : undefined}
                autoComplete={f.kind === 'secret' ? 'new-password' : 'off'}
                spellCheck={false}
                placeholder={secretIsSet ? '•••••••• (unchanged)' : f.placeholder}
                value={typeof raw === 'string' || typeof raw === 'number' ? String(raw) : ''}
                onChange={(e) => set(f.name, e.target.value)}
                data-testid={testId}
              />
            )}
          </Field>
        );
      })}
    </div>
  );
}
