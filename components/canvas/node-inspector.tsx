'use client';

import { useCallback, useMemo } from 'react';
import { Eye, Trash2 } from 'lucide-react';
import { useReactFlow } from '@xyflow/react';
import { useCan } from '../auth/account-context';
import { Button } from '../ui/button';
import { cn } from '../ui/cn';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { Markdown } from '../ui/markdown';
import { Tabs } from '../ui/tabs';
import { AgentIcon } from './agent-icon';
import { categoryStyle } from './categories';
import { SchemaForm } from './form/schema-form';
import { NodeLastRun } from './node-last-run';
import { NodeTest } from './node-test';
import { RetrySettings } from './retry-settings';
import { jsonDraftKey, type InspectorTab, type JsonDraft } from './store';
import { useEditorStore, useEditorStoreApi } from './store-context';
import { isAgentNode } from './types';
import { useNodeProblems } from './use-node-problems';
import { useSampleEvent } from './use-sample-event';
import { WebhookAddress } from './webhook-address';

export function NodeInspector({ nodeId }: { nodeId: string }) {
  const store = useEditorStoreApi();
  const data = useEditorStore((s) => {
    const node = s.nodes.find((n) => n.id === nodeId);
    return isAgentNode(node) ? node.data : undefined;
  });
  const tab = useEditorStore((s) => (s.inspectorTab.nodeId === nodeId ? s.inspectorTab.tab : 'settings'));
  const agent = useEditorStore((s) => (data ? s.catalog.get(data.agentType) : undefined));
  const { deleteElements } = useReactFlow();
  const jsonDraft = useCallback((path: string) => store.getState().jsonDrafts[jsonDraftKey(nodeId, path)]?.text, [store, nodeId]);
  const setJsonDraft = useCallback(
    (path: string, draft: JsonDraft | null) => store.getState().setJsonDraft(nodeId, path, draft),
    [store, nodeId],
  );
  const onOptions = useCallback((options: Record<string, unknown>) => store.getState().updateNodeData(nodeId, { options }), [store, nodeId]);
  const problems = useNodeProblems(nodeId, data ?? { agentType: '', label: '', options: {} });
  // Viewers see everything a builder sees, with the controls disabled; the server refuses their changes anyway.
  const readOnly = !useCan('edit');
  const { loading: sampleLoading, ...sample } = useSampleEvent(nodeId);
  const rawOptions = agent?.rawOptions;
  const preview = useMemo(
    () => (sampleLoading ? null : { sample: { event: sample.event, source: sample.source }, rawOptions: rawOptions ?? [] }),
    [sampleLoading, sample.event, sample.source, rawOptions],
  );

  if (!data) return null;
  const style = categoryStyle(agent?.category);
  const nodeLevelProblem = problems.summary && !Object.keys(problems.byPath).length ? problems.summary : null;

  const settings = (
    <div className="space-y-4 p-4">
      {agent?.capabilities.trigger === 'webhook' && <WebhookAddress nodeId={nodeId} />}
      {nodeLevelProblem && (
        <p role="alert" className="rounded-lg bg-rose-50 p-3 text-sm text-rose-800 dark:bg-rose-950 dark:text-rose-200">
          {nodeLevelProblem}
        </p>
      )}
      {agent ? (
        <SchemaForm
          schema={agent.optionsSchema}
          value={data.options}
          onChange={onOptions}
          errors={problems.byPath}
          jsonDraft={jsonDraft}
          setJsonDraft={setJsonDraft}
          readOnly={readOnly}
          preview={preview}
        />
      ) : (
        <p className="text-sm text-slate-500">Muninn does not know this kind of step, so it cannot show its settings.</p>
      )}
    </div>
  );
  const settingsTab = (
    <>
      {settings}
      <RetrySettings nodeId={nodeId} readOnly={readOnly} />
    </>
  );

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid={`inspector-${nodeId}`}>
      <header className="flex items-start gap-3 border-b border-slate-200 p-4 dark:border-slate-800">
        <span className={cn('flex h-9 w-9 shrink-0 items-center justify-center rounded-lg', style.chip)}>
          <AgentIcon name={agent?.icon} category={agent?.category} className="h-5 w-5" />
        </span>
        <div className="min-w-0 flex-1">
          <h2 className="truncate font-semibold">{agent?.name ?? data.agentType}</h2>
          <p className="truncate text-xs text-slate-500">
            Step id <code className="font-mono">{nodeId}</code>
          </p>
        </div>
        {!readOnly && (
          <Button variant="ghost" size="icon" aria-label="Remove this step" title="Remove this step (Delete)" onClick={() => void deleteElements({ nodes: [{ id: nodeId }] })}>
            <Trash2 className="h-4 w-4" aria-hidden />
          </Button>
        )}
      </header>
      {readOnly && (
        <p className="flex items-start gap-2 border-b border-slate-200 bg-slate-50 px-4 py-2.5 text-sm text-slate-700 dark:border-slate-800 dark:bg-slate-950 dark:text-slate-300" data-testid="inspector-read-only">
          <Eye className="mt-0.5 h-4 w-4 shrink-0 text-slate-500" aria-hidden />
          You can view this flow; ask an admin for builder access to change it.
        </p>
      )}

      <div className="min-h-0 flex-1 overflow-y-auto">
        <div className="space-y-3 border-b border-slate-200 p-4 dark:border-slate-800">
          <Field label="Label" hint="A name for this step, shown on the canvas and in run history.">
            {({ invalid, ...control }) => (
              <Input
                {...control}
                invalid={invalid}
                maxLength={200}
                disabled={readOnly}
                value={data.label}
                placeholder={agent?.name}
                onChange={(e) => store.getState().updateNodeData(nodeId, { label: e.target.value })}
                data-testid="node-label"
              />
            )}
          </Field>
          {agent && (
            <details className="group">
              <summary className="cursor-pointer text-sm font-medium text-indigo-700 select-none dark:text-indigo-300">About this agent</summary>
              <Markdown className="mt-2">{agent.description}</Markdown>
            </details>
          )}
        </div>
        <Tabs
          label="Step details"
          value={tab}
          onChange={(next) => store.getState().setInspectorTab(nodeId, next as InspectorTab)}
          tabs={[
            { id: 'settings', label: 'Settings', content: settingsTab },
            { id: 'test', label: 'Test', content: <NodeTest nodeId={nodeId} readOnly={readOnly} /> },
            {
              id: 'last-run',
              label: 'Last run',
              content: (
                <div className="p-4">
                  <NodeLastRun nodeId={nodeId} exampleEvent={agent?.exampleEvent} />
                </div>
              ),
            },
          ]}
        />
      </div>
    </div>
  );
}
