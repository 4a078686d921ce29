'use client';

import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import { useCan } from '../auth/account-context';
import { ROLE_HELP, ROLE_LABELS } from '../auth/permissions';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { ErrorNotice } from '../ui/error-notice';
import { PageSpinner } from '../ui/spinner';
import { useToast } from '../ui/toast';
import { fullReload } from '../auth/full-reload';

const card = 'space-y-3 rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900';

export function WorkspaceSettings() {
  const trpc = useTRPC();
  const toast = useToast();
  const admin = useCan('manage');
  const owner = useCan('own');
  const current = useQuery(trpc.workspaces.current.queryOptions());
  const [renameError, setRenameError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<'leave' | 'delete' | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const reload = () => fullReload('/flows');
  const rename = useMutation(
    trpc.workspaces.rename.mutationOptions({
      onSuccess: () => {
        toast.show({ tone: 'success', message: 'Workspace renamed.' });
        // The name is also in the navigation, rendered by the server.
        window.location.reload();
      },
      onError: (e) => setRenameError(errorMessage(e)),
    }),
  );
  const leave = useMutation(trpc.workspaces.leave.mutationOptions({ onSuccess: reload, onError: (e) => (setConfirming(null), toast.show({ tone: 'error', message: errorMessage(e) })) }));
  const remove = useMutation(trpc.workspaces.delete.mutationOptions({ onSuccess: reload, onError: (e) => setDeleteError(errorMessage(e)) }));

  if (current.isPending) return <PageSpinner />;
  if (current.isError) return <ErrorNotice title="The workspace could not be loaded." error={current.error} />;
  const ws = current.data;

  return (
    <div className="space-y-6">
      <section className={card}>
        <h2 className="text-base font-semibold">Name</h2>
        {admin ? (
          <form
            className="flex flex-wrap items-end gap-3"
            onSubmit={(e: FormEvent<HTMLFormElement>) => {
              e.preventDefault();
              setRenameError(null);
              rename.mutate({ name: String(new FormData(e.currentTarget).get('name') ?? '') });
            }}
          >
            <div className="min-w-[16rem] flex-1">
              <Field label="Workspace name" error={renameError}>
                {(c) => <Input {...c} name="name" defaultValue={ws.name} required />}
              </Field>
            </div>
            <Button type="submit" disabled={rename.isPending}>
              Save
            </Button>
          </form>
        ) : (
          <p className="text-sm">{ws.name}</p>
        )}
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {ws.memberCount} member{ws.memberCount === 1 ? '' : 's'}. Your role: <strong>{ROLE_LABELS[ws.role]}</strong> — {ROLE_HELP[ws.role]}
        </p>
      </section>

      <section className={card}>
        <h2 className="text-base font-semibold">Leave this workspace</h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">You lose access to its flows at once. An admin can invite you again.</p>
        <Button onClick={() => setConfirming('leave')}>Leave workspace</Button>
      </section>

      {owner && (
        <section className={`${card} border-rose-200 dark:border-rose-900`}>
          <h2 className="text-base font-semibold text-rose-700 dark:text-rose-400">Delete this workspace</h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {ws.isDefault
              ? 'This is the default workspace of this Muninn installation; it cannot be deleted.'
              : 'Deletes every flow, run, credential and template of the workspace, for every member. This cannot be undone.'}
          </p>
          {!ws.isDefault && (
            <Button variant="danger" onClick={() => (setDeleteError(null), setConfirming('delete'))}>
              Delete workspace…
            </Button>
          )}
        </section>
      )}

      <Dialog
        open={confirming === 'leave'}
        onClose={() => setConfirming(null)}
        title={`Leave “${ws.name}”?`}
        footer={
          <>
            <Button onClick={() => setConfirming(null)}>Cancel</Button>
            <Button variant="danger" onClick={() => leave.mutate()} disabled={leave.isPending}>
              Leave
            </Button>
          </>
        }
      />
      <Dialog open={confirming === 'delete'} onClose={() => setConfirming(null)} title={`Delete “${ws.name}”?`} description="Type the workspace's name to confirm.">
        <form
          className="space-y-4"
          onSubmit={(e: FormEvent<HTMLFormElement>) => {
            e.preventDefault();
            remove.mutate({ confirmName: String(new FormData(e.currentTarget).get('confirmName') ?? '') });
          }}
        >
          <Field label="Workspace name" error={deleteError}>
            {(c) => <Input {...c} name="confirmName" autoComplete="off" required />}
          </Field>
          <div className="flex justify-end gap-2">
            <Button onClick={() => setConfirming(null)}>Cancel</Button>
            <Button type="submit" variant="danger" disabled={remove.isPending}>
              Delete for everyone
            </Button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
