'use client';

import { useState } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ArrowLeft, Ban, ChevronRight, GitFork, Hourglass, RotateCcw, RotateCw } from 'lucide-react';
import { useCan } from '../auth/account-context';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import type { RunDetail as Run, RunStep } from '../trpc/types';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { EmptyState } from '../ui/empty-state';
import { ErrorNotice } from '../ui/error-notice';
import { formatDateTime, formatDuration, plural } from '../ui/format';
import { PageSpinner, Spinner } from '../ui/spinner';
import { useToast } from '../ui/toast';
import { explainError } from './explain-error';
import { useLiveRun } from './live';
import { LiveIndicator } from './live-indicator';
import { RunGraph } from './run-graph';
import { isActiveStatus, RunStatusBadge, triggerLabel } from './run-status';
import { RunTimeline } from './run-timeline';
import { StepCard, stepAnchor } from './step-card';
import { SLOW_POLL_MS } from './use-run-stream';

function stillMoving(run: Run): boolean {
  return isActiveStatus(run.status) || run.steps.some((s) => s.status === 'running' || s.status === 'retrying');
}

export function RunDetail({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const stream = useLiveRun(runId);
  const run = useQuery(
    trpc.runs.get.queryOptions(
      { id: runId },
      // The stream refetches on every change; polling only when it is unavailable, and slowly.
      { refetchInterval: (q) => (stream === 'offline' && q.state.data && stillMoving(q.state.data) ? SLOW_POLL_MS : false) },
    ),
  );
  const agents = useQuery(trpc.agents.list.queryOptions(undefined, { staleTime: Infinity }));
  const flow = useQuery(trpc.flows.get.queryOptions({ id: run.data?.flowId ?? '' }, { enabled: Boolean(run.data?.flowId), staleTime: 60_000 }));
  const [selected, setSelected] = useState<string | null>(null);
  const agentName = (type: string) => agents.data?.find((a) => a.type === type)?.name;

  if (run.isPending) return <PageSpinner label="Loading the run…" />;
  if (run.isError)
    return (
      <ErrorNotice title="This run could not be opened." error={run.error}>
        <Link href="/runs" className="font-medium underline">
          Back to all runs
        </Link>
      </ErrorNotice>
    );

  const r = run.data;
  const when = r.startedAt ?? r.createdAt;
  const failedSteps = r.steps.filter((s) => s.status === 'failed');
  const explained = r.error ? explainError(r.error) : null;

  const select = (step: RunStep | undefined) => {
    if (!step) return;
    setSelected(step.id);
    const el = document.getElementById(stepAnchor(step));
    el?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    el?.focus({ preventScroll: true });
  };

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-3 flex flex-wrap items-center gap-1 text-sm text-slate-600 dark:text-slate-400">
        <Link href="/runs" className="inline-flex items-center gap-1 hover:text-slate-900 dark:hover:text-slate-100">
          <ArrowLeft className="h-4 w-4" aria-hidden />
          All runs
        </Link>
        <ChevronRight className="h-3.5 w-3.5 text-slate-400" aria-hidden />
        <Link href={`/flows/${r.flowId}/runs`} className="hover:text-slate-900 dark:hover:text-slate-100">
          Runs of “{r.flowName}”
        </Link>
        <ChevronRight className="h-3.5 w-3.5 text-slate-400" aria-hidden />
        <span aria-current="page">This run</span>
      </nav>

      <div className="mb-5 flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Run of “{r.flowName}”</h1>
        <RunStatusBadge status={r.status} waiting={Boolean(r.waiting)} testId="run-status" />
        <LiveIndicator state={stream} />
        {run.isFetching && <Spinner label="Refreshing" />}
        <div className="ml-auto">
          <RunActions run={r} />
        </div>
      </div>

      <dl className="mb-5 grid grid-cols-2 gap-4 rounded-xl border border-slate-200 bg-white p-4 text-sm sm:grid-cols-5 dark:border-slate-800 dark:bg-slate-900">
        <Fact label="Started by">{triggerLabel(r.triggerKind)}</Fact>
        <Fact label="Started">{formatDateTime(when)}</Fact>
        <Fact label="Duration">{isActiveStatus(r.status) ? 'still going…' : formatDuration(r.durationMs)}</Fact>
        <Fact label="Steps">{r.steps.length}</Fact>
        <Fact label="Flow version">
          <Link href={`/flows/${r.flowId}`} className="text-indigo-600 hover:underline dark:text-indigo-400">
            Version {r.flowVersion}
          </Link>
        </Fact>
        {r.rerunOf && (
          <div className="col-span-full text-slate-600 dark:text-slate-400">
            A re-run of{' '}
            <Link href={`/runs/${r.rerunOf}`} className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
              an earlier run
            </Link>
            , with the same trigger data.
          </div>
        )}
      </dl>

      {r.waiting && (
        <p role="status" data-testid="run-waiting" className="mb-5 rounded-xl border border-slate-200 bg-slate-50 p-4 text-sm text-slate-700 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-300">
          {r.waiting} This flow runs a limited number of runs at a time (Flow settings in the editor); this run starts as soon as one of them ends.
        </p>
      )}

      {r.error && r.status !== 'running' && (
        <div role="alert" data-testid="run-error" className="mb-5 rounded-xl border border-rose-200 bg-rose-50 p-4 text-sm text-rose-800 dark:border-rose-900 dark:bg-rose-950 dark:text-rose-200">
          <p className="font-medium">{r.status === 'cancelled' ? 'This run was cancelled' : 'This run failed'}</p>
          {explained && r.status === 'failed' && (
            <p className="mt-1">
              {explained.summary} {explained.hint}
            </p>
          )}
          <p className={explained && r.status === 'failed' ? 'mt-1 text-xs break-words opacity-90' : 'mt-1 break-words'}>{r.error}</p>
          {failedSteps.length > 0 && (
            <p className="mt-2">
              It stopped at{' '}
              {failedSteps.slice(0, 3).map((s, i) => (
                <span key={s.id}>
                  {i > 0 && ', '}
                  <button type="button" className="font-medium underline" onClick={() => select(s)}>
                    {s.nodeLabel}
                  </button>
                </span>
              ))}
              . Fix the cause (the step&apos;s settings, its credential or the service it calls), then use <strong>Retry from failed step</strong>: steps that
              already succeeded keep their results.
            </p>
          )}
        </div>
      )}

      {r.steps.length === 0 ? (
        <EmptyState icon={Hourglass} title={isActiveStatus(r.status) ? 'Waiting for the first step…' : 'No step ran'}>
          {isActiveStatus(r.status)
            ? 'The run is queued. Steps appear here as soon as a worker picks it up.'
            : 'The run ended before any step started.'}
        </EmptyState>
      ) : (
        <>
          <div className="mb-5 grid gap-5">
            <Panel title="Timeline" description="When each step ran and how long it took. Failed tries are striped.">
              <RunTimeline run={r} onSelectStep={select} />
            </Panel>
            <Panel
              title="Path through the flow"
              description={
                flow.data && flow.data.version !== r.flowVersion
                  ? r.graph
                    ? `The flow as it was for this run (version ${r.flowVersion}); it has changed since (now version ${flow.data.version}).`
                    : `The flow has changed since this run (it ran version ${r.flowVersion}; this is version ${flow.data.version}).`
                  : 'Steps that ran are outlined with their status; bold lines show the way the data went.'
              }
            >
              {!r.graph && flow.isPending && <PageSpinner label="Drawing the flow…" />}
              {!r.graph && flow.isError && <p className="text-sm text-slate-500">The flow could not be drawn: {errorMessage(flow.error)}</p>}
              {(r.graph ?? flow.data?.graph) && (
                <RunGraph
                  graph={(r.graph ?? flow.data?.graph)!}
                  run={r}
                  agents={agents.data}
                  onSelectNode={(nodeId) => select(r.steps.find((s) => s.nodeId === nodeId))}
                />
              )}
            </Panel>
          </div>

          <h2 className="mb-3 text-lg font-semibold">Steps</h2>
          <ol className="space-y-3" data-testid="run-steps" aria-label="Steps">
            {r.steps.map((step, i) => (
              <StepCard key={step.id} step={step} index={i} agentName={agentName(step.agentType)} highlighted={selected === step.id} />
            ))}
          </ol>
          {isActiveStatus(r.status) && (
            <p className="mt-3 flex items-center gap-2 text-sm text-slate-500" role="status">
              <Spinner label="" /> More steps appear here as they finish.
            </p>
          )}
        </>
      )}
    </>
  );
}

