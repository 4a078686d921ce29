'use client';

import { useState, type FormEvent, type InputHTMLAttributes, type ReactNode } from 'react';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { FormError } from './form-error';
import { postJson, type FormProblem } from './post-json';

interface AuthFormState {
  problem: FormProblem | null;
  busy: boolean;
  onSubmit: (e: FormEvent<HTMLFormElement>) => void;
}

interface AuthFormAction {
  url: string;
  body: (form: FormData) => unknown;
  /** Most forms leave the page here (a full reload), so the button stays busy until it goes. */
  onSuccess: (form: FormData) => void;
}

/** Posts the form to an /api/auth endpoint and keeps its problem and busy state. */
export function useAuthForm({ url, body, onSuccess }: AuthFormAction): AuthFormState {
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    const failed = await postJson(url, body(form));
    if (!failed) {
      onSuccess(form);
      return;
    }
    setProblem(failed);
    setBusy(false);
  }

  return { problem, busy, onSubmit: (e) => void onSubmit(e) };
}

/** The frame every sign-in, sign-up and reset form shares: the error sentence, the fields, one wide submit button. */
export function AuthForm({ state, submitLabel, busyLabel, children }: { state: AuthFormState; submitLabel: string; busyLabel: string; children: ReactNode }) {
  return (
    <form onSubmit={state.onSubmit} className="space-y-4" noValidate>
      <FormError message={state.problem?.message} />
      {children}
      <Button type="submit" variant="primary" className="w-full justify-center" disabled={state.busy}>
        {state.busy ? busyLabel : submitLabel}
      </Button>
    </form>
  );
}

interface AuthFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'id'> {
  state: AuthFormState;
  name: string;
  label: string;
  hint?: ReactNode;
  aside?: ReactNode;
}

/** A labelled input whose error is the server's problem with the field of the same name. */
export function AuthField({ state, name, label, hint, aside, ...input }: AuthFieldProps) {
  return (
    <Field label={label} error={state.problem?.fields[name]} hint={hint} aside={aside}>
      {(c) => <Input {...c} name={name} {...input} />}
    </Field>
  );
}
