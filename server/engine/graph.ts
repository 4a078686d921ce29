import { z } from 'zod';
import type { FieldIssue } from '../errors';
import { getAgent } from '../agents/registry';

/** The portable flow format (also the body of POST /api/v1/flows and of templates). */
export const flowNodeSchema = z.object({
  id: z
    .string()
    .min(1, 'A node needs an id')
    .max(64, 'A node id can be at most 64 characters')
    .regex(/^[A-Za-z0-9_-]+$/, 'A node id may only use letters, digits, "_" and "-"'),
  type: z.string().min(1, 'A node needs an agent type'),
  label: z.string().max(200).optional(),
  options: z.record(z.string(), z.json()).default({}),
  position: z.object({ x: z.number(), y: z.number() }).optional(),
  /** How often and how patiently a failing step of this node is retried. */
  retry: z
    .object({
      attempts: z.number().int().min(1, 'At least 1 attempt').max(10, 'At most 10 attempts'),
      backoffMs: z.number().int().min(100).max(3_600_000),
      maxDelayMs: z.number().int().min(100).max(86_400_000),
    })
    .partial()
    .optional(),
});

export const flowEdgeSchema = z.object({
  source: z.string().min(1),
  target: z.string().min(1),
  /** Named output of the source (e.g. a switch route); events that name a route take only its edges. */
  sourceHandle: z.string().max(64).optional(),
});

/** A sticky note on the canvas: documentation for people, ignored by the engine. */
export const flowNoteSchema = z.object({
  id: z
    .string()
    .min(1, 'A note needs an id')
    .max(64, 'A note id can be at most 64 characters')
    .regex(/^[A-Za-z0-9_-]+$/, 'A note id may only use letters, digits, "_" and "-"'),
  text: z.string().max(10_000, 'A note can be at most 10,000 characters'),
  position: z.object({ x: z.number(), y: z.number() }),
  size: z.object({ width: z.number().positive(), height: z.number().positive() }).optional(),
});

export const flowGraphSchema = z.object({
  nodes: z.array(flowNodeSchema).max(5_000, 'A flow can have at most 5,000 nodes'),
  edges: z.array(flowEdgeSchema).max(10_000, 'A flow can have at most 10,000 edges'),
  /** Optional, so graphs and portable flows written before notes existed stay valid. */
  notes: z.array(flowNoteSchema).max(1_000, 'A flow can have at most 1,000 notes').optional(),
});

export const portableFlowSchema = flowGraphSchema.extend({
  name: z.string().trim().min(1, 'Give the flow a name').max(200),
  description: z.string().max(5_000).optional(),
});

export type FlowNode = z.infer<typeof flowNodeSchema>;
export type FlowEdge = z.infer<typeof flowEdgeSchema>;
export type FlowNote = z.infer<typeof flowNoteSchema>;
export type FlowGraph = z.infer<typeof flowGraphSchema>;
export type PortableFlow = z.infer<typeof portableFlowSchema>;

export const emptyGraph: FlowGraph = { nodes: [], edges: [] };

function describeNode(n: FlowNode): string {
  return n.label ? `"${n.label}" (${n.id})` : `"${n.id}"`;
}

/** Turns zod's issues on a node's options into messages naming the node and field. */
export function optionIssues(node: FlowNode): FieldIssue[] {
  const agent = getAgent(node.type);
  if (!agent) return [];
  const parsed = agent.options.safeParse(node.options ?? {});
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => {
    const field = i.path.map(String).join('.');
    let message = i.message;
    if (i.code === 'unrecognized_keys') message = `Unknown setting${i.keys.length > 1 ? 's' : ''}: ${i.keys.join(', ')}`;
    else if (i.code === 'invalid_type' && /received undefined/.test(i.message)) message = 'This setting is required';
    else if (i.code === 'invalid_value' && 'values' in i) message = `Choose one of: ${(i.values as unknown[]).join(', ')}`;
    return { nodeId: node.id, field: field || undefined, message: `Node ${describeNode(node)}${field ? `, setting "${field}"` : ''}: ${message}` };
  });
}

/**
 * Everything wrong with a graph, each naming its node and field. Empty means it can be saved.
 * Cycles are refused unless every node on the cycle is declared loop-safe.
 */
