'use client';

import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { RotateCcw } from 'lucide-react';
import { useTRPC } from '../trpc/client';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import {
  boundsFromSchema,
  compactPolicy,
  describeRetry,
  effectivePolicy,
  parseRetryText,
  retryFields,
  toText,
  type RetryBounds,
  type RetryField,
  type RetryPolicy,
} from './retry-policy';
import { jsonDraftKey } from './store';
import { useEditorStore, useEditorStoreApi } from './store-context';
import { isAgentNode } from './types';

const fieldText: Record<RetryField, { label: string; hint: string; unit: string }> = {
  attempts: { label: 'Tries in all', hint: 'How often the step is tried before the run fails; 1 means no retries.', unit: '' },
  backoffMs: { label: 'First wait (seconds)', hint: 'The pause before the first retry; each later pause doubles.', unit: 's' },
  maxDelayMs: { label: 'Longest wait (seconds)', hint: 'Pauses never grow beyond this.', unit: 's' },
};

/** "If this step fails": the node's retry policy, with the engine's defaults shown where it sets none. */
export function RetrySettings({ nodeId, readOnly }: { nodeId: string; readOnly: boolean }) {
  const trpc = useTRPC();
  const info = useQuery(trpc.agents.retryPolicy.queryOptions(undefined, { staleTime: Infinity }));
  if (!info.data) return null;
  return <RetryForm nodeId={nodeId} readOnly={readOnly} defaults={info.data.defaults} bounds={boundsFromSchema(info.data.schema)} />;
}

function RetryForm({ nodeId, readOnly, defaults, bounds }: { nodeId: string; readOnly: boolean; defaults: RetryPolicy; bounds: RetryBounds }) {
  const store = useEditorStoreApi();
  const own = useEditorStore((s) => {
    const node = s.nodes.find((n) => n.id === nodeId);
    return isAgentNode(node) ? node.data.retry : undefined;
  });
  const drafts = useEditorStore((s) => s.jsonDrafts);
  // What was typed, so "2.50" stays "2.50" while it means the stored value; an undo shows the stored value again.
  const [typed, setTyped] = useState<Partial<Record<RetryField, string>>>({});
  const draftOf = (field: RetryField) => drafts[jsonDraftKey(nodeId, `retry.${field}`)];

  function textOf(field: RetryField): string {
    const draft = draftOf(field);
    if (draft) return draft.text;
    const stored = own?.[field];
    const mine = typed[field];
    if (mine !== undefined) {
      const parsed = parseRetryText(field, mine, bounds);
      if (parsed.ok && parsed.value === stored) return mine;
    }
    return toText(field, stored);
  }

  function change(field: RetryField, text: string) {
    setTyped((t) => ({ ...t, [field]: text }));
    const s = store.getState();
    const parsed = parseRetryText(field, text, bounds);
    // Text that does not fit the bounds waits as a draft: shown with its message, and saving waits for a fix.
    if (!parsed.ok) return s.setJsonDraft(nodeId, `retry.${field}`, { text, message: parsed.message });
    s.setJsonDraft(nodeId, `retry.${field}`, null);
    s.updateNodeData(nodeId, { retry: compactPolicy({ ...own, [field]: parsed.value }) });
  }

  function reset() {
    const s = store.getState();
    for (const field of retryFields) s.setJsonDraft(nodeId, `retry.${field}`, null);
    setTyped({});
    s.updateNodeData(nodeId, { retry: undefined });
  }

  const custom = Boolean(own) || retryFields.some((f) => draftOf(f));
  return (
    <section className="space-y-3 border-t border-slate-200 p-4 dark:border-slate-800" aria-labelledby={`retry-${nodeId}`} data-testid="retry-settings">
      <div className="flex items-center justify-between gap-2">
        <h3 id={`retry-${nodeId}`} className="text-sm font-semibold">
          If this step fails
        </h3>
        {custom && !readOnly && (
          <Button size="sm" variant="ghost" onClick={reset} data-testid="retry-reset">
            <RotateCcw className="h-3.5 w-3.5" aria-hidden />
            Use the defaults
          </Button>
        )}
      </div>
      <p className="text-xs text-slate-600 dark:text-slate-400" data-testid="retry-summary">
        {describeRetry(effectivePolicy(own, defaults))}
      </p>
      <fieldset disabled={readOnly} className="grid min-w-0 grid-cols-1 gap-3">
        {retryFields.map((field) => (
          <Field key={field} label={fieldText[field].label} hint={`${fieldText[field].hint} Default: ${toText(field, defaults[field])}${fieldText[field].unit ? ' s' : ''}.`} error={draftOf(field)?.message ?? null}>
            {({ invalid, ...control }) => (
              <Input
                {...control}
                invalid={invalid}
                inputMode={field === 'attempts' ? 'numeric' : 'decimal'}
                placeholder={`${toText(field, defaults[field])} (default)`}
                value={textOf(field)}
                onChange={(e) => change(field, e.target.value)}
                data-testid={`retry-${field}`}
              />
            )}
          </Field>
        ))}
      </fieldset>
    </section>
  );
}
