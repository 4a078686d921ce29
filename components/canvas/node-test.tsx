'use client';

import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { FlaskConical } from 'lucide-react';
import { JsonBlock } from '../runs/json-block';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { formatDuration, plural } from '../ui/format';
import { Spinner } from '../ui/spinner';
import { Textarea } from '../ui/textarea';
import { editedSamples, sampleKey } from './sample-event';
import { useEditorStore, useEditorStoreApi } from './store-context';
import { isAgentNode } from './types';
import { useLastInput, useUpstreamExample } from './use-sample-event';

/** The sample event to start from: the one typed here before, the node's input in the last run, else what the step before it emits. */
function useTestSample(nodeId: string) {
  const flowId = useEditorStore((s) => s.flowId);
  const upstreamExample = useUpstreamExample(nodeId);
  const last = useLastInput(nodeId);
  const edited = editedSamples.getState().texts[sampleKey(flowId, nodeId)];
  return { text: edited ?? JSON.stringify(last.data ?? upstreamExample ?? {}, null, 2), fromLastRun: Boolean(last.data), loading: last.isPending };
}

/** "Test this node": runs just this step, with its current (even unsaved) settings, on a sample event. */
export function NodeTest({ nodeId, readOnly }: { nodeId: string; readOnly: boolean }) {
  const { text, fromLastRun, loading } = useTestSample(nodeId);
  if (readOnly) {
    return (
      <p className="p-4 text-sm text-slate-600 dark:text-slate-400" data-testid="node-test-read-only">
        Testing a step runs it, so it needs builder access. Ask an admin if you need to try this step.
      </p>
    );
  }
  if (loading) return <Spinner label="Loading a sample event…" className="p-4" />;
  return <NodeTestForm nodeId={nodeId} initialText={text} fromLastRun={fromLastRun} />;
}

function NodeTestForm({ nodeId, initialText, fromLastRun }: { nodeId: string; initialText: string; fromLastRun: boolean }) {
  const trpc = useTRPC();
  const store = useEditorStoreApi();
  const agent = useEditorStore((s) => {
    const node = s.nodes.find((n) => n.id === nodeId);
    return isAgentNode(node) ? s.catalog.get(node.data.agentType) : undefined;
  });
  const [text, setText] = useState(initialText);
  const [parseError, setParseError] = useState<string | null>(null);
  const test = useMutation(trpc.flows.testNode.mutationOptions());

  if (agent && !agent.capabilities.dryRun) {
    return <p className="p-4 text-sm text-slate-600 dark:text-slate-400">{agent.name} cannot be tested on its own; run the flow to try it.</p>;
  }

  // Kept per step, so the settings' Liquid previews use the same sample and it survives switching tabs.
  function changeText(next: string) {
    setText(next);
    editedSamples.getState().set(sampleKey(store.getState().flowId, nodeId), next);
  }

  function run() {
    let event: unknown;
    try {
      event = JSON.parse(text || '{}');
    } catch {
      return setParseError('The sample event is not valid JSON. Check the quotes, commas and brackets.');
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      return setParseError('The sample event must be a JSON object, e.g. { "name": "Ada" }.');
    }
    setParseError(null);
    const s = store.getState();
    const node = s.nodes.find((n) => n.id === nodeId);
    if (!isAgentNode(node)) return;
    test.mutate({
      flowId: s.flowId,
      node: { id: node.id, type: node.data.agentType, options: node.data.options },
      event: event as Record<string, unknown>,
    });
  }

  const result = test.data;
  return (
    <div className="space-y-4 p-4" data-testid="node-test">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Runs only this step with its current settings. Nothing is saved and no other step runs, but calls to other systems are real.
      </p>
      <Field
        label="Sample event"
        hint={fromLastRun ? 'What this step received in its last run. Change it as you like.' : 'An example of what the step before sends. Change it as you like.'}
        error={parseError}
      >
        {({ invalid, ...control }) => (
          <Textarea {...control} invalid={invalid} mono rows={Math.min(12, Math.max(4, text.split('\n').length + 1))} value={text} onChange={(e) => changeText(e.target.value)} data-testid="node-test-event" />
        )}
      </Field>
      <Button variant="primary" onClick={run} disabled={test.isPending} data-testid="node-test-run">
        <FlaskConical className="h-4 w-4" aria-hidden />
        {test.isPending ? 'Testing…' : 'Test this node'}
      </Button>

      {test.isError && (
        <p role="alert" className="rounded-lg bg-rose-50 p-3 text-sm text-rose-800 dark:bg-rose-950 dark:text-rose-200">
          {errorMessage(test.error)}
        </p>
      )}
      {result && (
        <div className="space-y-2" data-testid="node-test-result" data-ok={result.ok}>
          {result.ok ? (
            <p className="text-sm text-emerald-700 dark:text-emerald-400">
              Worked in {formatDuration(result.durationMs)}: {plural(result.events.length, 'event')} would be sent on.
            </p>
          ) : (
            <p role="alert" className="rounded-lg bg-rose-50 p-3 text-sm text-rose-800 dark:bg-rose-950 dark:text-rose-200">
              {result.error}
            </p>
          )}
          {result.ok && <JsonBlock title="Output" value={result.events.length === 1 ? result.events[0] : result.events} defaultOpen />}
          {result.logs.length > 0 && <JsonBlock title="Log" value={result.logs} testId="node-test-log" />}
        </div>
      )}
    </div>
  );
}
