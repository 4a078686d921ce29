'use client';

import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCan } from '../auth/account-context';
import { useTRPC } from '../trpc/client';
import { errorIssues, errorMessage } from '../trpc/errors';
import type { RouterOutputs } from '../trpc/types';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { ErrorNotice } from '../ui/error-notice';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { Select } from '../ui/select';
import { PageSpinner } from '../ui/spinner';
import { useToast } from '../ui/toast';
import { formatBytes } from '../runs/format';
import { useFlowParam } from './use-flow-param';

type RetentionView = RouterOutputs['monitoring']['retention'];
type Fields = RetentionView['effective'];

function days(n: number | null): string {
  return n === null ? 'forever' : `${n} ${n === 1 ? 'day' : 'days'}`;
}

/** What a policy does, in one or two sentences. */
export function describePolicy(f: Fields): string {
  const parts = [
    f.keepDays === null ? 'Successful and cancelled runs are kept forever' : `Successful and cancelled runs are deleted after ${days(f.keepDays)}`,
    f.keepFailedDays === null ? 'failed runs are kept forever' : `failed runs after ${days(f.keepFailedDays)}`,
  ];
  const cap = f.maxPayloadBytes === null ? 'Data is kept whole.' : `Data larger than ${formatBytes(f.maxPayloadBytes)} per event is cut down to its beginning once a run succeeded.`;
  return `${parts.join('; ')}. ${cap}`;
}

/** Retention of run data: the workspace default and each flow's own policy. */
export function RetentionSettings() {
  const trpc = useTRPC();
  const { flowId, setFlow } = useFlowParam();
  const isAdmin = useCan('manage');
  const flows = useQuery(trpc.flows.list.queryOptions());
  const policy = useQuery(trpc.monitoring.retention.queryOptions(flowId ? { flowId } : {}));

  return (
    <div className="space-y-8">
      <div>
        <h2 className="text-lg font-semibold">Data retention</h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          How long Muninn keeps the history of runs and their data. Old runs are removed every 10 minutes; runs that are still going are never touched, and failed runs
          keep their data so they can still be retried.
        </p>
        {!isAdmin && <p className="mt-2 text-sm text-slate-500">Only admins can change these settings. Ask an admin of this workspace if they need changing.</p>}
      </div>

      {policy.isPending && <PageSpinner label="Loading…" />}
      {policy.isError && <ErrorNotice title="The retention settings could not be loaded." error={policy.error} />}
      {policy.data && (
        <>
          <section aria-labelledby="retention-workspace" className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
            <h3 id="retention-workspace" className="font-semibold">
              For the whole workspace
            </h3>
            <p className="mb-4 text-sm text-slate-600 dark:text-slate-400" data-testid="retention-workspace-summary">
              {policy.data.workspace ? describePolicy(policy.data.workspace) : 'No policy yet: every run is kept forever, with all its data.'}
            </p>
            <RetentionForm key={JSON.stringify(policy.data.workspace)} current={policy.data.workspace} inherited={null} flowId={null} readOnly={!isAdmin} testId="retention-workspace-form" />
          </section>

          <section aria-labelledby="retention-flow" className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
            <h3 id="retention-flow" className="font-semibold">
              For one flow
            </h3>
            <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">A flow can keep its runs longer or shorter than the workspace. Empty fields follow the workspace.</p>
            <label className="mb-4 block w-72 text-sm font-medium text-slate-700 dark:text-slate-200">
              Flow
              <Select
                value={flowId ?? ''}
                onChange={(e) => setFlow(e.target.value || null)}
                className="mt-1"
                data-testid="retention-flow"
              >
                <option value="">Choose a flow…</option>
                {flows.data?.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.name}
                  </option>
                ))}
              </Select>
            </label>
            {flowId && (
              <>
                <p className="mb-4 rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-700 dark:bg-slate-800/60 dark:text-slate-300" data-testid="retention-effective">
                  {policy.data.flow ? 'This flow has its own policy. ' : 'This flow follows the workspace. '}
                  {describePolicy(policy.data.effective)}
                </p>
                <RetentionForm
                  key={`${flowId}:${JSON.stringify(policy.data.flow)}`}
                  current={policy.data.flow}
                  inherited={policy.data.workspace}
                  flowId={flowId}
                  readOnly={!isAdmin}
                  testId="retention-flow-form"
                />
              </>
            )}
          </section>
        </>
      )}
    </div>
  );
}

interface RetentionFormProps {
  current: Fields | null;
  /** For a flow: the workspace's values, shown as what empty fields mean. */
  inherited: Fields | null;
  flowId: string | null;
  readOnly: boolean;
  testId: string;
}

function text(n: number | null | undefined): string {
  return n === null || n === undefined ? '' : String(n);
}

