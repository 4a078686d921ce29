'use client';

import { useState, type FormEvent } from 'react';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { Input } from '../ui/input';

interface FlowNameDialogProps {
  open: boolean;
  onClose: () => void;
  title: string;
  submitLabel: string;
  initialName?: string;
  pending: boolean;
  error?: string | null;
  onSubmit: (name: string) => void;
  testId?: string;
}

/** Asks for a flow name; used to create and to rename. */
export function FlowNameDialog({ open, onClose, title, submitLabel, initialName = '', pending, error, onSubmit, testId }: FlowNameDialogProps) {
  return (
    <Dialog open={open} onClose={onClose} title={title} testId={testId}>
      <NameForm initialName={initialName} submitLabel={submitLabel} pending={pending} error={error} onSubmit={onSubmit} onCancel={onClose} />
    </Dialog>
  );
}

function NameForm({
  initialName,
  submitLabel,
  pending,
  error,
  onSubmit,
  onCancel,
}: Pick<FlowNameDialogProps, 'initialName' | 'submitLabel' | 'pending' | 'error' | 'onSubmit'> & { onCancel: () => void }) {
  const [name, setName] = useState(initialName ?? '');
  const [touched, setTouched] = useState(false);
  const trimmed = name.trim();
  const localError = touched && !trimmed ? 'Give the flow a name, e.g. “JIRA issues to PSA tickets”.' : null;

  function submit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (trimmed) onSubmit(trimmed);
  }

  return (
    <form onSubmit={submit} className="space-y-4">
      <Field label="Name" required error={localError ?? error} hint="You can change it later.">
        {({ invalid, ...control }) => (
          <Input
            {...control}
            invalid={invalid}
            data-testid="flow-name-input"
            autoFocus
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. New JIRA issues to Slack"
          />
        )}
      </Field>
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={pending} data-testid="flow-name-submit">
          {pending ? 'Working…' : submitLabel}
        </Button>
      </div>
    </form>
  );
}
