import type { Connection } from '@xyflow/react';
import type { AgentInfo } from '../trpc/types';
import { isAgentNode, type AgentNode, type EditorNode, type FlowEdge } from './types';

function nameOf(node: AgentNode, catalog: ReadonlyMap<string, AgentInfo>): string {
  return node.data.label || catalog.get(node.data.agentType)?.name || node.id;
}

/**
 * Why a connection is refused, in words for the user, or null when it is fine.
 * The server checks the same rules on save; checking here explains them at the moment of the drag.
 */
export function refuseConnection(
  connection: Pick<Connection, 'source' | 'target' | 'sourceHandle'>,
  nodes: EditorNode[],
  edges: FlowEdge[],
  catalog: ReadonlyMap<string, AgentInfo>,
): string | null {
  const { source, target } = connection;
  if (source === target) return 'A step cannot be connected to itself.';
  const to = nodes.find((n) => n.id === target);
  const from = nodes.find((n) => n.id === source);
  if (!to || !from) return 'That step no longer exists.';
  if (!isAgentNode(to) || !isAgentNode(from)) return 'Notes are for people to read; they cannot be connected to steps.';
  const agent = catalog.get(to.data.agentType);
  if (agent && !agent.capabilities.receives) {
    return `“${nameOf(to, catalog)}” is a trigger: it starts the flow, so nothing can flow into it.`;
  }
  if (edges.some((e) => e.source === source && e.target === target && (e.sourceHandle ?? null) === (connection.sourceHandle ?? null))) {
    return `“${nameOf(from, catalog)}” is already connected to “${nameOf(to, catalog)}”.`;
  }
  return null;
}
