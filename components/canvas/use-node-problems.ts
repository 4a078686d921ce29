'use client';

import { useMemo } from 'react';
import type { FieldIssue } from '../trpc/errors';
import { validateOptions } from './schema/validate';
import { nodeIdOfDraftKey } from './store';
import { useEditorStore } from './store-context';
import type { AgentNodeData } from './types';

export interface NodeProblems {
  /** One sentence for the node's red badge, or null when the node is fine. */
  summary: string | null;
  /** Field path → message, for under each form field. */
  byPath: Record<string, string>;
}

/** The server prefixes field messages with the node and setting; under the field itself that is noise. */
export function fieldMessage(issue: FieldIssue): string {
  return issue.field ? issue.message.replace(/^Node .+?, setting "[^"]*": /, '') : issue.message;
}

const noIssues: FieldIssue[] = [];

/** Everything wrong with a node: unfinished JSON, the live schema check, and the last save's verdict. */
export function useNodeProblems(nodeId: string, data: AgentNodeData): NodeProblems {
  const agent = useEditorStore((s) => s.catalog.get(data.agentType));
  const serverIssues = useEditorStore((s) => (s.serverIssues.length ? s.serverIssues : noIssues));
  const jsonDrafts = useEditorStore((s) => s.jsonDrafts);

  return useMemo(() => {
    const byPath: Record<string, string> = {};
    if (!agent) return { summary: `“${data.agentType}” is not an agent Muninn knows. Remove this step.`, byPath };

    const mine = serverIssues.filter((i) => i.nodeId === nodeId);
    for (const issue of mine) if (issue.field) byPath[issue.field] = fieldMessage(issue);
    const live = validateOptions(data.options, agent.optionsSchema);
    for (const p of live) byPath[p.path] = p.message;
    const jsonKeys = Object.keys(jsonDrafts).filter((k) => nodeIdOfDraftKey(k) === nodeId);
    for (const key of jsonKeys) byPath[key.slice(nodeId.length + 1)] = jsonDrafts[key]?.message ?? '';

    const summary = jsonKeys.length
      ? 'Some settings are not valid yet'
      : (live[0]?.summary ?? (mine[0] ? fieldMessage(mine[0]) : null));
    return { summary, byPath };
  }, [agent, data.agentType, data.options, jsonDrafts, nodeId, serverIssues]);
}
