import type { LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';

interface EmptyStateProps {
  icon: LucideIcon;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  testId?: string;
}

export function EmptyState({ icon: Icon, title, children, action, testId }: EmptyStateProps) {
  return (
    <div
      data-testid={testId}
      className="mx-auto flex max-w-md flex-col items-center rounded-2xl border border-dashed border-slate-300 bg-white/60 px-8 py-12 text-center dark:border-slate-700 dark:bg-slate-900/40"
    >
      <span className="mb-4 flex h-12 w-12 items-center justify-center rounded-full bg-indigo-50 text-indigo-600 dark:bg-indigo-950 dark:text-indigo-300">
        <Icon className="h-6 w-6" aria-hidden />
      </span>
      <h2 className="text-base font-semibold">{title}</h2>
      {children && <div className="mt-2 text-sm text-slate-600 dark:text-slate-400">{children}</div>}
      {action && <div className="mt-6">{action}</div>}
    </div>
  );
}
