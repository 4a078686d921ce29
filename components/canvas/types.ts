import type { Edge, Node } from '@xyflow/react';
import type { FlowGraph } from '../trpc/types';

export type RetryOptions = NonNullable<FlowGraph['nodes'][number]['retry']>;

/** What the editor keeps per agent node; `options` follow the agent's options schema. */
export type AgentNodeData = {
  agentType: string;
  label: string;
  options: Record<string, unknown>;
  /** Kept as loaded so a save never drops a retry policy set through the API or a template. */
  retry?: RetryOptions;
};

/** A sticky note: text for people, never run. */
export type NoteData = {
  text: string;
};

export type AgentNode = Node<AgentNodeData, 'agent'>;
export type NoteNode = Node<NoteData, 'note'>;
/** Everything on the canvas: agent nodes and sticky notes share React Flow's node list. */
export type EditorNode = AgentNode | NoteNode;
export type FlowEdge = Edge;

export function isAgentNode(node: EditorNode | undefined): node is AgentNode {
  return node?.type === 'agent';
}

export function isNoteNode(node: EditorNode | undefined): node is NoteNode {
  return node?.type === 'note';
}
