'use client';

import { Plus, Trash2 } from 'lucide-react';
import { Button } from '../../ui/button';
import { emptyValue, objectVariants, withoutNull, type JsonSchema } from '../schema/json-schema';
import { joinPath } from '../schema/paths';
import { testIdOf, useFormContext } from './form-context';
import { ObjectFields } from './object-fields';
import { UnionFields } from './union-fields';

interface ObjectListFieldProps {
  label: string;
  hint?: string;
  error: string | null;
  required: boolean;
  schema: JsonSchema;
  path: string;
  value: unknown;
  onChange: (value: unknown) => void;
}

/** "Rules" → "rule", for the add button and each card's title. */
function singular(label: string): string {
  const word = label.toLowerCase();
  return word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

/** A repeatable sub-form, e.g. the rules of a filter. */
export function ObjectListField({ label, hint, error, required, schema, path, value, onChange }: ObjectListFieldProps) {
  const { root } = useFormContext();
  const items = Array.isArray(value) ? value : [];
  const itemSchema = withoutNull(schema.items ?? {}, root);
  const itemVariants = objectVariants(itemSchema, root);
  const one = singular(label);
  const canRemove = (schema.minItems ?? 0) < items.length;
  const canAdd = schema.maxItems === undefined || items.length < schema.maxItems;

  return (
    <fieldset className="space-y-2" data-testid={testIdOf(path)}>
      <legend className="mb-1.5 text-sm font-medium text-slate-700 dark:text-slate-200">
        {label}
        {required && (
          <span className="ml-0.5 text-rose-600" aria-hidden>
            *
          </span>
        )}
      </legend>
      {hint && <p className="text-xs text-slate-500">{hint}</p>}
      {items.map((item, i) => (
        <div key={i} className="rounded-lg border border-slate-200 bg-slate-50/60 p-3 dark:border-slate-800 dark:bg-slate-950/40" data-testid={`${testIdOf(path)}-item`}>
          <div className="mb-2 flex items-center justify-between">
            <span className="text-xs font-semibold tracking-wide text-slate-500 uppercase">
              {one} {i + 1}
            </span>
            <Button
              variant="ghost"
              size="icon"
              aria-label={`Remove ${one} ${i + 1}`}
              disabled={!canRemove}
              title={canRemove ? undefined : `Keep at least ${schema.minItems ?? 0}`}
              onClick={() => onChange(items.filter((_, j) => j !== i))}
            >
              <Trash2 className="h-4 w-4" aria-hidden />
            </Button>
          </div>
          {itemVariants ? (
            <UnionFields
              variants={itemVariants}
              path={joinPath(path, i)}
              value={item}
              label={`${one} ${i + 1}`}
              compact
              onChange={(next) => onChange(items.map((old, j) => (j === i ? next : old)))}
            />
          ) : (
            <ObjectFields
              schema={itemSchema}
              path={joinPath(path, i)}
              value={item}
              compact
              onChange={(next) => onChange(items.map((old, j) => (j === i ? next : old)))}
            />
          )}
        </div>
      ))}
      {error && (
        <p className="text-xs text-rose-600" role="alert">
          {error}
        </p>
      )}
      <Button size="sm" disabled={!canAdd} onClick={() => onChange([...items, emptyValue(itemSchema, root)])} data-testid={`${testIdOf(path)}-add`}>
        <Plus className="h-3.5 w-3.5" aria-hidden />
        Add {one}
      </Button>
    </fieldset>
  );
}
