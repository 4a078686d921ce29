import { Ban, CircleCheck, CircleX, Clock, LoaderCircle, RotateCw, type LucideIcon } from 'lucide-react';
import type { RunStatus, StepStatus } from '../trpc/types';
import { Badge, type BadgeTone } from '../ui/badge';
import { cn } from '../ui/cn';

export type AnyStatus = RunStatus | StepStatus;

interface StatusMeta {
  label: string;
  tone: BadgeTone;
  icon: LucideIcon;
  /** One sentence for screen readers and tooltips. */
  description: string;
}

const meta: Record<AnyStatus, StatusMeta> = {
  queued: { label: 'Waiting', tone: 'neutral', icon: Clock, description: 'Waiting for a worker to start it' },
  running: { label: 'Running', tone: 'blue', icon: LoaderCircle, description: 'Still running' },
  succeeded: { label: 'Succeeded', tone: 'green', icon: CircleCheck, description: 'Finished without errors' },
  failed: { label: 'Failed', tone: 'red', icon: CircleX, description: 'Stopped because of an error' },
  cancelled: { label: 'Cancelled', tone: 'amber', icon: Ban, description: 'Stopped by a person' },
  retrying: { label: 'Will retry', tone: 'amber', icon: RotateCw, description: 'Failed once and will be tried again' },
};

export function statusMeta(status: AnyStatus): StatusMeta {
  return meta[status];
}

/** Run statuses in the order filters list them. */
export const RUN_STATUSES = ['succeeded', 'failed', 'running', 'queued', 'cancelled'] as const satisfies readonly RunStatus[];

export function isActiveStatus(status: RunStatus): boolean {
  return status === 'queued' || status === 'running';
}

/** A queued run held back by its flow's limit of runs at a time, rather than waiting for a worker. */
const waitingTurn: StatusMeta = {
  ...meta.queued,
  label: 'Waiting its turn',
  description: 'This flow runs a limited number of runs at a time; this one starts when an earlier one ends',
};

/** Status with icon and words, so colour is never the only signal. */
export function RunStatusBadge({ status, waiting, testId, className }: { status: AnyStatus; waiting?: boolean; testId?: string; className?: string }) {
  const m = waiting && status === 'queued' ? waitingTurn : meta[status];
  const Icon = m.icon;
  return (
    <Badge tone={m.tone} data-testid={testId} data-status={status} title={m.description} className={className}>
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
  rerun: 'Re-run',
};

/** Trigger kinds in the order filters list them. */
export const TRIGGER_KINDS = ['manual', 'webhook', 'schedule', 'api', 'rerun'] as const;

export function triggerLabel(kind: string): string {
  return triggerLabels[kind] ?? kind;
}
