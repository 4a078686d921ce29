'use client';

import Link from 'next/link';
import { AuthField, AuthForm, useAuthForm } from './auth-form';
import { safeNext } from './public-pages';
import { fullReload } from './full-reload';

export function SignInForm({ next }: { next?: string }) {
  const state = useAuthForm({
    url: '/api/auth/sign-in',
    body: (form) => ({ email: form.get('email'), password: form.get('password') }),
    // A full load: the layout and every query start over as the signed-in person.
    onSuccess: () => fullReload(safeNext(next)),
  });

  return (
    <AuthForm state={state} submitLabel="Sign in" busyLabel="Signing in…">
      <AuthField state={state} name="email" label="Email" type="email" autoComplete="username" required autoFocus />
      <AuthField
        state={state}
        name="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        required
        aside={
          <Link href="/reset-password" className="text-xs font-medium text-indigo-600 hover:underline dark:text-indigo-400">
            Forgot your password?
          </Link>
        }
      />
    </AuthForm>
  );
}
