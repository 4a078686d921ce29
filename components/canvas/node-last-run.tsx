'use client';

import { useState } from 'react';
import Link from 'next/link';
import { ChevronLeft, ChevronRight } from 'lucide-react';
import { JsonBlock } from '../runs/json-block';
import { RunStatusBadge } from '../runs/run-status';
import { Button } from '../ui/button';
import { formatDateTime, formatDuration, formatRelative, plural } from '../ui/format';
import { Spinner } from '../ui/spinner';
import { useEditorStore } from './store-context';
import { useLatestRun } from './use-latest-run';

/**
 * What this node received and sent on in the flow's latest run. A node runs once per event it
 * receives, so it may have several steps in one run: they can be paged through.
 */
export function NodeLastRun({ nodeId, exampleEvent }: { nodeId: string; exampleEvent: unknown }) {
  const flowId = useEditorStore((s) => s.flowId);
  const run = useLatestRun(flowId);
  const steps = run.data?.steps.filter((s) => s.nodeId === nodeId) ?? [];
  // Newest first by default: the last attempt is usually the one people look for.
  const [picked, setPicked] = useState<number | null>(null);
  const index = picked === null || picked >= steps.length ? steps.length - 1 : picked;
  const step = steps[index];

  if (run.isPending && run.fetchStatus !== 'idle') return <Spinner label="Loading the latest run…" />;
  if (!step) {
    return (
      <div className="space-y-3" data-testid="node-last-run-empty">
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {run.data ? 'This step did not run in the latest run.' : 'This flow has not run yet.'} Press <strong>Run</strong> to see what it receives
          and sends on. It sends events like this one:
        </p>
        <JsonBlock title="Example output" value={exampleEvent} defaultOpen />
      </div>
    );
  }

  const events = steps.reduce((n, s) => n + s.outputs.length, 0);
  return (
    <div className="space-y-3" data-testid="node-last-run">
      <p className="text-xs text-slate-500">
        Latest run, started <span title={formatDateTime(new Date(run.data!.createdAt))}>{formatRelative(new Date(run.data!.createdAt))}</span>: this step ran{' '}
        {plural(steps.length, 'time')} and sent on {plural(events, 'event')}.
      </p>
      <div className="flex items-center gap-2 text-sm">
        <RunStatusBadge status={step.status} testId="node-last-run-status" />
        <span className="text-slate-500">{formatDuration(step.durationMs)}</span>
        {step.attempt > 1 && <span className="text-xs text-slate-500">attempt {step.attempt}</span>}
        <Link href={`/runs/${run.data?.id}`} className="ml-auto text-indigo-600 hover:underline dark:text-indigo-400">
          Open run
        </Link>
      </div>
      {steps.length > 1 && (
        <div className="flex items-center gap-2 text-xs text-slate-600 dark:text-slate-400" data-testid="node-last-run-pager">
          <Button variant="ghost" size="icon" aria-label="Previous time it ran" disabled={index === 0} onClick={() => setPicked(index - 1)}>
            <ChevronLeft className="h-4 w-4" aria-hidden />
          </Button>
          <span>
            Time {index + 1} of {steps.length}
          </span>
          <Button variant="ghost" size="icon" aria-label="Next time it ran" disabled={index === steps.length - 1} onClick={() => setPicked(index + 1)}>
            <ChevronRight className="h-4 w-4" aria-hidden />
          </Button>
        </div>
      )}
      {step.status === 'running' && <p className="text-sm text-sky-700 dark:text-sky-400">Running now…</p>}
      {step.error && <p className="rounded-lg bg-rose-50 p-2 text-sm text-rose-800 dark:bg-rose-950 dark:text-rose-200">{step.error}</p>}
      <JsonBlock title="Input" value={step.input} testId="node-last-run-input" />
      <JsonBlock
        title={`Output · ${plural(step.outputs.length, 'event')}`}
        value={step.outputs.length === 1 ? step.outputs[0] : step.outputs}
        defaultOpen
        testId="node-last-run-output"
      />
      {step.logs.length > 0 && <JsonBlock title={`Log (${step.logs.length})`} value={step.logs.map((l) => `${l.level}: ${l.message}`)} testId="node-last-run-log" />}
      {step.attempts.length > 0 && <JsonBlock title={`Earlier attempts (${step.attempts.length})`} value={step.attempts} />}
    </div>
  );
}
