'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { FormError } from './form-error';
import { postJson, type FormProblem } from './post-json';
import { safeNext } from './public-pages';
import { fullReload } from './full-reload';

export function SignInForm({ next }: { next?: string }) {
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    const failed = await postJson('/api/auth/sign-in', { email: form.get('email'), password: form.get('password') });
    if (!failed) {
      // A full load: the layout and every query start over as the signed-in person.
      fullReload(safeNext(next));
      return;
    }
    setProblem(failed);
    setBusy(false);
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <FormError message={problem?.message} />
      <Field label="Email" error={problem?.fields.email}>
        {(c) => <Input {...c} name="email" type="email" autoComplete="username" required autoFocus />}
      </Field>
      <Field
        label="Password"
        error={problem?.fields.password}
        aside={
          <Link href="/reset-password" className="text-xs font-medium text-indigo-600 hover:underline dark:text-indigo-400">
            Forgot your password?
          </Link>
        }
      >
        {(c) => <Input {...c} name="password" type="password" autoComplete="current-password" required />}
      </Field>
      <Button type="submit" variant="primary" className="w-full justify-center" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
