'use client';

import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useStore } from 'zustand';
import { useTRPC } from '../trpc/client';
import { chooseSample, editedSamples, parseSampleText, sampleKey, type Sample } from './sample-event';
import { useEditorStore } from './store-context';
import { isAgentNode } from './types';

/** What the step before this one emits, by its agent's example; undefined for a first step. */
export function useUpstreamExample(nodeId: string): Record<string, unknown> | undefined {
  return useEditorStore((s) => {
    const source = s.edges.find((e) => e.target === nodeId)?.source;
    const from = s.nodes.find((n) => n.id === source);
    const type = isAgentNode(from) ? from.data.agentType : undefined;
    return type ? s.catalog.get(type)?.exampleEvent : undefined;
  });
}

/** The node's input in the latest run that reached it (null when it has not run). */
export function useLastInput(nodeId: string) {
  const trpc = useTRPC();
  const flowId = useEditorStore((s) => s.flowId);
  return useQuery(trpc.flows.lastInput.queryOptions({ flowId, nodeId }, { staleTime: 60_000 }));
}

/** The sample event for previews: see `chooseSample` for the order. */
export function useSampleEvent(nodeId: string): Sample & { loading: boolean } {
  const flowId = useEditorStore((s) => s.flowId);
  const editedText = useStore(editedSamples, (s) => s.texts[sampleKey(flowId, nodeId)]);
  const upstreamExample = useUpstreamExample(nodeId);
  const last = useLastInput(nodeId);
  const edited = useMemo(() => parseSampleText(editedText), [editedText]);
  return { ...chooseSample({ edited, lastInput: last.data, upstreamExample }), loading: last.isPending };
}
