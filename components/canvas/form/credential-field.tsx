'use client';

import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../../trpc/client';
import type { ControlProps } from '../../ui/field';
import { Select } from '../../ui/select';

interface CredentialFieldProps {
  control: ControlProps;
  /** Accepted credential type(s), from the schema's `credentialType`. */
  types: string | string[];
  value: unknown;
  onChange: (value: string | undefined) => void;
  testId: string;
}

/** Picks one of the workspace's saved credentials of the right kind. Secrets never reach the browser. */
export function CredentialField({ control, types, value, onChange, testId }: CredentialFieldProps) {
  const trpc = useTRPC();
  const credentials = useQuery(trpc.credentials.list.queryOptions());
  const accepted = Array.isArray(types) ? types : [types];
  const options = (credentials.data ?? []).filter((c) => accepted.includes(c.type));
  const current = typeof value === 'string' ? value : '';
  const missing = current !== '' && credentials.isSuccess && !options.some((c) => c.id === current);
  const { invalid, ...rest } = control;

  return (
    <div className="space-y-1.5">
      <Select {...rest} invalid={invalid || missing} value={current} onChange={(e) => onChange(e.target.value || undefined)} data-testid={testId}>
        <option value="">{credentials.isPending ? 'Loading credentials…' : 'Choose a credential…'}</option>
        {missing && <option value={current}>A credential that no longer exists</option>}
        {options.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name} ({c.typeName})
          </option>
        ))}
      </Select>
      {credentials.isSuccess && options.length === 0 && (
        <p className="text-xs text-slate-500">
          No saved credential of this kind yet.{' '}
          <Link href="/settings" className="font-medium text-indigo-600 underline dark:text-indigo-400">
            Add one in Settings
          </Link>
          .
        </p>
      )}
    </div>
  );
}
