/**
 * Reading the JSON Schema that the server generates from each agent's zod options schema
 * (`z.toJSONSchema(schema, { io: 'input' })`), just enough to draw a form for it.
 */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  title?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
  /** Muninn's own keyword: the value is the id of a saved credential of this type (or one of these types). */
  credentialType?: string | string[];
}

export type FieldKind =
  | 'const'
  | 'credential'
  | 'union'
  | 'stringList'
  | 'string'
  | 'text'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'enum'
  | 'keyValue'
  | 'objectList'
  | 'object'
  | 'jsonObject'
  | 'json';

export function asSchema(value: unknown): JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonSchema) : {};
}

/** Follows a local `$ref` ("#/$defs/x" or "#/definitions/x") against the root schema. */
export function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; current.$ref && hops < 10; hops++) {
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(current.$ref);
    const target = match ? (match[1] === '$defs' ? root.$defs : root.definitions)?.[decodeURIComponent(match[2] ?? '')] : undefined;
    if (!target) return {};
    const { $ref: _ref, ...rest } = current;
    current = { ...target, ...rest };
  }
  return current;
}

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

/** `{}` or an anyOf over (nearly) every JSON type: the schema zod emits for `z.json()`. */
export function isAnyJson(schema: JsonSchema, root: JsonSchema): boolean {
  const s = resolve(schema, root);
  const variants = s.anyOf ?? s.oneOf;
  if (variants) {
    const types = new Set(variants.flatMap((v) => typesOf(resolve(v, root))));
    return types.has('object') && types.has('array') && types.has('string');
  }
  return typesOf(s).length === 0 && !s.enum && !s.properties && s.const === undefined;
}

/** Drops a `null` alternative (optional/nullable fields) so the field is drawn as its real type. */
export function withoutNull(schema: JsonSchema, root: JsonSchema): JsonSchema {
  const s = resolve(schema, root);
  const variants = s.anyOf ?? s.oneOf;
  if (!variants || isAnyJson(s, root)) return s;
  const rest = variants.filter((v) => !typesOf(resolve(v, root)).every((t) => t === 'null'));
  if (rest.length !== 1 || !rest[0]) return s;
  const { anyOf: _a, oneOf: _o, ...outer } = s;
  return { ...resolve(rest[0], root), ...outer };
}

const MULTILINE_NAMES = /^(body|template|code|script|message|text|html|query|markdown|content|expression)$/i;
const MULTILINE_HINTS = /\b(multi-?line|template|code|script|body|markdown|html)\b/i;

/** The alternatives of an `anyOf`/`oneOf` (after following refs), or undefined for a plain schema. */
function variantsOf(schema: JsonSchema, root: JsonSchema): JsonSchema[] | undefined {
  const list = schema.anyOf ?? schema.oneOf;
  return list?.map((v) => withoutNull(v, root));
}

function isObjectSchema(s: JsonSchema): boolean {
  return typesOf(s).includes('object') && Boolean(s.properties);
}

/** Alternatives that are all objects with fields (a filter rule or a group; a JIRA or Mavenlink side). */
export function objectVariants(schema: JsonSchema, root: JsonSchema): JsonSchema[] | undefined {
  const variants = variantsOf(withoutNull(schema, root), root);
  return variants && variants.length > 1 && variants.every(isObjectSchema) ? variants : undefined;
}

export function fieldKind(name: string, raw: JsonSchema, root: JsonSchema): FieldKind {
  if (isAnyJson(raw, root)) return 'json';
  const schema = withoutNull(raw, root);
  if (schema.credentialType) return 'credential';
  if (schema.const !== undefined) return 'const';
  if (schema.enum) return 'enum';
  const variants = variantsOf(schema, root);
  if (variants && variants.length > 1) {
    if (variants.every(isObjectSchema)) return 'union';
    const types = new Set(variants.flatMap(typesOf));
    // "text or a number" (ids that may also be Liquid): a text box; the server accepts either.
    if (types.has('string') && [...types].every((t) => ['string', 'number', 'integer', 'boolean'].includes(t))) return 'string';
    return 'json';
  }
  const types = typesOf(schema).filter((t) => t !== 'null');
  const type = types.length === 1 ? types[0] : undefined;
  switch (type) {
    case 'string':
      return MULTILINE_NAMES.test(name) || MULTILINE_HINTS.test(schema.description ?? '') ? 'text' : 'string';
    case 'number':
      return 'number';
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const items = schema.items ? withoutNull(schema.items, root) : undefined;
      if (!items) return 'json';
      if (isObjectSchema(items) || objectVariants(items, root)) return 'objectList';
      if (typesOf(items).length === 1 && typesOf(items)[0] === 'string' && !items.enum) return 'stringList';
      return 'json';
    }
    case 'object': {
      if (schema.properties && Object.keys(schema.properties).length > 0) return 'object';
      const extra = schema.additionalProperties;
      if (typeof extra === 'object' && !isAnyJson(extra, root)) {
        const valueTypes = typesOf(withoutNull(extra, root));
        if (valueTypes.length === 1 && valueTypes[0] === 'string') return 'keyValue';
      }
      return 'jsonObject';
    }
    default:
      return 'json';
  }
}

