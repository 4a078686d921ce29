import type { JsonValue } from '../../agents/define-agent';
import type { FlowGraph } from '../../engine/graph';
import type { CredentialRequirement, TemplateInput } from './format';
import { substitutePlaceholders, type PlaceholderValues } from './placeholders';

interface Needs {
  credentials: CredentialRequirement[];
  inputs: TemplateInput[];
}

/** The credentials and values chosen for the installed version that the new version still declares. */
export function carriedValues(needs: Needs, previous: PlaceholderValues): PlaceholderValues {
  const creds = new Set(needs.credentials.map((c) => c.name));
  const inputs = new Set(needs.inputs.map((i) => i.name));
  return {
    credentials: Object.fromEntries(Object.entries(previous.credentials).filter(([k]) => creds.has(k))),
    inputs: Object.fromEntries(Object.entries(previous.inputs).filter(([k]) => inputs.has(k))),
  };
}

/**
 * Values for showing an update before it is applied: what carries over, and the new version's
 * suggested value where the flow has none. Whatever is still missing stays a placeholder.
 */
export function previewValues(needs: Needs, previous: PlaceholderValues): PlaceholderValues {
  const carried = carriedValues(needs, previous);
  const defaults = Object.fromEntries(needs.inputs.filter((i) => i.default !== undefined).map((i) => [i.name, i.default as JsonValue]));
  return { credentials: carried.credentials, inputs: { ...defaults, ...carried.inputs } };
}

/**
 * The graph an installed flow gets from a newer version of its template: the template's steps and
 * connections filled with the flow's credentials and values. Steps that kept their id stay where
 * the user placed them, and the user's notes stay (they are the user's, not the template's). With
 * `keepMissing`, placeholders without a value stay as written — a preview of what will be asked.
 */
export function updatedFlowGraph(current: FlowGraph, templateGraph: FlowGraph, values: PlaceholderValues, opts: { keepMissing?: boolean } = {}): FlowGraph {
  const positions = new Map(current.nodes.map((n) => [n.id, n.position]));
  const filled = substitutePlaceholders(templateGraph, values, opts);
  const nodes = filled.nodes.map((n) => {
    const position = positions.get(n.id);
    return position ? { ...n, position } : n;
  });
  const taken = new Set(nodes.map((n) => n.id));
  const notes = (current.notes ?? []).filter((n) => !taken.has(n.id));
  return { nodes, edges: filled.edges, ...(notes.length ? { notes } : {}) };
}
