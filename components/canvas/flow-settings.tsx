'use client';

import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Settings2 } from 'lucide-react';
import { useCan } from '../auth/account-context';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import type { FlowDetail } from '../trpc/types';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { Input } from '../ui/input';
import { useToast } from '../ui/toast';

const MAX = 1000;
const LIMIT_MESSAGE = `Enter a whole number from 1 to ${MAX}.`;

/** Sets the flow's limit of runs at a time; the toast can put the previous limit back. */
function useSetConcurrency(flowId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const mutation = useMutation(
    trpc.flows.setConcurrency.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.flows.get.queryKey({ id: flowId }) }),
    }),
  );
  return {
    ...mutation,
    save: (next: number | null, previous: number | null, after?: () => void) =>
      mutation.mutate(
        { id: flowId, maxConcurrentRuns: next },
        {
          onSuccess: ({ released }) => {
            after?.();
            const started = released ? ` ${released} waiting run${released === 1 ? '' : 's'} started.` : '';
            toast.show({
              tone: 'success',
              message: (next === null ? 'Runs of this flow are no longer limited.' : `At most ${next} run${next === 1 ? '' : 's'} of this flow at a time.`) + started,
              action: {
                label: 'Undo',
                onClick: () =>
                  mutation.mutate({ id: flowId, maxConcurrentRuns: previous }, { onError: (error) => toast.show({ tone: 'error', message: errorMessage(error) }) }),
              },
            });
          },
        },
      ),
  };
}

/** The flow's settings that are not part of its steps (not versioned): for now, runs at a time. */
export function FlowSettings({ flow }: { flow: FlowDetail }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="ghost" size="icon" aria-label="Flow settings" title="Flow settings" onClick={() => setOpen(true)} data-testid="flow-settings-button">
        <Settings2 className="h-4 w-4" aria-hidden />
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title="Flow settings"
        description="These settings apply to every run of this flow, whichever version it runs."
        testId="flow-settings-dialog"
      >
        <ConcurrencyForm flow={flow} onDone={() => setOpen(false)} />
      </Dialog>
    </>
  );
}

function ConcurrencyForm({ flow, onDone }: { flow: FlowDetail; onDone: () => void }) {
  const canEdit = useCan('edit');
  const current = flow.maxConcurrentRuns;
  const [limited, setLimited] = useState(current !== null);
  const [text, setText] = useState(String(current ?? 1));
  const [touched, setTouched] = useState(false);
  const setConcurrency = useSetConcurrency(flow.id);
  const n = Number(text);
  const valid = !limited || (/^\d+$/.test(text.trim()) && n >= 1 && n <= MAX);
  const localError = touched && !valid ? LIMIT_MESSAGE : null;
  const serverError = setConcurrency.error ? errorMessage(setConcurrency.error) : null;

  function submit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (!valid) return;
    setConcurrency.save(limited ? n : null, current, onDone);
  }

  return (
    <form onSubmit={submit} className="space-y-3" data-testid="concurrency-form">
      <label className="flex items-start gap-2 text-sm">
        <input
          type="checkbox"
          className="mt-0.5 h-4 w-4"
          checked={limited}
          disabled={!canEdit}
          onChange={(e) => setLimited(e.target.checked)}
          data-testid="concurrency-enabled"
        />
        <span>
          <span className="font-medium">Limit how many runs happen at the same time</span>
          <span className="block text-xs text-slate-500 dark:text-slate-400">
            Useful when an app this flow calls cannot take many requests at once. Runs are never dropped.
          </span>
        </span>
      </label>
      {limited && (
        <div className="pl-6">
          <p className="flex flex-wrap items-center gap-2 text-sm">
            <label htmlFor="concurrency-limit">Run at most</label>
            <Input
              id="concurrency-limit"
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX}
              step={1}
              value={text}
              disabled={!canEdit}
              invalid={Boolean(localError)}
              aria-describedby="concurrency-hint"
              onChange={(e) => setText(e.target.value)}
              onBlur={() => setTouched(true)}
              className="w-20"
              data-testid="concurrency-limit"
            />
            <span>at a time — extra runs wait their turn.</span>
          </p>
          <p id="concurrency-hint" className="mt-1 text-xs text-slate-500 dark:text-slate-400">
            Waiting runs start in the order they arrived, as soon as a run ends.
          </p>
        </div>
      )}
      {(localError ?? serverError) && (
        <p className="text-sm text-rose-600 dark:text-rose-400" role="alert" data-testid="concurrency-error">
          {localError ?? serverError}
        </p>
      )}
      {canEdit ? (
        <div className="flex justify-end gap-2 pt-2">
          <Button type="button" variant="ghost" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" disabled={setConcurrency.isPending} data-testid="concurrency-save">
            {setConcurrency.isPending ? 'Saving…' : 'Save'}
          </Button>
        </div>
      ) : (
        <p className="text-xs text-slate-500 dark:text-slate-400">Only builders, admins and owners can change this.</p>
      )}
    </form>
  );
}
