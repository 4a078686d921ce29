'use client';

import { useMemo, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CircleAlert, CircleCheck, KeyRound, Pencil, PlugZap, Plus, Trash2, TriangleAlert } from 'lucide-react';
import { useCan } from '../auth/account-context';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { EmptyState } from '../ui/empty-state';
import { ErrorNotice } from '../ui/error-notice';
import { formatRelative } from '../ui/format';
import { PageSpinner } from '../ui/spinner';
import { useToast } from '../ui/toast';
import { CredentialEditor } from './credential-editor';
import { credentialFields } from './credential-form';
import type { CredentialSummary, CredentialTestResult, CredentialTypeInfo } from './types';

/** Settings → Credentials: what the workspace's steps sign in with. Values of secrets are never shown. */
export function CredentialsSettings({ newType }: { newType?: string }) {
  const trpc = useTRPC();
  const canEdit = useCan('edit');
  const credentials = useQuery(trpc.credentials.list.queryOptions());
  const types = useQuery(trpc.credentials.types.queryOptions(undefined, { staleTime: Infinity }));
  const typeMap = useMemo(() => new Map((types.data ?? []).map((t) => [t.type, t])), [types.data]);
  // ?new=jira_cloud opens the form for that kind straight away (links from a step's credential picker).
  const [creating, setCreating] = useState<{ initialType?: string } | null>(() => (newType && canEdit ? { initialType: newType } : null));
  const [editing, setEditing] = useState<CredentialSummary | null>(null);
  const [deleting, setDeleting] = useState<CredentialSummary | null>(null);
  const toast = useToast();

  if (credentials.isPending || types.isPending) return <PageSpinner label="Loading credentials…" />;
  if (credentials.isError || types.isError) return <ErrorNotice title="The credentials could not be loaded." error={credentials.error ?? types.error} />;

  const createTypes = creating?.initialType && typeMap.has(creating.initialType) ? [typeMap.get(creating.initialType)!] : types.data;
  const editType = editing ? typeMap.get(editing.type) : undefined;

  return (
    <div className="space-y-6" data-testid="credentials-settings">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="max-w-xl space-y-1">
          <h2 className="text-base font-semibold">Credentials</h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Sign-ins your steps use to reach other systems — a JIRA API token, a Slack webhook, a mail server. Save them once here and pick them in any step.
            Secret values are encrypted and never shown again.
          </p>
        </div>
        {canEdit && (
          <Button variant="primary" onClick={() => setCreating({})} data-testid="new-credential">
            <Plus className="h-4 w-4" aria-hidden />
            New credential
          </Button>
        )}
      </div>

      {credentials.data.length === 0 ? (
        <EmptyState
          icon={KeyRound}
          title="No credentials yet"
          testId="credentials-empty"
          action={
            canEdit && (
              <Button variant="primary" onClick={() => setCreating({})}>
                <Plus className="h-4 w-4" aria-hidden />
                Add your first credential
              </Button>
            )
          }
        >
          Add one when a step needs to sign in somewhere, for example a JIRA site or a Slack workspace. Installing a template also asks for the ones it needs.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900" aria-label="Credentials" data-testid="credential-list">
          {credentials.data.map((c) => (
            // Keyed by the last change too: a test result never outlives the values it tested.
            <CredentialRow key={`${c.id}:${String(c.updatedAt)}`} credential={c} type={typeMap.get(c.type)} canEdit={canEdit} onEdit={() => setEditing(c)} onDelete={() => setDeleting(c)} />
          ))}
        </ul>
      )}

      <Dialog open={creating !== null} onClose={() => setCreating(null)} title="New credential" testId="credential-create-dialog">
        {creating && (
          <CredentialEditor
            mode="create"
            types={createTypes}
            onCancel={() => setCreating(null)}
            onSaved={(c) => {
              setCreating(null);
              toast.show({ tone: 'success', message: `Saved “${c.name}”. Use “Test connection” to check it works.` });
            }}
          />
        )}
      </Dialog>

      <Dialog open={editing !== null} onClose={() => setEditing(null)} title={editing ? `Edit “${editing.name}”` : 'Edit credential'} testId="credential-edit-dialog">
        {editing && editType && (
          <CredentialEditor
            mode="edit"
            credential={editing}
            type={editType}
            onCancel={() => setEditing(null)}
            onSaved={(c) => {
              setEditing(null);
              toast.show({ tone: 'success', message: `Saved “${c.name}”.` });
            }}
          />
        )}
        {editing && !editType && <p className="text-sm text-slate-600">Muninn no longer knows the kind “{editing.type}”, so this credential cannot be edited. Delete it and create a new one.</p>}
      </Dialog>

      <DeleteCredentialDialog credential={deleting} onClose={() => setDeleting(null)} />
    </div>
  );
}

