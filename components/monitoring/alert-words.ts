import type { RouterOutputs } from '../trpc/types';

export type AlertRule = RouterOutputs['monitoring']['alertRules'][number];
export type AlertCondition = AlertRule['condition'];
export type AlertDelivery = AlertRule['delivery'];
export type AlertIncident = RouterOutputs['monitoring']['alertIncidents']['items'][number];

/** 90 → "1 hour 30 minutes"; 1440 → "1 day". */
export function minutesInWords(minutes: number): string {
  const parts: string[] = [];
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days) parts.push(`${days} ${days === 1 ? 'day' : 'days'}`);
  if (hours) parts.push(`${hours} ${hours === 1 ? 'hour' : 'hours'}`);
  if (mins || parts.length === 0) parts.push(`${mins} ${mins === 1 ? 'minute' : 'minutes'}`);
  return parts.join(' ');
}

export function describeCondition(c: AlertCondition): string {
  switch (c.kind) {
    case 'consecutive_failures':
      return c.count === 1 ? 'When a run fails' : `When ${c.count} runs in a row fail`;
    case 'error_rate':
      return `When more than ${c.percent}% of runs fail within ${minutesInWords(c.windowMinutes)} (once at least ${c.minRuns} runs ended)`;
    case 'no_success':
      return `When no run has succeeded for ${minutesInWords(c.periodMinutes)}`;
  }
}

export function describeDelivery(d: AlertDelivery, credentialName?: string): string {
  const via = credentialName ? ` using “${credentialName}”` : '';
  if (d.channel === 'email') return `E-mail to ${d.to}${via}`;
  return `Slack${d.slackChannel ? ` ${d.slackChannel}` : ''}${via}`;
}

/**
 * Delivery errors come from the notify agents, written for steps of a run ("…; the step will be
 * retried"). For an alert that sentence is wrong: cut it.
 */
export function deliveryErrorText(error: string): string {
  return error.replace(/[;,]?\s*the step will be retried\.?\s*$/i, '.').replace(/\.\.$/, '.');
}

/** Credential kinds each channel can send with (server/services/monitoring/alert-delivery.ts). */
export const CHANNEL_CREDENTIALS: Record<AlertDelivery['channel'], string[]> = {
  email: ['smtp'],
  slack: ['slack_webhook', 'slack_bot'],
};
