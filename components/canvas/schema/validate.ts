import { fieldText, isAnyJson, objectVariants, pickVariant, resolve, withoutNull, type JsonSchema } from './json-schema';
import { joinPath } from './paths';

export interface OptionProblem {
  /** Dotted path of the field, "" for the whole options object. */
  path: string;
  /** Short, for under the field: "This is required". */
  message: string;
  /** Names the field, for the node's badge: "Fill in “Address (URL) to call”". */
  summary: string;
}

function typeMatches(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'null':
      return value === null;
    default:
      return true;
  }
}

function matchesPattern(value: string, pattern: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return true; // A pattern this browser cannot read is left to the server.
  }
}

const typeWords: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'yes or no',
  array: 'a list',
  object: 'a set of fields',
};

/**
 * A deliberately small JSON Schema check for instant feedback in the editor: required fields,
 * types, enums, lengths, ranges and list sizes. The server's zod schema remains the judge on save.
 */
export function validateOptions(rootValue: unknown, schemaValue: unknown): OptionProblem[] {
  const root = (schemaValue ?? {}) as JsonSchema;
  const problems: OptionProblem[] = [];

  const visit = (value: unknown, raw: JsonSchema, path: string, label: string) => {
    if (isAnyJson(raw, root)) return;
    const schema = withoutNull(raw, root);
    const add = (message: string, summary: string) => problems.push({ path, message, summary });
    if (value === null && (raw.anyOf ?? raw.oneOf)) return;
    const variants = objectVariants(schema, root);
    if (variants) {
      const picked = variants[pickVariant(variants, value, root)];
      if (picked) visit(value, picked, path, label);
      return;
    }
    if (schema.const !== undefined) {
      if (value !== schema.const) add(`This should be ${JSON.stringify(schema.const)}`, `“${label}” should be ${JSON.stringify(schema.const)}`);
      return;
    }

    if (schema.enum) {
      if (!schema.enum.some((e) => e === value)) add(`Choose one of: ${schema.enum.join(', ')}`, `Choose a value for “${label}”`);
      return;
    }
    const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
    if (types.length && !types.some((t) => typeMatches(value, t))) {
      const word = typeWords[types[0] ?? ''] ?? types[0];
      add(`This should be ${word}`, `“${label}” should be ${word}`);
      return;
    }
    if (typeof value === 'string') {
      if (schema.minLength !== undefined && value.length < schema.minLength) {
        if (schema.minLength === 1) add('This is required', `Fill in “${label}”`);
        else add(`Enter at least ${schema.minLength} characters`, `“${label}” is too short`);
      }
      if (schema.pattern && value !== '' && !matchesPattern(value, schema.pattern)) {
        add('This does not have the expected form', `“${label}” does not have the expected form`);
      }
      if (schema.maxLength !== undefined && value.length > schema.maxLength) {
        add(`Use at most ${schema.maxLength} characters`, `“${label}” is too long`);
      }
    }
    if (typeof value === 'number') {
      if (schema.minimum !== undefined && value < schema.minimum) add(`Use ${schema.minimum} or more`, `“${label}” is too small`);
      if (schema.maximum !== undefined && value > schema.maximum) add(`Use ${schema.maximum} or less`, `“${label}” is too large`);
    }
    if (Array.isArray(value)) {
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        add(`Add at least ${schema.minItems}`, `“${label}” needs at least ${schema.minItems}`);
      }
      if (schema.items) value.forEach((item, i) => visit(item, schema.items as JsonSchema, joinPath(path, i), `${label} ${i + 1}`));
    }
    if (typeMatches(value, 'object') && schema.properties) {
      const record = value as Record<string, unknown>;
      for (const [key, prop] of Object.entries(schema.properties)) {
        const childLabel = fieldText(key, resolve(prop, root)).label;
        const childPath = joinPath(path, key);
        if (record[key] === undefined) {
          if (schema.required?.includes(key)) problems.push({ path: childPath, message: 'This is required', summary: `Fill in “${childLabel}”` });
          continue;
        }
        visit(record[key], prop, childPath, childLabel);
      }
    }
  };

  visit(rootValue ?? {}, root, '', 'Settings');
  return problems;
}
