'use client';

import { useMemo } from 'react';
import { asSchema } from '../schema/json-schema';
import { FormContext, type FormContextValue } from './form-context';
import { ObjectFields } from './object-fields';

interface SchemaFormProps {
  /** The agent's options schema (JSON Schema generated from its zod schema). */
  schema: unknown;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  errors: Record<string, string>;
  jsonDraft: FormContextValue['jsonDraft'];
  setJsonDraft: FormContextValue['setJsonDraft'];
  readOnly?: boolean;
  preview?: FormContextValue['preview'];
}

/** The settings form of a node, generated from its agent's options schema: no hand-written forms. */
export function SchemaForm({ schema, value, onChange, errors, jsonDraft, setJsonDraft, readOnly = false, preview = null }: SchemaFormProps) {
  const root = asSchema(schema);
  const ctx = useMemo(() => ({ root, errors, jsonDraft, setJsonDraft, readOnly, preview }), [root, errors, jsonDraft, setJsonDraft, readOnly, preview]);
  if (Object.keys(root.properties ?? {}).length === 0) {
    return <p className="text-sm text-slate-500 dark:text-slate-400">This agent has no settings.</p>;
  }
  return (
    <FormContext.Provider value={ctx}>
      {/* A disabled fieldset disables every control inside it, however deeply the form nests. */}
      <fieldset disabled={readOnly} className="min-w-0" data-testid="settings-form" data-read-only={readOnly || undefined}>
        <ObjectFields schema={root} path="" value={value} onChange={onChange} />
      </fieldset>
    </FormContext.Provider>
  );
}
