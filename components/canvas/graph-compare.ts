import type { FlowGraph } from '../trpc/types';

export type GraphNode = FlowGraph['nodes'][number];
export type GraphEdge = FlowGraph['edges'][number];
export type GraphNote = NonNullable<FlowGraph['notes']>[number];

/** JSON with sorted keys: the database may hand options back in another key order than they were saved. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** What a step does (everything but where it sits). */
export function nodeContent(n: GraphNode): string {
  return stableJson({ type: n.type, label: n.label ?? '', options: n.options ?? {}, retry: n.retry ?? null });
}

export function samePosition(a: { x: number; y: number } | undefined, b: { x: number; y: number } | undefined): boolean {
  return Math.round(a?.x ?? 0) === Math.round(b?.x ?? 0) && Math.round(a?.y ?? 0) === Math.round(b?.y ?? 0);
}

export function noteContent(n: GraphNote): string {
  return n.text;
}

export function noteShape(n: GraphNote): string {
  return stableJson({ p: n.position, s: n.size ?? null });
}

export function edgeKey(e: GraphEdge): string {
  return `${e.source}\u0000${e.sourceHandle ?? ''}\u0000${e.target}`;
}

/** Human names of what differs between two versions of a step: "label", "setting “url”", "kind of step". */
export function changedParts(before: GraphNode, after: GraphNode): string[] {
  const parts: string[] = [];
  if (before.type !== after.type) parts.push('kind of step');
  if ((before.label ?? '') !== (after.label ?? '')) parts.push('label');
  const keys = new Set([...Object.keys(before.options ?? {}), ...Object.keys(after.options ?? {})]);
  for (const key of [...keys].sort()) {
    if (stableJson(before.options?.[key]) !== stableJson(after.options?.[key])) parts.push(`setting “${key}”`);
  }
  if (stableJson(before.retry ?? null) !== stableJson(after.retry ?? null)) parts.push('retries');
  return parts;
}

export function byId<T extends { id: string }>(items: readonly T[] | undefined): Map<string, T> {
  return new Map((items ?? []).map((i) => [i.id, i]));
}
