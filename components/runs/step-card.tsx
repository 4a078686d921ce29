import type { RunStep } from '../trpc/types';
import { Badge } from '../ui/badge';
import { cn } from '../ui/cn';
import { formatDuration, plural } from '../ui/format';
import { explainError } from './explain-error';
import { JsonBlock } from './json-block';
import { RunStatusBadge } from './run-status';

const levelClass: Record<string, string> = {
  error: 'text-rose-600 dark:text-rose-400',
  warn: 'text-amber-700 dark:text-amber-400',
};

export function stepAnchor(step: { id: string }): string {
  return `step-${step.id}`;
}

/** A step's error: what it means in plain words when we can tell, and the exact message. */
export function StepError({ error, testId }: { error: string; testId?: string }) {
  const explained = explainError(error);
  return (
    <div role="alert" data-testid={testId} className="rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800 dark:bg-rose-950 dark:text-rose-200">
      {explained ? (
        <>
          <p className="font-medium">{explained.summary}</p>
          {explained.hint && <p className="mt-0.5">{explained.hint}</p>}
          <p className="mt-1 text-xs break-words text-rose-700/90 dark:text-rose-300/90">
            <span className="font-medium">Message: </span>
            {error}
          </p>
        </>
      ) : (
        <p className="break-words">{error}</p>
      )}
    </div>
  );
}

/** One step of a run: what the node received, what it sent on, what it said, and its tries. */
export function StepCard({ step, index, agentName, highlighted }: { step: RunStep; index: number; agentName?: string; highlighted?: boolean }) {
  // While a step waits for its retry, its own times are those of the try that just failed (also in attempts).
  const current = new Date(step.startedAt).getTime();
  const tries = step.attempts.length + (step.attempts.some((a) => new Date(a.startedAt).getTime() === current) ? 0 : 1);
  return (
    <li
      id={stepAnchor(step)}
      tabIndex={-1}
      data-testid={`run-step-${step.nodeId}`}
      data-status={step.status}
      className={cn(
        'scroll-mt-4 rounded-xl border bg-white p-4 shadow-xs transition-shadow dark:bg-slate-900',
        highlighted ? 'border-indigo-400 ring-2 ring-indigo-400/30' : 'border-slate-200 dark:border-slate-800',
      )}
    >
      <div className="flex flex-wrap items-center gap-3">
        <span className="flex h-7 w-7 items-center justify-center rounded-full bg-slate-100 text-xs font-semibold text-slate-600 dark:bg-slate-800 dark:text-slate-300">
          {index + 1}
        </span>
        <div className="min-w-0 flex-1">
          <h3 className="truncate font-medium">{step.nodeLabel}</h3>
          <p className="text-xs text-slate-500 dark:text-slate-400">
            {agentName ?? step.agentType} · node <code className="font-mono">{step.nodeId}</code>
          </p>
        </div>
        {tries > 1 && <Badge tone="amber">{plural(tries, 'try', 'tries')}</Badge>}
        <span className="text-sm text-slate-500 tabular-nums dark:text-slate-400" title="How long the last try took">
          {formatDuration(step.durationMs)}
        </span>
        <RunStatusBadge status={step.status} testId="step-status" />
      </div>

      {step.error && (
        <div className="mt-3">
          <StepError error={step.error} testId="step-error" />
        </div>
      )}

      {step.attempts.length > 0 && (
        <div className="mt-3">
          <h4 className="mb-1 text-xs font-medium tracking-wide text-slate-500 uppercase">Earlier tries</h4>
          <ul className="space-y-1 text-sm" data-testid="step-attempts">
            {step.attempts.map((a, i) => (
              <li key={i} className="flex gap-2 text-slate-700 dark:text-slate-300">
                <span className="shrink-0 text-slate-500">
                  Try {i + 1} · {new Date(a.startedAt).toLocaleTimeString()} · {formatDuration(new Date(a.finishedAt).getTime() - new Date(a.startedAt).getTime())}
                </span>
                <span className="min-w-0 break-words text-rose-700 dark:text-rose-400">{a.error}</span>
              </li>
            ))}
          </ul>
        </div>
      )}

      <div className="mt-3 grid gap-2">
        <JsonBlock title="Input — the event this step received" value={step.input} testId="step-input" />
        <JsonBlock
          title={`Output — ${plural(step.outputs.length, 'event')} sent on`}
          value={step.outputs.length === 1 ? step.outputs[0] : step.outputs}
          defaultOpen={step.outputs.length > 0}
          testId="step-output"
        />
      </div>

      {step.logs.length > 0 && (
        <details className="group mt-3" open={step.logs.length <= 5 || step.status === 'failed'}>
          <summary className="cursor-pointer text-xs font-medium tracking-wide text-slate-500 uppercase">Log ({step.logs.length})</summary>
          <ul className="mt-1 max-h-60 space-y-0.5 overflow-auto font-mono text-xs" data-testid="step-logs">
            {step.logs.map((log, i) => (
              <li key={i} className={cn('flex gap-2', levelClass[log.level] ?? 'text-slate-700 dark:text-slate-300')}>
                <span className="shrink-0 text-slate-400">{new Date(log.at).toLocaleTimeString()}</span>
                {log.level !== 'info' && <span className="shrink-0 uppercase">{log.level}</span>}
                <span className="break-words">{log.message}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}
