/**
 * Named outputs of a step, such as a Switch's routes: each becomes its own handle, and its
 * connections carry the name as `sourceHandle`. The agent declares where the names are in its
 * options (`outputPaths` in the catalog, e.g. "routes[].name" and "fallback"), so the handles
 * follow the settings as people type, without asking the server. Agents that declare none have
 * one unnamed output.
 */
export function namedOutputs(options: Record<string, unknown>, paths: readonly string[] | undefined): string[] {
  const names: string[] = [];
  for (const path of paths ?? []) {
    for (const value of valuesAt(options, path.split('.'))) {
      const name = typeof value === 'string' ? value.trim() : '';
      if (name && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

/** "routes[]" steps into every item of the list `routes`; a plain segment into one field. */
function valuesAt(value: unknown, segments: string[]): unknown[] {
  const [head, ...rest] = segments;
  if (head === undefined) return [value];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const list = head.endsWith('[]');
  const child = (value as Record<string, unknown>)[list ? head.slice(0, -2) : head];
  if (!list) return valuesAt(child, rest);
  return Array.isArray(child) ? child.flatMap((item) => valuesAt(item, rest)) : [];
}
