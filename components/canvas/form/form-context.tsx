'use client';

import { createContext, useContext } from 'react';
import type { Sample } from '../sample-event';
import type { JsonSchema } from '../schema/json-schema';

export interface FormContextValue {
  /** The root schema, for resolving `$ref`s. */
  root: JsonSchema;
  /** Field path → message to show under that field. */
  errors: Record<string, string>;
  /** Unfinished JSON typed earlier into the field at `path`, so it is shown again, not lost. */
  jsonDraft: (path: string) => string | undefined;
  /** JSON fields report text that does not parse yet (null once it does). */
  setJsonDraft: (path: string, draft: { text: string; message: string } | null) => void;
  /** Viewers see the settings but cannot change them. */
  readOnly: boolean;
  /** What Liquid in a setting is previewed against; null for no previews. */
  preview: LiquidPreviewSetup | null;
}

export interface LiquidPreviewSetup {
  sample: Sample;
  /** Top-level options the engine passes to the agent as typed, so Liquid in them is not rendered. */
  rawOptions: readonly string[];
}

export const FormContext = createContext<FormContextValue | null>(null);

export function useFormContext(): FormContextValue {
  const ctx = useContext(FormContext);
  if (!ctx) throw new Error('Form fields must be used inside <SchemaForm>');
  return ctx;
}

export const testIdOf = (path: string) => `field-${path}`;

/** Friendlier words for option values that are terse in code. Anything else is shown as is. */
const enumWords: Record<string, string> = {
  eq: 'equals',
  ne: 'does not equal',
  gt: 'is greater than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  contains: 'contains',
  not_contains: 'does not contain',
  exists: 'has a value',
  not_exists: 'is missing',
  empty: 'is empty',
  not_empty: 'is not empty',
  in: 'is one of (a list)',
  not_in: 'is not one of (a list)',
  regex: 'matches the pattern (regex)',
  all: 'all rules match',
  any: 'any rule matches',
  replace: 'replace — emit only the new fields',
  merge: 'merge — add the new fields to the incoming event',
};

export function enumLabel(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return enumWords[text] ?? text;
}
