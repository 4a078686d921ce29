'use client';

import type { JsonSchema } from '../schema/json-schema';
import { joinPath } from '../schema/paths';
import { SchemaField } from './schema-field';

interface ObjectFieldsProps {
  schema: JsonSchema;
  path: string;
  value: unknown;
  onChange: (value: Record<string, unknown>) => void;
  compact?: boolean;
}

/** The properties of an object schema, in declaration order. */
export function ObjectFields({ schema, path, value, onChange, compact }: ObjectFieldsProps) {
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const setKey = (key: string, next: unknown) => {
    const copy = { ...record };
    if (next === undefined) delete copy[key];
    else copy[key] = next;
    onChange(copy);
  };
  return (
    <div className="space-y-4">
      {Object.entries(schema.properties ?? {}).map(([key, prop]) => (
        <SchemaField
          key={key}
          name={key}
          schema={prop}
          path={joinPath(path, key)}
          value={record[key]}
          required={schema.required?.includes(key) ?? false}
          onChange={(next) => setKey(key, next)}
          compact={compact}
        />
      ))}
    </div>
  );
}
