'use client';

import { useId } from 'react';
import { cn } from '../ui/cn';
import type { CredentialTypeInfo } from './types';

interface CredentialTypePickerProps {
  types: CredentialTypeInfo[];
  value: string | null;
  onChange: (type: string) => void;
  legend?: string;
  testIdPrefix?: string;
}

/** "What kind of credential?" — each kind with a line saying what it is for. */
export function CredentialTypePicker({ types, value, onChange, legend = 'What kind of credential?', testIdPrefix = 'credential' }: CredentialTypePickerProps) {
  const name = useId();
  return (
    <fieldset className="space-y-2" data-testid={`${testIdPrefix}-type-picker`}>
      <legend className="mb-2 text-sm font-medium text-slate-700 dark:text-slate-200">{legend}</legend>
      {types.map((t) => {
        const checked = value === t.type;
        return (
          <label
            key={t.type}
            className={cn(
              'flex cursor-pointer items-start gap-3 rounded-lg border p-3 text-sm transition-colors has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-indigo-500',
              checked
                ? 'border-indigo-400 bg-indigo-50 dark:border-indigo-600 dark:bg-indigo-950'
                : 'border-slate-200 hover:border-slate-300 hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800',
            )}
            data-testid={`${testIdPrefix}-type-${t.type}`}
          >
            <input type="radio" name={name} value={t.type} checked={checked} onChange={() => onChange(t.type)} className="mt-0.5 h-4 w-4 accent-indigo-600" />
            <span>
              <span className="block font-medium text-slate-800 dark:text-slate-100">{t.name}</span>
              <span className="block text-slate-600 dark:text-slate-400">{t.description}</span>
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}
