import { Ban, CircleCheck, CircleX, Clock, LoaderCircle, type LucideIcon } from 'lucide-react';
import type { RunStatus } from '../trpc/types';
import { Badge, type BadgeTone } from '../ui/badge';
import { cn } from '../ui/cn';

const meta: Record<RunStatus, { label: string; tone: BadgeTone; icon: LucideIcon }> = {
  queued: { label: 'Waiting', tone: 'neutral', icon: Clock },
  running: { label: 'Running', tone: 'blue', icon: LoaderCircle },
  succeeded: { label: 'Succeeded', tone: 'green', icon: CircleCheck },
  failed: { label: 'Failed', tone: 'red', icon: CircleX },
  cancelled: { label: 'Cancelled', tone: 'amber', icon: Ban },
};

export function isActiveStatus(status: RunStatus): boolean {
  return status === 'queued' || status === 'running';
}

/** Status with icon and words, so colour is never the only signal. */
export function RunStatusBadge({ status, testId }: { status: RunStatus; testId?: string }) {
  const m = meta[status];
  const Icon = m.icon;
  return (
    <Badge tone={m.tone} data-testid={testId} data-status={status}>
      <Icon className={cn('h-3.5 w-3.5', status === 'running' && 'animate-spin')} aria-hidden />
      {m.label}
    </Badge>
  );
}

const triggerLabels: Record<string, string> = {
  manual: 'Run button',
  webhook: 'Webhook',
  schedule: 'Schedule',
  api: 'API',
};

export function triggerLabel(kind: string): string {
  return triggerLabels[kind] ?? kind;
}
