'use client';

import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Lightbulb } from 'lucide-react';
import { useTRPC } from '../trpc/client';
import { errorIssues, errorMessage } from '../trpc/errors';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { CredentialForm, dataToSend, missingFields, type CredentialValues } from './credential-form';
import { CredentialTypePicker } from './credential-type-picker';
import type { CredentialSummary, CredentialTypeInfo } from './types';

export interface SavedCredential {
  id: string;
  name: string;
  type: string;
}

type CredentialEditorProps = {
  onSaved: (credential: SavedCredential) => void;
  onCancel?: () => void;
  /** Prefix for data-testids of the fields. */
  testIdPrefix?: string;
} & (
  | {
      mode: 'create';
      /** The kinds that may be created here (all of them in Settings; the accepted ones in an install). */
      types: CredentialTypeInfo[];
      defaultName?: string;
      submitLabel?: string;
    }
  | { mode: 'edit'; credential: CredentialSummary; type: CredentialTypeInfo }
);

/** Splits the server's field issues: `name`, `data.<field>`, and the rest. */
function splitIssues(error: unknown): { name?: string; fields: Record<string, string>; other?: string } {
  const fields: Record<string, string> = {};
  let name: string | undefined;
  for (const issue of errorIssues(error)) {
    if (issue.field === 'name') name = issue.message;
    else if (issue.field?.startsWith('data.')) fields[issue.field.slice('data.'.length)] ??= issue.message;
  }
  const matched = Boolean(name) || Object.keys(fields).length > 0;
  return { name, fields, other: matched ? undefined : errorMessage(error) };
}

/**
 * Creates or edits one credential: its name, its kind (when creating) and the fields of that
 * kind. Used in Settings → Credentials and inline while installing a template.
 */
export function CredentialEditor(props: CredentialEditorProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const editing = props.mode === 'edit';
  const [typeName, setTypeName] = useState<string | null>(() =>
    props.mode === 'edit' ? props.credential.type : props.types.length === 1 ? (props.types[0]?.type ?? null) : null,
  );
  const type = props.mode === 'edit' ? props.type : (props.types.find((t) => t.type === typeName) ?? null);
  const [name, setName] = useState(() => (props.mode === 'edit' ? props.credential.name : (props.defaultName ?? '')));
  const [values, setValues] = useState<CredentialValues>(() => (props.mode === 'edit' ? { ...props.credential.publicData } : {}));
  const [errors, setErrors] = useState<{ name?: string; fields: Record<string, string>; other?: string }>({ fields: {} });
  const setFields = props.mode === 'edit' ? props.credential.setFields : [];
  const prefix = props.testIdPrefix ?? 'credential';

  // Waits for the fresh list, so that whatever shows credentials is up to date when the form closes.
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.credentials.list.queryKey() });
  const create = useMutation(trpc.credentials.create.mutationOptions());
  const update = useMutation(trpc.credentials.update.mutationOptions());
  const pending = create.isPending || update.isPending;

  function submit(e: FormEvent) {
    e.preventDefault();
    // Inline in a larger page: never let the submit reach an outer form.
    e.stopPropagation();
    if (!type) return;
    const missing = missingFields(type, values, setFields);
    const nameError = name.trim() ? undefined : 'Give the credential a name, e.g. “Acme JIRA”.';
    if (nameError || Object.keys(missing).length) {
      setErrors({ name: nameError, fields: missing });
      return;
    }
    setErrors({ fields: {} });
    const data = dataToSend(type, values, editing);
    const onError = (err: unknown) => setErrors(splitIssues(err));
    if (props.mode === 'edit') {
      update.mutate(
        { id: props.credential.id, name: name.trim(), data },
        {
          onSuccess: async (saved) => {
            await invalidate();
            props.onSaved({ id: saved.id, name: saved.name, type: saved.type });
          },
          onError,
        },
      );
    } else {
      create.mutate(
        { type: type.type, name: name.trim(), data },
        {
          onSuccess: async ({ id }) => {
            await invalidate();
            props.onSaved({ id, name: name.trim(), type: type.type });
          },
          onError,
        },
      );
    }
  }

  if (!type) {
    return (
      <div className="space-y-4">
        <CredentialTypePicker types={props.mode === 'create' ? props.types : []} value={null} onChange={setTypeName} testIdPrefix={prefix} />
        {props.onCancel && (
          <div className="flex justify-end">
            <Button variant="ghost" onClick={props.onCancel}>
              Cancel
            </Button>
          </div>
        )}
      </div>
    );
  }

  const canChangeType = props.mode === 'create' && props.types.length > 1;
  return (
    <form onSubmit={submit} className="space-y-4" noValidate data-testid={`${prefix}-editor`} data-type={type.type}>
      <div className="rounded-lg bg-slate-50 p-3 text-sm dark:bg-slate-800/60">
        <div className="flex items-start justify-between gap-2">
          <div>
            <p className="font-medium text-slate-800 dark:text-slate-100">{type.name}</p>
            <p className="text-slate-600 dark:text-slate-400">{type.description}</p>
          </div>
          {canChangeType && (
            <Button size="sm" variant="ghost" onClick={() => setTypeName(null)} data-testid={`${prefix}-change-type`}>
              Change kind
            </Button>
          )}
        </div>
        {type.testHint && (
          <p className="mt-2 flex gap-1.5 text-xs text-slate-600 dark:text-slate-400">
            <Lightbulb className="mt-0.5 h-3.5 w-3.5 shrink-0 text-amber-500" aria-hidden />
            {type.testHint}
          </p>
        )}
      </div>
      <Field label="Name" required error={errors.name ?? null} hint="How you will recognise it when you pick it in a step, e.g. “Acme JIRA”.">
        {({ invalid, ...control }) => (
          <Input {...control} invalid={invalid} maxLength={100} value={name} onChange={(e) => setName(e.target.value)} data-testid={`${prefix}-name`} autoComplete="off" />
        )}
      </Field>
      <CredentialForm type={type} values={values} onChange={setValues} errors={errors.fields} setFields={setFields} testIdPrefix={prefix} />
      {errors.other && (
        <p role="alert" className="rounded-lg bg-rose-50 p-3 text-sm text-rose-800 dark:bg-rose-950 dark:text-rose-200">
          {errors.other}
        </p>
      )}
      <p className="text-xs text-slate-500 dark:text-slate-400">Secret values are stored encrypted and are never shown again, to anyone.</p>
      <div className="flex flex-wrap justify-end gap-2">
        {props.onCancel && (
          <Button variant="ghost" onClick={props.onCancel} disabled={pending}>
            Cancel
          </Button>
        )}
        <Button type="submit" variant="primary" disabled={pending} data-testid={`${prefix}-save`}>
          {pending ? 'Saving…' : props.mode === 'edit' ? 'Save changes' : (props.submitLabel ?? 'Save credential')}
        </Button>
      </div>
    </form>
  );
}