function RetentionForm({ current, inherited, flowId, readOnly, testId }: RetentionFormProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [keepDays, setKeepDays] = useState(text(current?.keepDays));
  const [keepFailedDays, setKeepFailedDays] = useState(text(current?.keepFailedDays));
  const [maxKb, setMaxKb] = useState(current?.maxPayloadBytes ? String(Math.round(current.maxPayloadBytes / 1024)) : '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [confirm, setConfirm] = useState<string | null>(null);

  const save = useMutation(
    trpc.monitoring.setRetention.mutationOptions({
      onSuccess: (view) => {
        setConfirm(null);
        queryClient.setQueryData(trpc.monitoring.retention.queryKey(flowId ? { flowId } : {}), view);
        void queryClient.invalidateQueries({ queryKey: trpc.monitoring.retention.pathKey() });
        const removed = flowId ? !view.flow : !view.workspace;
        toast.show({ tone: 'success', message: removed ? (flowId ? 'This flow follows the workspace again.' : 'Policy removed: runs are kept forever.') : 'Retention policy saved.' });
      },
      onError: (e) => {
        setConfirm(null);
        const byField: Record<string, string> = {};
        for (const i of errorIssues(e)) if (i.field) byField[i.field] = i.message;
        setErrors(byField);
        toast.show({ tone: 'error', message: errorMessage(e) });
      },
    }),
  );

  const parse = () => {
    const e: Record<string, string> = {};
    const int = (v: string, field: string, min: number, max: number, msg: string) => {
      if (v.trim() === '') return null;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        e[field] = msg;
        return null;
      }
      return n;
    };
    const values = {
      keepDays: int(keepDays, 'keepDays', 1, 3650, 'Enter whole days from 1 to 3650, or leave empty'),
      keepFailedDays: int(keepFailedDays, 'keepFailedDays', 1, 3650, 'Enter whole days from 1 to 3650, or leave empty'),
      maxPayloadBytes: (() => {
        const kb = int(maxKb, 'maxPayloadBytes', 1, 97_656, 'Enter at least 1 KB, or leave empty');
        return kb === null ? null : kb * 1024;
      })(),
    };
    setErrors(e);
    return Object.keys(e).length ? null : values;
  };

  /** Deleting data cannot be undone: say what will go before saving a shorter time. */
  const deletes = (v: Fields): string | null => {
    const before = { keepDays: current?.keepDays ?? inherited?.keepDays ?? null, keepFailedDays: current?.keepFailedDays ?? inherited?.keepFailedDays ?? null };
    const shorter = (next: number | null, prev: number | null) => next !== null && (prev === null || next < prev);
    const parts: string[] = [];
    if (shorter(v.keepDays, before.keepDays)) parts.push(`successful and cancelled runs older than ${days(v.keepDays)}`);
    if (shorter(v.keepFailedDays ?? v.keepDays, before.keepFailedDays ?? before.keepDays)) parts.push(`failed runs older than ${days(v.keepFailedDays ?? v.keepDays)}`);
    return parts.length ? `${flowId ? 'This flow’s ' : ''}${parts.join(' and ')} will be deleted within 10 minutes, with all their data. This cannot be undone.` : null;
  };

  const submit = () => {
    const v = parse();
    if (!v) return;
    const warning = deletes(v);
    if (warning) setConfirm(warning);
    else save.mutate({ flowId, ...v });
  };

  const placeholder = (n: number | null | undefined, unit: string) => (flowId ? (n === null || n === undefined ? `Workspace: forever` : `Workspace: ${n} ${unit}`) : 'Forever');

  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      data-testid={testId}
    >
      <fieldset disabled={readOnly} className="grid gap-4 md:grid-cols-3">
        <Field label="Keep successful runs for (days)" error={errors.keepDays} hint="Also cancelled runs. Empty: forever.">
          {(c) => <Input {...c} type="number" min={1} max={3650} value={keepDays} onChange={(e) => setKeepDays(e.target.value)} placeholder={placeholder(inherited?.keepDays, 'days')} data-testid="retention-keep-days" />}
        </Field>
        <Field label="Keep failed runs for (days)" error={errors.keepFailedDays} hint="Often longer, to find out what went wrong. Empty: as long as successful runs.">
          {(c) => (
            <Input {...c} type="number" min={1} max={3650} value={keepFailedDays} onChange={(e) => setKeepFailedDays(e.target.value)} placeholder={placeholder(inherited?.keepFailedDays, 'days')} data-testid="retention-keep-failed-days" />
          )}
        </Field>
        <Field label="Largest data kept per event (KB)" error={errors.maxPayloadBytes} hint="Larger data of successful runs keeps only its beginning. Empty: no limit.">
          {(c) => (
            <Input
              {...c}
              type="number"
              min={1}
              value={maxKb}
              onChange={(e) => setMaxKb(e.target.value)}
              placeholder={flowId ? (inherited?.maxPayloadBytes ? `Workspace: ${Math.round(inherited.maxPayloadBytes / 1024)} KB` : 'Workspace: no limit') : 'No limit'}
              data-testid="retention-max-kb"
            />
          )}
        </Field>
      </fieldset>
      {!readOnly && (
        <div className="mt-4 flex flex-wrap gap-2">
          <Button type="submit" variant="primary" disabled={save.isPending} data-testid="retention-save">
            {save.isPending ? 'Saving…' : 'Save'}
          </Button>
          {current && (
            <Button onClick={() => save.mutate({ flowId, keepDays: null, keepFailedDays: null, maxPayloadBytes: null })} disabled={save.isPending}>
              {flowId ? 'Follow the workspace again' : 'Remove the policy (keep everything)'}
            </Button>
          )}
        </div>
      )}
      <Dialog
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        title="Delete older runs?"
        description={confirm}
        footer={
          <>
            <Button onClick={() => setConfirm(null)}>Go back</Button>
            <Button
              variant="danger"
              disabled={save.isPending}
              onClick={() => {
                const v = parse();
                if (v) save.mutate({ flowId, ...v });
              }}
              data-testid="retention-confirm"
            >
              {save.isPending ? 'Saving…' : 'Save and delete older runs'}
            </Button>
          </>
        }
      />
    </form>
  );
}
