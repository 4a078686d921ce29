'use client';

import { AuthField, AuthForm, useAuthForm } from './auth-form';
import { fullReload } from './full-reload';

export function SignUpForm({ invite, email, firstRun }: { invite?: string; email?: string; firstRun: boolean }) {
  const state = useAuthForm({
    url: '/api/auth/sign-up',
    body: (form) => ({
      name: form.get('name'),
      email: form.get('email'),
      password: form.get('password'),
      ...(invite ? { invite } : {}),
    }),
    onSuccess: () => fullReload('/flows'),
  });

  return (
    <AuthForm state={state} submitLabel={firstRun ? 'Create the first account' : 'Create account'} busyLabel="Creating your account…">
      <AuthField state={state} name="name" label="Your name" autoComplete="name" required autoFocus />
      <AuthField
        state={state}
        name="email"
        label="Email"
        hint={invite ? 'The address the invitation was sent to.' : undefined}
        type="email"
        autoComplete="username"
        defaultValue={email}
        readOnly={Boolean(invite && email)}
        required
      />
      <AuthField
        state={state}
        name="password"
        label="Password"
        hint="At least 10 characters. A few unrelated words make a strong one."
        type="password"
        autoComplete="new-password"
        required
        minLength={10}
      />
    </AuthForm>
  );
}
