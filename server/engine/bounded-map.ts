/**
 * Remembers `value` under `key` in a per-process cache, forgetting the oldest entry once the map
 * holds `max` (Maps keep insertion order). For caches of things that never change or are checked
 * again where it matters: parsed flow versions, flow states, webhook routes, parsed templates.
 */
export function rememberBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): V {
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
  return value;
}