export function validateGraph(graph: FlowGraph): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const nodes = new Map<string, FlowNode>();
  for (const n of graph.nodes) {
    if (nodes.has(n.id)) {
      issues.push({ nodeId: n.id, message: `Two nodes share the id "${n.id}". Each node needs its own id.` });
      continue;
    }
    nodes.set(n.id, n);
    const agent = getAgent(n.type);
    if (!agent) {
      issues.push({ nodeId: n.id, field: 'type', message: `Node ${describeNode(n)}: "${n.type}" is not a known agent type.` });
      continue;
    }
    issues.push(...optionIssues(n));
  }

  // Notes share the canvas with nodes, so their ids must differ from every node's and each other's.
  const noteIds = new Set<string>();
  for (const note of graph.notes ?? []) {
    if (nodes.has(note.id) || noteIds.has(note.id)) {
      issues.push({ message: `Two items on the canvas share the id "${note.id}" (a note and a node, or two notes). Give the note another id.` });
    }
    noteIds.add(note.id);
  }

  const seen = new Set<string>();
  for (const e of graph.edges) {
    const src = nodes.get(e.source);
    const dst = nodes.get(e.target);
    if (!src) issues.push({ nodeId: e.source, message: `A connection starts at node "${e.source}", which does not exist.` });
    if (!dst) issues.push({ nodeId: e.target, message: `A connection ends at node "${e.target}", which does not exist.` });
    if (!src || !dst) continue;
    if (e.source === e.target) {
      issues.push({ nodeId: e.source, message: `Node ${describeNode(src)} cannot be connected to itself.` });
      continue;
    }
    const key = `${e.source}\u0000${e.sourceHandle ?? ''}\u0000${e.target}`;
    if (seen.has(key)) {
      issues.push({ nodeId: e.source, message: `Node ${describeNode(src)} is connected to ${describeNode(dst)} twice.` });
      continue;
    }
    seen.add(key);
    const srcAgent = getAgent(src.type);
    if (srcAgent?.outputs) {
      const parsed = srcAgent.options.safeParse(src.options);
      const names = parsed.success ? srcAgent.outputs(parsed.data) : [];
      if (parsed.success && (!e.sourceHandle || !names.includes(e.sourceHandle))) {
        issues.push({
          nodeId: src.id,
          message: `A connection from ${describeNode(src)} must leave from one of its outputs (${names.join(', ') || 'none yet'})${e.sourceHandle ? `; "${e.sourceHandle}" is not one of them` : ''}.`,
        });
      }
    }
    const dstAgent = getAgent(dst.type);
    if (dstAgent && !dstAgent.capabilities.receives) {
      issues.push({ nodeId: dst.id, message: `Node ${describeNode(dst)} is a trigger (${dstAgent.name}) and cannot receive events from other nodes.` });
    }
  }

  if (issues.length === 0) {
    const cycle = findCycle(graph);
    if (cycle && !cycle.every((id) => getAgent(nodes.get(id)!.type)?.capabilities.loopSafe)) {
      issues.push({
        nodeId: cycle[0],
        message: `These nodes form a loop: ${cycle.join(' → ')} → ${cycle[0]}. Events would circle forever; remove one of the connections.`,
      });
    }
  }
  return issues;
}

/** Returns the node ids of one cycle, or undefined. Iterative, so 1,000-node flows cannot overflow the stack. */
export function findCycle(graph: FlowGraph): string[] | undefined {
  const out = adjacency(graph);
  const state = new Map<string, 1 | 2>();
  for (const start of graph.nodes.map((n) => n.id)) {
    if (state.has(start)) continue;
    const stack: Array<{ id: string; next: number }> = [{ id: start, next: 0 }];
    const path: string[] = [start];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const children = out.get(top.id) ?? [];
      if (top.next < children.length) {
        const child = children[top.next++]!;
        const s = state.get(child);
        if (s === 1) return path.slice(path.indexOf(child));
        if (s === undefined) {
          state.set(child, 1);
          stack.push({ id: child, next: 0 });
          path.push(child);
        }
      } else {
        state.set(top.id, 2);
        stack.pop();
        path.pop();
      }
    }
  }
  return undefined;
}

export function adjacency(graph: FlowGraph): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of graph.edges) {
    const list = out.get(e.source);
    if (list) list.push(e.target);
    else out.set(e.source, [e.target]);
  }
  return out;
}

export interface OutEdge {
  target: string;
  sourceHandle?: string;
}

export function outgoingEdges(graph: FlowGraph): Map<string, OutEdge[]> {
  const out = new Map<string, OutEdge[]>();
  for (const e of graph.edges) {
    const edge: OutEdge = e.sourceHandle ? { target: e.target, sourceHandle: e.sourceHandle } : { target: e.target };
    const list = out.get(e.source);
    if (list) list.push(edge);
    else out.set(e.source, [edge]);
  }
  return out;
}

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 3, backoffMs: 1_000, maxDelayMs: 300_000 };

export function retryPolicyOf(node: FlowNode | undefined): RetryPolicy {
  return { ...defaultRetryPolicy, ...(node?.retry ?? {}) };
}