function Panel({ title, description, children }: { title: string; description?: string; children: React.ReactNode }) {
  return (
    <section className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900" aria-label={title}>
      <h2 className="font-semibold">{title}</h2>
      {description && <p className="mb-3 text-xs text-slate-500 dark:text-slate-400">{description}</p>}
      {children}
    </section>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="mt-0.5 font-medium">{children}</dd>
    </div>
  );
}

/** Retry from the failed step, re-run, cancel: for builders and up; each says what happened in a toast. */
function RunActions({ run }: { run: Run }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const toast = useToast();
  const canEdit = useCan('edit');
  const [confirmCancel, setConfirmCancel] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ id: run.id }) });

  const retry = useMutation(
    trpc.runs.retryFromFailure.mutationOptions({
      onSuccess: (res) => {
        toast.show({ tone: 'success', message: `Retrying ${plural(res.steps, 'failed step')}. Steps that succeeded keep their results.` });
        void refresh();
      },
      onError: (e) => toast.show({ tone: 'error', message: errorMessage(e) }),
    }),
  );
  const rerun = useMutation(
    trpc.runs.rerun.mutationOptions({
      onSuccess: ({ runId }) => {
        const earlier = run.id;
        toast.show({
          tone: 'success',
          message: 'Started a new run with the same trigger data. You are watching it now.',
          action: { label: 'Back to the earlier run', onClick: () => router.push(`/runs/${earlier}`) },
        });
        void queryClient.invalidateQueries({ queryKey: trpc.monitoring.runs.pathKey() });
        router.push(`/runs/${runId}`);
      },
      onError: (e) => toast.show({ tone: 'error', message: errorMessage(e) }),
    }),
  );
  const cancel = useMutation(
    trpc.runs.cancel.mutationOptions({
      onSuccess: () => {
        setConfirmCancel(false);
        toast.show({ tone: 'success', message: 'The run was cancelled. Steps already running finish; nothing new starts.' });
        void refresh();
      },
      onError: (e) => {
        setConfirmCancel(false);
        toast.show({ tone: 'error', message: errorMessage(e) });
      },
    }),
  );

  if (!canEdit) {
    return <p className="text-xs text-slate-500">Viewers can look but not retry or cancel runs.</p>;
  }
  const active = isActiveStatus(run.status);
  const canRetry = run.status === 'failed' && run.steps.some((s) => s.status === 'failed');
  return (
    <div className="flex flex-wrap items-center gap-2">
      {canRetry && (
        <Button variant="primary" onClick={() => retry.mutate({ id: run.id })} disabled={retry.isPending} data-testid="retry-run">
          <RotateCw className="h-4 w-4" aria-hidden />
          {retry.isPending ? 'Retrying…' : 'Retry from failed step'}
        </Button>
      )}
      {!active && (
        <Button onClick={() => rerun.mutate({ id: run.id })} disabled={rerun.isPending} data-testid="rerun-run" title="Run the flow again from the start with the same trigger data">
          {run.status === 'succeeded' ? <RotateCcw className="h-4 w-4" aria-hidden /> : <GitFork className="h-4 w-4" aria-hidden />}
          {rerun.isPending ? 'Starting…' : 'Re-run'}
        </Button>
      )}
      {active && (
        <Button variant="secondary" onClick={() => setConfirmCancel(true)} data-testid="cancel-run">
          <Ban className="h-4 w-4" aria-hidden />
          Cancel run
        </Button>
      )}
      <Dialog
        open={confirmCancel}
        onClose={() => setConfirmCancel(false)}
        title="Cancel this run?"
        description="Steps that are running now finish, but nothing new starts. You can re-run it later with the same trigger data."
        footer={
          <>
            <Button onClick={() => setConfirmCancel(false)}>Keep it running</Button>
            <Button variant="danger" onClick={() => cancel.mutate({ id: run.id })} disabled={cancel.isPending} data-testid="confirm-cancel-run">
              {cancel.isPending ? 'Cancelling…' : 'Cancel run'}
            </Button>
          </>
        }
      />
    </div>
  );
}
