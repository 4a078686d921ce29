'use client';

import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Check, ChevronsUpDown, LogOut, Plus, UserRound } from 'lucide-react';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { Badge } from '../ui/badge';
import { cn } from '../ui/cn';
import { useToast } from '../ui/toast';
import type { AccountInfo } from '../auth/account-context';
import { ROLE_LABELS } from '../auth/permissions';
import { postJson } from '../auth/post-json';
import { fullReload } from '../auth/full-reload';

/** A small disclosure menu: closes on Escape and on a click outside. */
function Menu({ label, button, children, testId, align = 'left' }: { label: string; button: ReactNode; children: (close: () => void) => ReactNode; testId: string; align?: 'left' | 'right' }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div ref={ref} className="relative">
      <button
        type="button"
        aria-label={label}
        aria-expanded={open}
        aria-haspopup="true"
        data-testid={testId}
        onClick={() => setOpen((o) => !o)}
        className="flex items-center gap-2 rounded-md px-2 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800"
      >
        {button}
      </button>
      {open && (
        <div
          className={cn(
            'absolute top-full z-50 mt-1 w-64 rounded-xl border border-slate-200 bg-white p-1.5 shadow-lg dark:border-slate-700 dark:bg-slate-900',
            align === 'right' ? 'right-0' : 'left-0',
          )}
        >
          {children(() => setOpen(false))}
        </div>
      )}
    </div>
  );
}

const itemClass = 'flex w-full items-center gap-2 rounded-lg px-2.5 py-2 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800';

/** The active workspace, the others to switch to, and "New workspace". */
export function WorkspaceSwitcher({ account }: { account: AccountInfo }) {
  const trpc = useTRPC();
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<string | null>(null);
  const active = account.workspaces.find((w) => w.id === account.activeWorkspaceId);
  // Everything on screen belongs to the old workspace: start over with a full load.
  const reload = () => fullReload('/flows');
  const switchTo = useMutation(trpc.workspaces.switch.mutationOptions({ onSuccess: reload, onError: (e) => toast.show({ tone: 'error', message: errorMessage(e) }) }));
  const create = useMutation(trpc.workspaces.create.mutationOptions({ onSuccess: reload, onError: (e) => setCreateError(errorMessage(e)) }));

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setCreateError(null);
    create.mutate({ name: String(new FormData(e.currentTarget).get('name') ?? '') });
  }

  return (
    <>
      <Menu
        label="Switch workspace"
        testId="workspace-switcher"
        button={
          <>
            <span className="max-w-[12rem] truncate" data-testid="active-workspace">
              {active?.name ?? 'No workspace'}
            </span>
            {account.role && <Badge tone="indigo">{ROLE_LABELS[account.role]}</Badge>}
            <ChevronsUpDown className="h-3.5 w-3.5 text-slate-400" aria-hidden />
          </>
        }
      >
        {(close) => (
          <div role="menu" aria-label="Workspaces">
            <p className="px-2.5 pt-1 pb-1.5 text-xs font-medium text-slate-500">Your workspaces</p>
            {account.workspaces.map((w) => (
              <button
                key={w.id}
                type="button"
                role="menuitem"
                className={itemClass}
                data-testid="workspace-option"
                onClick={() => {
                  close();
                  if (w.id !== account.activeWorkspaceId) switchTo.mutate({ workspaceId: w.id });
                }}
              >
                <Check className={cn('h-4 w-4 shrink-0', w.id === account.activeWorkspaceId ? 'text-indigo-600' : 'invisible')} aria-hidden />
                <span className="min-w-0 flex-1 truncate">{w.name}</span>
                <span className="text-xs text-slate-500">{ROLE_LABELS[w.role]}</span>
              </button>
            ))}
            <div className="my-1 border-t border-slate-100 dark:border-slate-800" />
            <button
              type="button"
              role="menuitem"
              className={itemClass}
              data-testid="new-workspace"
              onClick={() => {
                close();
                setCreateError(null);
                setCreating(true);
              }}
            >
              <Plus className="h-4 w-4" aria-hidden /> New workspace
            </button>
          </div>
        )}
      </Menu>
      <Dialog
        open={creating}
        onClose={() => setCreating(false)}
        title="New workspace"
        description="A separate place for flows, credentials and members. You will be its owner."
        testId="new-workspace-dialog"
      >
        <form onSubmit={submit} className="space-y-4">
          <Field label="Name" error={createError}>
            {(c) => <Input {...c} name="name" required autoFocus placeholder="e.g. Operations" />}
          </Field>
          <div className="flex justify-end gap-2">
            <Button onClick={() => setCreating(false)}>Cancel</Button>
            <Button type="submit" variant="primary" disabled={create.isPending}>
              {create.isPending ? 'Creating…' : 'Create workspace'}
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

/** Who is signed in; sign out here or on every device. */
export function AccountMenu({ account }: { account: AccountInfo }) {
  const toast = useToast();
  async function signOut(everywhere: boolean) {
    const failed = await postJson(everywhere ? '/api/auth/sign-out-everywhere' : '/api/auth/sign-out', {});
    if (failed) toast.show({ tone: 'error', message: failed.message });
    else fullReload('/sign-in');
  }
  return (
    <Menu
      label="Account"
      testId="account-menu"
      align="right"
      button={
        <>
          <UserRound className="h-4 w-4" aria-hidden />
          <span className="max-w-[10rem] truncate">{account.user.name}</span>
        </>
      }
    >
      {() => (
        <div role="menu" aria-label="Account">
          <div className="px-2.5 py-1.5">
            <p className="truncate text-sm font-medium">{account.user.name}</p>
            <p className="truncate text-xs text-slate-500">{account.user.email}</p>
          </div>
          <div className="my-1 border-t border-slate-100 dark:border-slate-800" />
          <button type="button" role="menuitem" className={itemClass} onClick={() => void signOut(false)} data-testid="sign-out">
            <LogOut className="h-4 w-4" aria-hidden /> Sign out
          </button>
          <button type="button" role="menuitem" className={itemClass} onClick={() => void signOut(true)}>
            <LogOut className="h-4 w-4" aria-hidden /> Sign out on every device
          </button>
        </div>
      )}
    </Menu>
  );
}
