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
}

/** The settings form of a node, generated from its agent's options schema: no hand-written forms. */
export function SchemaForm({ schema, value, onChange, errors, jsonDraft, setJsonDraft }: SchemaFormProps) {
  const root = asSchema(schema);
  const ctx = useMemo(() => ({ root, errors, jsonDraft, setJsonDraft }), [root, errors, jsonDraft, setJsonDraft]);
  if (Object.keys(root.properties ?? {}).length === 0) {
    return <p className="text-sm text-slate-500 dark:text-slate-400">This agent has no settings.</p>;
  }
  return (
    <FormContext.Provider value={ctx}>
      <ObjectFields schema={root} path="" value={value} onChange={onChange} />
    </FormContext.Provider>
  );
}
