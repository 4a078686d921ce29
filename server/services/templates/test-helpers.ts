import type { JsonObject } from '../../agents/define-agent';
import { getAgent } from '../../agents/registry';
import { makeTestContext } from '../../agents/test-context';
import type { FlowGraph } from '../../engine/graph';
import { renderOptions } from '../../engine/liquid';

const PURE = new Set(['transform', 'split', 'jsonata', 'filter', 'switch', 'dedup', 'set_fields', 'code', 'digest', 'key_value']);

/**
 * For tests: runs the agents of a graph that need no network from one node, following edges (and
 * switch routes) the way the worker does — Liquid first, then the agent. Node memory is kept per
 * node across calls through `memory`. Returns what each node emitted; for nodes it does not run
 * (Slack, e-mail, HTTP…), the events that reached them.
 */
export async function runFrom(
  graph: FlowGraph,
  startId: string,
  event: JsonObject,
  memory: Map<string, unknown> = new Map(),
): Promise<Map<string, JsonObject[]>> {
  const out = new Map<string, JsonObject[]>();
  const queue: Array<{ id: string; event: JsonObject }> = [{ id: startId, event }];
  while (queue.length) {
    const { id, event: ev } = queue.shift()!;
    const node = graph.nodes.find((n) => n.id === id)!;
    if (!PURE.has(node.type)) {
      out.set(id, [...(out.get(id) ?? []), ev]);
      continue;
    }
    const agent = getAgent(node.type)!;
    const options = renderOptions(node.options as JsonObject, ev, agent.rawOptions ?? []);
    const { ctx, memory: mem } = makeTestContext(agent, options, ev, { memoryValue: memory.get(id) as never });
    const emitted = await agent.run(ctx);
    memory.set(id, mem.value);
    out.set(id, [...(out.get(id) ?? []), ...emitted.map(({ $route: _r, ...rest }) => rest as JsonObject)]);
    for (const e of graph.edges.filter((x) => x.source === id)) {
      for (const next of emitted) {
        if (next.$route !== undefined && e.sourceHandle !== next.$route) continue;
        const { $route: _route, ...clean } = next;
        queue.push({ id: e.target, event: clean as JsonObject });
      }
    }
  }
  return out;
}
