'use client';

import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { MailPlus, Trash2 } from 'lucide-react';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import { useAccount, useCan } from '../auth/account-context';
import { ROLE_HELP, ROLE_LABELS, type Role } from '../auth/permissions';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { Select } from '../ui/select';
import { Badge } from '../ui/badge';
import { ErrorNotice } from '../ui/error-notice';
import { PageSpinner } from '../ui/spinner';
import { formatRelative } from '../ui/format';
import { useToast } from '../ui/toast';
import { CopyOnce } from './copy-once';

const ROLES: Role[] = ['viewer', 'builder', 'admin', 'owner'];

export function MembersSettings() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const account = useAccount();
  const isAdmin = useCan('manage');
  const isOwner = useCan('own');
  const members = useQuery(trpc.workspaces.members.queryOptions());
  const invitations = useQuery({ ...trpc.workspaces.invitations.queryOptions(), enabled: isAdmin });
  const [inviteLink, setInviteLink] = useState<{ email: string; link: string } | null>(null);
  const [inviteError, setInviteError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<{ userId: string; email: string } | null>(null);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.workspaces.members.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.workspaces.invitations.queryKey() });
  };
  const onError = (e: unknown) => toast.show({ tone: 'error', message: errorMessage(e) });
  const invite = useMutation(
    trpc.workspaces.invite.mutationOptions({
      onSuccess: (r) => {
        setInviteLink({ email: r.email, link: r.link });
        refresh();
      },
      onError: (e) => setInviteError(errorMessage(e)),
    }),
  );
  const changeRole = useMutation(
    trpc.workspaces.changeRole.mutationOptions({
      onSuccess: (_r, v) => {
        toast.show({ tone: 'success', message: `Role changed to ${ROLE_LABELS[v.role]}.` });
        refresh();
      },
      onError: (e) => {
        onError(e);
        refresh();
      },
    }),
  );
  const remove = useMutation(trpc.workspaces.removeMember.mutationOptions({ onSuccess: () => (setRemoving(null), refresh()), onError }));
  const revoke = useMutation(trpc.workspaces.revokeInvitation.mutationOptions({ onSuccess: refresh, onError }));

  function submitInvite(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setInviteError(null);
    setInviteLink(null);
    invite.mutate({ email: String(form.get('email') ?? ''), role: String(form.get('role')) as Role });
    e.currentTarget.reset();
  }

  if (members.isPending) return <PageSpinner label="Loading members…" />;
  if (members.isError) return <ErrorNotice title="The members could not be loaded." error={members.error} />;

  return (
    <div className="space-y-8">
      {isAdmin && (
        <section aria-labelledby="invite-heading" className="space-y-3">
          <h2 id="invite-heading" className="text-base font-semibold">
            Invite someone
          </h2>
          <form onSubmit={submitInvite} className="flex flex-wrap items-end gap-3" data-testid="invite-form">
            <div className="min-w-[16rem] flex-1">
              <Field label="Email" error={inviteError}>
                {(c) => <Input {...c} name="email" type="email" required placeholder="ada@example.com" />}
              </Field>
            </div>
            <Field label="Role">
              {(c) => (
                <Select {...c} name="role" defaultValue="builder" className="w-36">
                  {ROLES.filter((r) => r !== 'owner' || isOwner).map((r) => (
                    <option key={r} value={r}>
                      {ROLE_LABELS[r]}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Button type="submit" variant="primary" disabled={invite.isPending}>
              <MailPlus className="h-4 w-4" aria-hidden />
              {invite.isPending ? 'Inviting…' : 'Send invitation'}
            </Button>
          </form>
          {inviteLink && (
            <CopyOnce
              label={`Invitation sent to ${inviteLink.email}.`}
              value={inviteLink.link}
              note="The link was emailed. You can also pass it on yourself; it works for 7 days, once, and only for that address."
              testId="invite-link"
            />
          )}
        </section>
      )}

      <section aria-labelledby="members-heading">
        <h2 id="members-heading" className="mb-3 text-base font-semibold">
          Members
        </h2>
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
          {members.data.map((m) => {
            const me = m.userId === account?.user.id;
            // Only owners can change owners, and only owners can make owners.
            const editable = isAdmin && !me && (m.role !== 'owner' || isOwner);
            return (
              <li key={m.userId} className="flex flex-wrap items-center gap-3 px-4 py-3" data-testid="member-row" data-email={m.email}>
                <div className="min-w-0 flex-1">
                  <p className="truncate text-sm font-medium">
                    {m.name} {me && <span className="text-slate-500">(you)</span>}
                  </p>
                  <p className="truncate text-xs text-slate-500">
                    {m.email} · joined {formatRelative(new Date(m.joinedAt))}
                  </p>
                </div>
                {editable ? (
                  <Select
                    aria-label={`Role of ${m.email}`}
                    value={m.role}
                    className="w-32"
                    disabled={changeRole.isPending}
                    onChange={(e) => changeRole.mutate({ userId: m.userId, role: e.target.value as Role })}
                  >
                    {ROLES.filter((r) => r !== 'owner' || isOwner).map((r) => (
                      <option key={r} value={r}>
                        {ROLE_LABELS[r]}
                      </option>
                    ))}
                  </Select>
                ) : (
                  <Badge tone={m.role === 'owner' ? 'indigo' : 'neutral'} title={ROLE_HELP[m.role]} data-testid="member-role">
                    {ROLE_LABELS[m.role]}
                  </Badge>
                )}
                {editable && (
                  <Button variant="ghost" size="icon" aria-label={`Remove ${m.email}`} onClick={() => setRemoving({ userId: m.userId, email: m.email })}>
                    <Trash2 className="h-4 w-4" aria-hidden />
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
        <dl className="mt-3 grid gap-1 text-xs text-slate-500 sm:grid-cols-2">
          {ROLES.map((r) => (
            <div key={r}>
              <dt className="inline font-medium text-slate-600 dark:text-slate-300">{ROLE_LABELS[r]}: </dt>
              <dd className="inline">{ROLE_HELP[r]}</dd>
            </div>
          ))}
        </dl>
      </section>

      {isAdmin && invitations.data && invitations.data.length > 0 && (
        <section aria-labelledby="pending-heading">
          <h2 id="pending-heading" className="mb-3 text-base font-semibold">
            Pending invitations
          </h2>
          <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
            {invitations.data.map((i) => (
              <li key={i.id} className="flex items-center gap-3 px-4 py-3 text-sm" data-testid="invitation-row">
                <span className="min-w-0 flex-1 truncate">{i.email}</span>
                <Badge>{ROLE_LABELS[i.role]}</Badge>
                {i.expired ? <Badge tone="amber">Expired</Badge> : <span className="text-xs text-slate-500">expires {formatRelative(new Date(i.expiresAt))}</span>}
                <Button size="sm" variant="ghost" onClick={() => revoke.mutate({ id: i.id })}>
                  Withdraw
                </Button>
              </li>
            ))}
          </ul>
        </section>
      )}

      <Dialog
        open={Boolean(removing)}
        onClose={() => setRemoving(null)}
        title="Remove this member?"
        description={removing ? `${removing.email} will lose access to this workspace at once. Their flows and credentials stay.` : undefined}
        footer={
          <>
            <Button onClick={() => setRemoving(null)}>Cancel</Button>
            <Button variant="danger" disabled={remove.isPending} onClick={() => removing && remove.mutate({ userId: removing.userId })}>
              Remove
            </Button>
          </>
        }
      />
    </div>
  );
}