function CredentialRow({
  credential: c,
  type,
  canEdit,
  onEdit,
  onDelete,
}: {
  credential: CredentialSummary;
  type: CredentialTypeInfo | undefined;
  canEdit: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const trpc = useTRPC();
  const test = useMutation(trpc.credentials.test.mutationOptions());
  const result: CredentialTestResult | undefined = test.data;
  const fields = type ? credentialFields(type) : [];
  const labelOf = (name: string) => fields.find((f) => f.name === name)?.label ?? name;
  const secret = new Set(type?.secretFields ?? []);

  return (
    <li className="space-y-2 px-4 py-3" data-testid="credential-row" data-name={c.name}>
      <div className="flex flex-wrap items-center gap-3">
        <div className="min-w-0 flex-1">
          <p className="flex flex-wrap items-center gap-2">
            <span className="truncate font-medium" data-testid="credential-name">
              {c.name}
            </span>
            <Badge tone="indigo">{c.typeName}</Badge>
          </p>
          <p className="mt-0.5 text-xs text-slate-500 dark:text-slate-400" data-testid="credential-set-fields">
            {c.setFields.length === 0
              ? 'Nothing is set yet.'
              : c.setFields
                  .map((f) => (secret.has(f) || c.publicData[f] === undefined ? `${labelOf(f)}: set` : `${labelOf(f)}: ${c.publicData[f]}`))
                  .join(' · ')}
            {' · '}changed {formatRelative(new Date(c.updatedAt))}
          </p>
        </div>
        {canEdit && (
          <div className="flex items-center gap-1">
            <Button size="sm" onClick={() => test.mutate({ id: c.id })} disabled={test.isPending} data-testid="credential-test">
              <PlugZap className="h-4 w-4" aria-hidden />
              {test.isPending ? 'Testing…' : 'Test connection'}
            </Button>
            <Button size="icon" variant="ghost" aria-label={`Edit ${c.name}`} title="Edit" onClick={onEdit} data-testid="credential-edit">
              <Pencil className="h-4 w-4" aria-hidden />
            </Button>
            <Button size="icon" variant="ghost" aria-label={`Delete ${c.name}`} title="Delete" onClick={onDelete} data-testid="credential-delete">
              <Trash2 className="h-4 w-4" aria-hidden />
            </Button>
          </div>
        )}
      </div>
      {c.problem && (
        <p className="flex gap-2 rounded-lg bg-amber-50 p-2.5 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          <TriangleAlert className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
          {c.problem}
        </p>
      )}
      {test.isError && (
        <p role="alert" className="flex gap-2 rounded-lg bg-rose-50 p-2.5 text-sm text-rose-800 dark:bg-rose-950 dark:text-rose-200">
          <CircleAlert className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
          {errorMessage(test.error)}
        </p>
      )}
      {result && (
        <div
          role="status"
          data-testid="credential-test-result"
          data-ok={result.ok}
          className={
            result.ok
              ? 'flex gap-2 rounded-lg bg-emerald-50 p-2.5 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200'
              : 'flex gap-2 rounded-lg bg-rose-50 p-2.5 text-sm text-rose-800 dark:bg-rose-950 dark:text-rose-200'
          }
        >
          {result.ok ? <CircleCheck className="mt-0.5 h-4 w-4 shrink-0" aria-hidden /> : <CircleAlert className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />}
          <div>
            <p>
              <span className="font-medium">{result.ok ? 'It works. ' : 'It does not work yet. '}</span>
              {result.message}
            </p>
            {!result.ok && type?.testHint && <p className="mt-1 text-xs opacity-90">Tip: {type.testHint}</p>}
          </div>
        </div>
      )}
    </li>
  );
}

function DeleteCredentialDialog({ credential, onClose }: { credential: CredentialSummary | null; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const remove = useMutation(
    trpc.credentials.delete.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.credentials.list.queryKey() });
        toast.show({ tone: 'success', message: `Deleted “${credential?.name ?? 'the credential'}”.` });
        onClose();
      },
    }),
  );
  return (
    <Dialog
      open={credential !== null}
      onClose={onClose}
      title={`Delete “${credential?.name ?? ''}”?`}
      testId="delete-credential-dialog"
      description={
        <>
          Steps that use this credential will fail with “The credential chosen in this node no longer exists” until you choose another one in their
          settings. This cannot be undone.
        </>
      }
      footer={
        <>
          <Button variant="ghost" onClick={onClose} disabled={remove.isPending}>
            Keep it
          </Button>
          <Button variant="danger" onClick={() => credential && remove.mutate({ id: credential.id })} disabled={remove.isPending} data-testid="confirm-delete-credential">
            {remove.isPending ? 'Deleting…' : 'Delete credential'}
          </Button>
        </>
      }
    >
      {remove.isError && (
        <p role="alert" className="rounded-lg bg-rose-50 p-3 text-sm text-rose-800 dark:bg-rose-950 dark:text-rose-200">
          {errorMessage(remove.error)}
        </p>
      )}
    </Dialog>
  );
}
