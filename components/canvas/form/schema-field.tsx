'use client';

import { Field } from '../../ui/field';
import { Input } from '../../ui/input';
import { Select } from '../../ui/select';
import { Textarea } from '../../ui/textarea';
import { fieldKind, fieldText, objectVariants, withoutNull, type JsonSchema } from '../schema/json-schema';
import { CredentialField } from './credential-field';
import { enumLabel, testIdOf, useFormContext } from './form-context';
import { JsonField } from './json-field';
import { KeyValueField } from './key-value-field';
import { LiquidPreview } from './liquid-preview';
import { ObjectFields } from './object-fields';
import { ObjectListField } from './object-list-field';
import { StringListField } from './string-list-field';
import { UnionFields } from './union-fields';

export interface SchemaFieldProps {
  name: string;
  schema: JsonSchema;
  path: string;
  value: unknown;
  required: boolean;
  onChange: (value: unknown) => void;
  /** Inside a list item: keep free-JSON values to one line. */
  compact?: boolean;
}

/** One setting, drawn by the kind of its schema. */
export function SchemaField({ name, schema: raw, path, value, required, onChange, compact }: SchemaFieldProps) {
  const { root, errors } = useFormContext();
  const schema = withoutNull(raw, root);
  const kind = fieldKind(name, raw, root);
  const { label, hint } = fieldText(name, schema);
  const error = errors[path] ?? null;
  const testId = testIdOf(path);
  // The server fills in defaults that are not stored; showing them as placeholders says what applies.
  const placeholder = typeof schema.default === 'string' || typeof schema.default === 'number' ? String(schema.default) : undefined;
  // An optional text left empty is removed rather than saved as "", which could fail a length rule.
  const setText = (text: string) => onChange(text === '' && !required ? undefined : text);

  // A fixed value (the `system` of a JIRA side) is chosen by the shape picker, not typed.
  if (kind === 'const') return null;

  if (kind === 'boolean') {
    return (
      <div className="space-y-1">
        <label className="flex items-center gap-2 text-sm font-medium text-slate-700 dark:text-slate-200">
          <input
            type="checkbox"
            className="h-4 w-4 rounded border-slate-300 accent-indigo-600"
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
            data-testid={testId}
          />
          {label}
        </label>
        {hint && <p className="pl-6 text-xs text-slate-500">{hint}</p>}
        {error && <p className="pl-6 text-xs text-rose-600" role="alert">{error}</p>}
      </div>
    );
  }

  if (kind === 'object') {
    return (
      <fieldset className="space-y-3 rounded-lg border border-slate-200 p-3 dark:border-slate-800" data-testid={testId}>
        <legend className="px-1 text-sm font-medium">{label}</legend>
        {hint && <p className="text-xs text-slate-500">{hint}</p>}
        <ObjectFields schema={schema} path={path} value={value} onChange={onChange} />
      </fieldset>
    );
  }

  if (kind === 'union') {
    return (
      <fieldset className="space-y-3 rounded-lg border border-slate-200 p-3 dark:border-slate-800" data-testid={testId}>
        <legend className="px-1 text-sm font-medium">{label}</legend>
        {hint && <p className="text-xs text-slate-500">{hint}</p>}
        <UnionFields variants={objectVariants(schema, root) ?? []} path={path} value={value} onChange={onChange} label={label} compact={compact} />
      </fieldset>
    );
  }

  if (kind === 'objectList') {
    return <ObjectListField label={label} hint={hint} error={error} required={required} schema={schema} path={path} value={value} onChange={onChange} />;
  }

  return (
    <div className="space-y-1.5">
      <Field label={label} hint={hint} error={error} required={required}>
        {(control) => {
          const { invalid, ...rest } = control;
          switch (kind) {
            case 'enum':
              return (
                <Select
                  {...rest}
                  invalid={invalid}
                  value={value === undefined ? '' : JSON.stringify(value)}
                  onChange={(e) => onChange(e.target.value === '' ? undefined : JSON.parse(e.target.value))}
                  data-testid={testId}
                >
                  {(!required || value === undefined) && <option value="">{required ? 'Choose…' : '— none —'}</option>}
                  {(schema.enum ?? []).map((option) => (
                    <option key={JSON.stringify(option)} value={JSON.stringify(option)}>
                      {enumLabel(option)}
                    </option>
                  ))}
                </Select>
              );
            case 'number':
            case 'integer':
              return (
                <Input
                  {...rest}
                  invalid={invalid}
                  type="number"
                  inputMode={kind === 'integer' ? 'numeric' : 'decimal'}
                  step={kind === 'integer' ? 1 : 'any'}
                  min={schema.minimum ?? schema.exclusiveMinimum}
                  max={schema.maximum ?? schema.exclusiveMaximum}
                  placeholder={placeholder}
                  value={typeof value === 'number' ? value : ''}
                  onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
                  data-testid={testId}
                />
              );
            case 'string':
              return (
                <Input
                  {...rest}
                  invalid={invalid}
                  maxLength={schema.maxLength}
                  placeholder={placeholder}
                  value={typeof value === 'string' || typeof value === 'number' ? String(value) : ''}
                  onChange={(e) => setText(e.target.value)}
                  data-testid={testId}
                />
              );
            case 'text':
              return (
                <Textarea
                  {...rest}
                  invalid={invalid}
                  rows={5}
                  maxLength={schema.maxLength}
                  placeholder={placeholder}
                  value={typeof value === 'string' ? value : ''}
                  onChange={(e) => setText(e.target.value)}
                  data-testid={testId}
                />
              );
            case 'credential':
              return <CredentialField control={control} types={schema.credentialType ?? []} value={value} onChange={onChange} testId={testId} />;
            case 'stringList':
              return <StringListField control={control} value={value} onChange={onChange} testId={testId} />;
            case 'keyValue':
              return <KeyValueField label={label} value={value} onChange={onChange} testId={testId} />;
            case 'jsonObject':
              return <JsonField control={control} path={path} value={value} onChange={onChange} objectOnly testId={testId} />;
            default:
              return <JsonField control={control} path={path} value={value} onChange={onChange} inline={compact} testId={testId} />;
          }
        }}
      </Field>
      <LiquidPreview path={path} value={value} />
    </div>
  );
}