/** A property whose `const` tells the alternatives apart (e.g. `system: "jira"`), if there is one. */
export function discriminatorOf(variants: JsonSchema[], root: JsonSchema): string | undefined {
  const first = variants[0]?.properties ?? {};
  return Object.keys(first).find((key) => variants.every((v) => v.properties?.[key] && resolve(v.properties[key], root).const !== undefined));
}

/** Which alternative the current value is: by discriminator, else by the fields it has. */
export function pickVariant(variants: JsonSchema[], value: unknown, root: JsonSchema): number {
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const key = discriminatorOf(variants, root);
  if (key !== undefined) {
    const i = variants.findIndex((v) => resolve(v.properties?.[key] ?? {}, root).const === record[key]);
    return Math.max(0, i);
  }
  let best = 0;
  let bestScore = -Infinity;
  variants.forEach((v, i) => {
    const props = v.properties ?? {};
    const present = Object.keys(record);
    const score =
      (v.required ?? []).filter((k) => k in record).length * 2 +
      present.filter((k) => k in props).length -
      present.filter((k) => !(k in props)).length * 5;
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}

/** Words for each alternative: its title, its discriminator value, or what its fields suggest. */
export function variantLabel(variant: JsonSchema, root: JsonSchema, discriminator: string | undefined, index: number): string {
  if (variant.title) return variant.title;
  if (discriminator) {
    const value = resolve(variant.properties?.[discriminator] ?? {}, root).const;
    return humanise(String(value));
  }
  const props = variant.properties ?? {};
  if ('path' in props && 'op' in props) return 'Condition';
  if ('rules' in props) return 'Group of rules';
  if (variant.description) return fieldText('', variant).label;
  return `Option ${index + 1}`;
}

export function humanise(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** End of the first sentence: a ". " that does not close "e.g." or "i.e.". */
function sentenceEnd(text: string): number {
  const re = /\.\s/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (!/\b(e\.g|i\.e|etc|vs)$/i.test(text.slice(0, m.index))) return m.index;
  }
  return -1;
}

const LONG_LABEL = 48;

const capitalise = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
/** A clause moved into the hint reads as a sentence of its own. */
const sentence = (t: string) => capitalise(t.trim()) + (/[.!?)]$/.test(t.trim()) ? '' : '.');
const join = (a: string, b: string) => [a, b].filter(Boolean).join(' ');

/**
 * Label and hint for a field. Agent authors write `.describe('Address (URL) to call. Liquid allowed.')`:
 * the first sentence becomes the label, the rest the hint under the field. A long first sentence is
 * cut at its colon or its parenthesis, so labels stay short: "Comparison" + the list of operators.
 */
export function fieldText(name: string, schema: JsonSchema): { label: string; hint?: string } {
  let text = (schema.title ?? schema.description ?? '').trim();
  if (!text) return { label: humanise(name) };
  // "poll: which issues…" — a lower-case prefix names the actions the field is for.
  const scope = /^([a-z_]+(?:\s*[,/]\s*[a-z_]+)*|[a-z_]+_\*): (.+)$/s.exec(text);
  let usedFor = '';
  if (scope?.[1] && scope[2]) {
    usedFor = `Used for: ${scope[1]}.`;
    text = capitalise(scope[2]);
  }
  const cut = sentenceEnd(text);
  let label = (cut === -1 ? text : text.slice(0, cut)).replace(/\.$/, '');
  let hint = cut === -1 ? '' : text.slice(cut + 2).trim();
  if (label.length > LONG_LABEL) {
    const colon = label.indexOf(': ');
    const paren = label.indexOf(' (');
    if (colon > 0 && colon < 40 && /^[A-Z]/.test(label)) {
      hint = join(sentence(label.slice(colon + 2)), hint);
      label = label.slice(0, colon);
    } else if (paren > 0 && label.endsWith(')')) {
      hint = join(sentence(label.slice(paren + 2, -1)), hint);
      label = label.slice(0, paren);
    }
  }
  hint = join(hint, usedFor);
  return { label, hint: hint || undefined };
}

/** A fresh value for a new item of a list (e.g. a filter rule): defaults, first choices, empty text. */
export function emptyValue(raw: JsonSchema, root: JsonSchema): unknown {
  const schema = withoutNull(raw, root);
  if (schema.default !== undefined) return structuredClone(schema.default);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const variants = objectVariants(schema, root);
  if (variants?.[0]) return emptyValue(variants[0], root);
  if (isAnyJson(schema, root)) return undefined;
  const types = typesOf(schema);
  if (types.includes('string')) return '';
  if (types.includes('boolean')) return false;
  if (types.includes('array')) return [];
  if (types.includes('object')) {
    const out: Record<string, unknown> = {};
    for (const [key, prop] of Object.entries(schema.properties ?? {})) {
      // Optional fields start absent, unless they have a default: "" could break a length rule.
      const p = resolve(prop, root);
      if (!schema.required?.includes(key) && p.default === undefined && p.const === undefined) continue;
      const value = emptyValue(prop, root);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  return undefined;
}
