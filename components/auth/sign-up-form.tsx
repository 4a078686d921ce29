'use client';

import { useState, type FormEvent } from 'react';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { FormError } from './form-error';
import { postJson, type FormProblem } from './post-json';
import { fullReload } from './full-reload';

export function SignUpForm({ invite, email, firstRun }: { invite?: string; email?: string; firstRun: boolean }) {
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    const failed = await postJson('/api/auth/sign-up', {
      name: form.get('name'),
      email: form.get('email'),
      password: form.get('password'),
      ...(invite ? { invite } : {}),
    });
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
      <Field label="Your name" error={problem?.fields.name}>
        {(c) => <Input {...c} name="name" autoComplete="name" required autoFocus />}
      </Field>
      <Field label="Email" error={problem?.fields.email} hint={invite ? 'The address the invitation was sent to.' : undefined}>
        {(c) => <Input {...c} name="email" type="email" autoComplete="username" defaultValue={email} readOnly={Boolean(invite && email)} required />}
      </Field>
      <Field label="Password" error={problem?.fields.password} hint="At least 10 characters. A few unrelated words make a strong one.">
        {(c) => <Input {...c} name="password" type="password" autoComplete="new-password" required minLength={10} />}
      </Field>
      <Button type="submit" variant="primary" className="w-full justify-center" disabled={busy}>
        {busy ? 'Creating your account…' : firstRun ? 'Create the first account' : 'Create account'}
      </Button>
    </form>
  );
}
