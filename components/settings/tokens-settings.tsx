'use client';

import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { KeyRound } from 'lucide-react';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import { useCan } from '../auth/account-context';
import { ROLE_LABELS, type Role } from '../auth/permissions';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { Select } from '../ui/select';
import { Badge } from '../ui/badge';
import { EmptyState } from '../ui/empty-state';
import { ErrorNotice } from '../ui/error-notice';
import { PageSpinner } from '../ui/spinner';
import { formatDateTime, formatRelative } from '../ui/format';
import { useToast } from '../ui/toast';
import { CopyOnce } from './copy-once';
import { NeedsRole } from './settings-nav';

const EXPIRY = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: '', label: 'Never' },
];

export function TokensSettings() {
  const admin = useCan('manage');
  if (!admin) return <NeedsRole what="Only admins and owners can see and issue API tokens." />;
  return <Tokens />;
}

function Tokens() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const tokens = useQuery(trpc.tokens.list.queryOptions());
  const [issued, setIssued] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: (r) => {
        setIssued(r.token);
        refresh();
      },
      onError: (e) => setFormError(errorMessage(e)),
    }),
  );
  const revoke = useMutation(
    trpc.tokens.revoke.mutationOptions({
      onSuccess: () => {
        toast.show({ tone: 'success', message: 'Token revoked. Scripts using it are refused from now on.' });
        refresh();
      },
      onError: (e) => toast.show({ tone: 'error', message: errorMessage(e) }),
    }),
  );

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const days = String(form.get('expiry') ?? '');
    setFormError(null);
    setIssued(null);
    create.mutate({ name: String(form.get('name') ?? ''), role: String(form.get('role')) as Exclude<Role, 'owner'>, expiresInDays: days ? Number(days) : null });
    e.currentTarget.reset();
  }

  return (
    <div className="space-y-8">
      <section className="space-y-3" aria-labelledby="new-token">
        <h2 id="new-token" className="text-base font-semibold">
          New token
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Scripts and other tools use a token to call Muninn&apos;s API (<code>/api/v1</code>) with <code>Authorization: Bearer &lt;token&gt;</code>. Give each tool its
          own token with the smallest role it needs.
        </p>
        <form onSubmit={submit} className="flex flex-wrap items-end gap-3" data-testid="token-form">
          <div className="min-w-[14rem] flex-1">
            <Field label="Name" error={formError}>
              {(c) => <Input {...c} name="name" required placeholder="e.g. Nightly export" />}
            </Field>
          </div>
          <Field label="Role">
            {(c) => (
              <Select {...c} name="role" defaultValue="viewer" className="w-32">
                {(['viewer', 'builder', 'admin'] as const).map((r) => (
                  <option key={r} value={r}>
                    {ROLE_LABELS[r]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Expires after">
            {(c) => (
              <Select {...c} name="expiry" defaultValue="90" className="w-32">
                {EXPIRY.map((x) => (
                  <option key={x.label} value={x.value}>
                    {x.label}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create token'}
          </Button>
        </form>
        {issued && <CopyOnce label="Your new token" value={issued} note="Copy it now: it is shown only once. Muninn keeps only a fingerprint of it." testId="new-token-value" />}
      </section>

      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading" className="mb-3 text-base font-semibold">
          Tokens
        </h2>
        {tokens.isPending ? (
          <PageSpinner label="Loading tokens…" />
        ) : tokens.isError ? (
          <ErrorNotice title="The tokens could not be loaded." error={tokens.error} />
        ) : tokens.data.length === 0 ? (
          <EmptyState icon={KeyRound} title="No API tokens yet">
            <p>Create one above when a script or another tool needs to talk to Muninn.</p>
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
            {tokens.data.map((t) => (
              <li key={t.id} className="flex flex-wrap items-center gap-3 px-4 py-3 text-sm" data-testid="token-row">
                <div className="min-w-0 flex-1">
                  <p className="truncate font-medium">{t.name}</p>
                  <p className="truncate text-xs text-slate-500">
                    <code>{t.prefix}…</code> · created {formatRelative(new Date(t.createdAt))} ·{' '}
                    {t.lastUsedAt ? `last used ${formatRelative(new Date(t.lastUsedAt))}` : 'never used'}
                    {t.expiresAt && t.status === 'active' && ` · expires ${formatDateTime(new Date(t.expiresAt))}`}
                  </p>
                </div>
                <Badge>{ROLE_LABELS[t.role]}</Badge>
                {t.status === 'active' ? (
                  <Button size="sm" variant="ghost" onClick={() => revoke.mutate({ id: t.id })}>
                    Revoke
                  </Button>
                ) : (
                  <Badge tone={t.status === 'revoked' ? 'red' : 'amber'}>{t.status === 'revoked' ? 'Revoked' : 'Expired'}</Badge>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
