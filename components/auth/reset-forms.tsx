'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { MailCheck } from 'lucide-react';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { FormError } from './form-error';
import { postJson, type FormProblem } from './post-json';
import { fullReload } from './full-reload';

/** Step 1: ask for a link by email. The answer is the same whether or not the address has an account. */
export function RequestResetForm() {
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const email = String(new FormData(e.currentTarget).get('email') ?? '');
    setBusy(true);
    const failed = await postJson('/api/auth/reset-request', { email });
    setBusy(false);
    if (failed) setProblem(failed);
    else setSentTo(email);
  }

  if (sentTo) {
    return (
      <div className="flex gap-3 text-sm" data-testid="reset-sent">
        <MailCheck className="h-5 w-5 shrink-0 text-emerald-600" aria-hidden />
        <p>
          If <strong>{sentTo}</strong> has a Muninn account, a link to choose a new password is on its way. It works for one hour. Check your spam folder if
          nothing arrives in a few minutes.
        </p>
      </div>
    );
  }
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <FormError message={problem?.message} />
      <Field label="Email" error={problem?.fields.email}>
        {(c) => <Input {...c} name="email" type="email" autoComplete="username" required autoFocus />}
      </Field>
      <Button type="submit" variant="primary" className="w-full justify-center" disabled={busy}>
        {busy ? 'Sending…' : 'Send me a link'}
      </Button>
    </form>
  );
}

/** Step 2: from the emailed link, choose the new password. Every other session ends. */
export function ChooseNewPasswordForm({ token }: { token: string }) {
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const password = String(new FormData(e.currentTarget).get('password') ?? '');
    setBusy(true);
    const failed = await postJson('/api/auth/reset-password', { token, password });
    if (!failed) {
      fullReload('/flows');
      return;
    }
    setProblem(failed);
    setBusy(false);
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <FormError message={problem?.message} />
      {problem && !problem.fields.password && (
        <p className="text-sm">
          <Link href="/reset-password" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
            Ask for a new link
          </Link>
        </p>
      )}
      <Field label="New password" error={problem?.fields.password} hint="At least 10 characters. You will be signed out on your other devices.">
        {(c) => <Input {...c} name="password" type="password" autoComplete="new-password" required minLength={10} autoFocus />}
      </Field>
      <Button type="submit" variant="primary" className="w-full justify-center" disabled={busy}>
        {busy ? 'Saving…' : 'Set new password and sign in'}
      </Button>
    </form>
  );
}
