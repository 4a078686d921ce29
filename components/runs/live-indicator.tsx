import { cn } from '../ui/cn';
import type { StreamState } from './use-run-stream';

const text: Record<StreamState, { label: string; title: string; dot: string }> = {
  live: { label: 'Live', title: 'Changes appear here as they happen.', dot: 'bg-emerald-500' },
  connecting: { label: 'Connecting…', title: 'Connecting to live updates.', dot: 'bg-slate-400 animate-pulse' },
  offline: { label: 'Updates every 15 s', title: 'Live updates are not available right now; this page refreshes every 15 seconds while something is running.', dot: 'bg-amber-500' },
};

/** Whether the page updates by itself, in words (the dot is decoration). */
export function LiveIndicator({ state, className }: { state: StreamState; className?: string }) {
  const t = text[state];
  return (
    <span className={cn('inline-flex items-center gap-1.5 text-xs text-slate-500 dark:text-slate-400', className)} title={t.title} data-testid="live-indicator" data-state={state}>
      <span className={cn('h-2 w-2 rounded-full', t.dot)} aria-hidden />
      {t.label}
    </span>
  );
}
