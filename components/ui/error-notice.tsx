import type { ReactNode } from 'react';
import { CircleAlert } from 'lucide-react';
import { errorMessage } from '../trpc/errors';

interface ErrorNoticeProps {
  /** What could not be done, e.g. "The flow could not be opened." */
  title?: string;
  error: unknown;
  /** What to do next: a link or a button. */
  children?: ReactNode;
}

/** A failed load, in plain words: what went wrong, the server's sentence, and a way on. */
export function ErrorNotice({ title, error, children }: ErrorNoticeProps) {
  return (
    <div role="alert" className="flex gap-3 rounded-xl border border-rose-200 bg-rose-50 p-4 text-sm text-rose-800 dark:border-rose-900 dark:bg-rose-950 dark:text-rose-200">
      <CircleAlert className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
      <div className="space-y-1">
        {title && <p className="font-medium">{title}</p>}
        <p>{errorMessage(error)}</p>
        {children && <div className="pt-1">{children}</div>}
      </div>
    </div>
  );
}
