/**
 * Named outputs of a step, such as a Switch's routes: each becomes its own handle, and its
 * connections carry the name as `sourceHandle`. The catalog does not describe outputs yet, so
 * this follows the agents' convention (server/agents/switch.ts `outputs`): a `routes` list of
 * named routes, plus an optional `fallback` route.
 */
export function namedOutputs(options: Record<string, unknown>): string[] {
  const routes = options.routes;
  if (!Array.isArray(routes)) return [];
  const names: string[] = [];
  for (const r of routes) {
    const name = typeof r === 'object' && r !== null ? (r as { name?: unknown }).name : undefined;
    if (typeof name === 'string' && name.trim() && !names.includes(name.trim())) names.push(name.trim());
  }
  const fallback = typeof options.fallback === 'string' ? options.fallback.trim() : '';
  if (fallback && !names.includes(fallback)) names.push(fallback);
  return names;
}
