import { z } from 'zod';
import type { JsonObject, JsonValue } from '../../agents/define-agent';
import { getAgent } from '../../agents/registry';
import type { FlowGraph, FlowNode } from '../../engine/graph';
import { validateGraph } from '../../engine/graph';
import type { FieldIssue } from '../../errors';
import { typesOf, type CredentialRequirement, type TemplateDefinition, type TemplateInput } from './format';

export const CREDENTIAL_PREFIX = '$credential:';
export const INPUT_PREFIX = '$input:';
const CREDENTIAL_WHOLE = /^\$credential:([a-z][a-z0-9_]*)$/;
const INPUT_WHOLE = /^\$input:([a-z][a-z0-9_]*)$/;
const INPUT_ANY = /\$input:([a-z][a-z0-9_]*)/g;
/** A credential id that stands in for real ones when a template is checked without installing it. */
export const DUMMY_CREDENTIAL_ID = '00000000-0000-4000-8000-000000000000';

export interface PlaceholderUse {
  nodeId: string;
  /** Dotted path inside the node: "options.credential", "options.headers.Authorization", "label". */
  field: string;
}

export interface PlaceholderReferences {
  credentials: Map<string, PlaceholderUse[]>;
  inputs: Map<string, PlaceholderUse[]>;
}

function walkStrings(value: JsonValue | undefined, path: string, visit: (s: string, path: string) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${path}.${i}`, visit));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walkStrings(v, `${path}.${k}`, visit);
}

function push(map: Map<string, PlaceholderUse[]>, name: string, use: PlaceholderUse): void {
  const list = map.get(name);
  if (list) list.push(use);
  else map.set(name, [use]);
}

/** Every `$credential:` and `$input:` in the graph's node options and labels, with where it is. */
export function collectPlaceholders(graph: FlowGraph): PlaceholderReferences {
  const refs: PlaceholderReferences = { credentials: new Map(), inputs: new Map() };
  for (const node of graph.nodes) {
    const visit = (s: string, field: string) => {
      const cred = CREDENTIAL_WHOLE.exec(s);
      if (cred) push(refs.credentials, cred[1]!, { nodeId: node.id, field });
      for (const m of s.matchAll(INPUT_ANY)) push(refs.inputs, m[1]!, { nodeId: node.id, field });
    };
    walkStrings(node.options as JsonValue, 'options', visit);
    if (node.label) walkStrings(node.label, 'label', visit);
  }
  return refs;
}

export interface PlaceholderValues {
  credentials: Record<string, string>;
  inputs: Record<string, JsonValue>;
}

function asText(value: JsonValue): string {
  if (typeof value === 'string') return value;
  return value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** With `keepMissing`, a placeholder without a value stays as written (for previews); otherwise it throws. */
function substituteString(s: string, values: PlaceholderValues, keepMissing = false): JsonValue {
  const cred = CREDENTIAL_WHOLE.exec(s);
  if (cred) {
    const id = values.credentials[cred[1]!];
    if (id === undefined && keepMissing) return s;
    if (id === undefined) throw new Error(`No credential given for "${cred[1]}"`);
    return id;
  }
  const whole = INPUT_WHOLE.exec(s);
  if (whole) {
    const v = values.inputs[whole[1]!];
    if (v === undefined && keepMissing) return s;
    if (v === undefined) throw new Error(`No value given for input "${whole[1]}"`);
    return v;
  }
  if (!s.includes(INPUT_PREFIX)) return s;
  return s.replace(INPUT_ANY, (match, name: string) => {
    const v = values.inputs[name];
    if (v === undefined && keepMissing) return match;
    if (v === undefined) throw new Error(`No value given for input "${name}"`);
    return asText(v);
  });
}

function substituteValue(value: JsonValue, values: PlaceholderValues, keepMissing: boolean): JsonValue {
  if (typeof value === 'string') return substituteString(value, values, keepMissing);
  if (Array.isArray(value)) return value.map((v) => substituteValue(v, values, keepMissing));
  if (value && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteValue(v, values, keepMissing);
    return out;
  }
  return value;
}

/**
 * A copy of the graph with every placeholder replaced. Throws if a value is missing (a bug: callers
 * check first) — unless `keepMissing`, which leaves such placeholders as they are (a preview).
 */
export function substitutePlaceholders(graph: FlowGraph, values: PlaceholderValues, { keepMissing = false }: { keepMissing?: boolean } = {}): FlowGraph {
  return {
    nodes: graph.nodes.map((n) => ({
      ...n,
      options: substituteValue(n.options as JsonValue, values, keepMissing) as FlowNode['options'],
      ...(n.label !== undefined ? { label: asText(substituteString(n.label, values, keepMissing)) } : {}),
    })),
    edges: graph.edges.map((e) => ({ ...e })),
  };
}

/** Values that let a template be validated without installing it: defaults, else harmless stand-ins. */
export function dummyValues(def: Pick<TemplateDefinition, 'credentials' | 'inputs'>): PlaceholderValues {
  const credentials = Object.fromEntries(def.credentials.map((c) => [c.name, DUMMY_CREDENTIAL_ID]));
  const inputs = Object.fromEntries(
    def.inputs.map((i) => [i.name, i.default !== undefined ? (i.default as JsonValue) : i.type === 'number' ? 1 : i.type === 'boolean' ? true : `example-${i.name}`]),
  );
  return { credentials, inputs };
}

const credentialFieldCache = new Map<string, Map<string, string[]>>();

/**
 * The option fields of an agent type that hold a credential id, with the credential types each
 * accepts, read from the JSON Schema of its options (the `credentialType` meta of
 * `credentialOption()`). Keys are dotted paths below `options`.
 */
export function credentialFields(agentType: string): Map<string, string[]> {
  const cached = credentialFieldCache.get(agentType);
  if (cached) return cached;
  const fields = new Map<string, string[]>();
  const agent = getAgent(agentType);
  if (agent) {
    const schema = z.toJSONSchema(agent.options, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    const visit = (s: unknown, path: string, depth: number) => {
      if (!s || typeof s !== 'object' || depth > 6) return;
      const node = s as Record<string, unknown>;
      const ct = node.credentialType;
      if (path && (typeof ct === 'string' || Array.isArray(ct))) fields.set(path, typesOf(ct as string | string[]));
      for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
        if (Array.isArray(node[key])) for (const alt of node[key] as unknown[]) visit(alt, path, depth + 1);
      }
      if (node.properties && typeof node.properties === 'object') {
        for (const [k, v] of Object.entries(node.properties as Record<string, unknown>)) visit(v, path ? `${path}.${k}` : k, depth + 1);
      }
    };
    visit(schema, '', 0);
  }
  credentialFieldCache.set(agentType, fields);
  return fields;
}

/**
 * Everything that keeps a template from installing cleanly: placeholders that are used but not
 * declared (or declared and never used), credential placeholders in options that cannot take that
 * kind of credential, and graph problems once placeholders are filled with stand-in values.
 */
export function checkTemplateDefinition(def: TemplateDefinition): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const refs = collectPlaceholders(def.graph);
  const declaredCreds = new Map<string, CredentialRequirement>(def.credentials.map((c) => [c.name, c]));
  const declaredInputs = new Map<string, TemplateInput>(def.inputs.map((i) => [i.name, i]));
  const dupes = (names: string[]) => names.filter((n, i) => names.indexOf(n) !== i);
  for (const n of dupes(def.credentials.map((c) => c.name))) issues.push({ field: 'credentials', message: `The credential "${n}" is declared twice.` });
  for (const n of dupes(def.inputs.map((i) => i.name))) issues.push({ field: 'inputs', message: `The input "${n}" is declared twice.` });

  for (const [name, uses] of refs.credentials) {
    const req = declaredCreds.get(name);
    if (!req) {
      issues.push({ nodeId: uses[0]!.nodeId, field: uses[0]!.field, message: `"$credential:${name}" is used but no credential "${name}" is declared.` });
      continue;
    }
    for (const use of uses) {
      const node = def.graph.nodes.find((n) => n.id === use.nodeId)!;
      const accepted = credentialFields(node.type).get(use.field.replace(/^options\./, ''));
      if (!accepted) {
        issues.push({ nodeId: use.nodeId, field: use.field, message: `Node "${use.nodeId}": "${use.field}" does not hold a credential, so "$credential:${name}" cannot be used there.` });
        continue;
      }
      const wrong = typesOf(req.type).filter((t) => !accepted.includes(t));
      if (wrong.length) {
        issues.push({
          nodeId: use.nodeId,
          field: use.field,
          message: `Node "${use.nodeId}" accepts credentials of kind ${accepted.join(', ')}, but "${name}" may be of kind ${wrong.join(', ')}.`,
        });
      }
    }
  }
  for (const name of declaredCreds.keys()) {
    if (!refs.credentials.has(name)) issues.push({ field: 'credentials', message: `The credential "${name}" is declared but no node uses "$credential:${name}".` });
  }
  for (const [name, uses] of refs.inputs) {
    if (!declaredInputs.has(name)) {
      issues.push({ nodeId: uses[0]!.nodeId, field: uses[0]!.field, message: `"$input:${name}" is used but no input "${name}" is declared.` });
    }
  }
  for (const input of def.inputs) {
    if (!refs.inputs.has(input.name)) issues.push({ field: 'inputs', message: `The input "${input.name}" is declared but no node uses "$input:${input.name}".` });
    if (input.secret && input.default !== undefined) issues.push({ field: 'inputs', message: `The secret input "${input.name}" must not have a default value.` });
  }
  if (issues.length) return issues;

  const graph = substitutePlaceholders(def.graph, dummyValues(def));
  return validateGraph(graph);
}
