import type { JsonObject } from '../agents/define-agent';
import type { OutEdge } from './graph';

/**
 * Reserved fields an agent may put on an emitted event to steer the engine. They are removed
 * before the event is stored, so downstream nodes never see them.
 * - `$route`: deliver only along edges whose `sourceHandle` is this name (switch).
 * - `$delayMs`: the next steps become due this many milliseconds later (delay).
 */
export interface Directives {
  route?: string;
  delayMs?: number;
}

export function takeDirectives(event: JsonObject): { payload: JsonObject; directives: Directives } {
  if (!('$route' in event) && !('$delayMs' in event)) return { payload: event, directives: {} };
  const { $route, $delayMs, ...payload } = event;
  const directives: Directives = {};
  if (typeof $route === 'string') directives.route = $route;
  if (typeof $delayMs === 'number' && Number.isFinite($delayMs) && $delayMs > 0) directives.delayMs = $delayMs;
  return { payload, directives };
}

/** The edges an event travels: all of them, or only those of its route. */
export function edgesFor(edges: readonly OutEdge[], directives: Directives): OutEdge[] {
  if (directives.route === undefined) return edges.filter((e) => !e.sourceHandle || e.sourceHandle === 'out');
  return edges.filter((e) => e.sourceHandle === directives.route);
}
