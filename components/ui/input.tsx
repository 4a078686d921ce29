import type { InputHTMLAttributes, Ref } from 'react';
import { cn } from './cn';

export const controlClass =
  'w-full rounded-lg border bg-white px-3 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 disabled:opacity-60 dark:bg-slate-900 dark:text-slate-100';

export function borderClass(invalid?: boolean): string {
  return invalid
    ? 'border-rose-400 dark:border-rose-500'
    : 'border-slate-300 hover:border-slate-400 dark:border-slate-700 dark:hover:border-slate-600';
}

export interface InputProps extends InputHTMLAttributes<HTMLInputElement> {
  invalid?: boolean;
  ref?: Ref<HTMLInputElement>;
}

export function Input({ invalid, className, ...props }: InputProps) {
  return (
    <input
      aria-invalid={invalid || undefined}
      className={cn(controlClass, borderClass(invalid), 'h-9', className)}
      {...props}
    />
  );
}
