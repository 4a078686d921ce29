'use client';

import Link from 'next/link';
import { useState } from 'react';
import { MailCheck } from 'lucide-react';
import { AuthField, AuthForm, useAuthForm } from './auth-form';
import { fullReload } from './full-reload';

/** Step 1: ask for a link by email. The answer is the same whether or not the address has an account. */
export function RequestResetForm() {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const state = useAuthForm({
    url: '/api/auth/reset-request',
    body: (form) => ({ email: emailOf(form) }),
    onSuccess: (form) => setSentTo(emailOf(form)),
  });

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
    <AuthForm state={state} submitLabel="Send me a link" busyLabel="Sending…">
      <AuthField state={state} name="email" label="Email" type="email" autoComplete="username" required autoFocus />
    </AuthForm>
  );
}

function emailOf(form: FormData): string {
  return String(form.get('email') ?? '');
}

/** Step 2: from the emailed link, choose the new password. Every other session ends. */
export function ChooseNewPasswordForm({ token }: { token: string }) {
  const state = useAuthForm({
    url: '/api/auth/reset-password',
    body: (form) => ({ token, password: String(form.get('password') ?? '') }),
    onSuccess: () => fullReload('/flows'),
  });

  return (
    <AuthForm state={state} submitLabel="Set new password and sign in" busyLabel="Saving…">
      {/* A problem that is not about the password means the link itself is spent or wrong. */}
      {state.problem && !state.problem.fields.password && (
        <p className="text-sm">
          <Link href="/reset-password" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
            Ask for a new link
          </Link>
        </p>
      )}
      <AuthField
        state={state}
        name="password"
        label="New password"
        hint="At least 10 characters. You will be signed out on your other devices."
        type="password"
        autoComplete="new-password"
        required
        minLength={10}
      />
    </AuthForm>
  );
}
