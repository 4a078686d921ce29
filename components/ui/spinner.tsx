import { LoaderCircle } from 'lucide-react';
import { cn } from './cn';

export function Spinner({ label = 'Loading…', className }: { label?: string; className?: string }) {
  return (
    <span role="status" className={cn('inline-flex items-center gap-2 text-sm text-slate-500', className)}>
      <LoaderCircle className="h-4 w-4 animate-spin" aria-hidden />
      <span className="sr-only">{label}</span>
    </span>
  );
}

/** A centred spinner with visible text, for whole-page loads. */
export function PageSpinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="flex h-full min-h-48 items-center justify-center gap-2 text-sm text-slate-500" role="status">
      <LoaderCircle className="h-5 w-5 animate-spin" aria-hidden />
      {label}
    </div>
  );
}
