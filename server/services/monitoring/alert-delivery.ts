import { z } from 'zod';
import { db } from '../../db';
import { env } from '../../env';
import { AppError, notFound } from '../../errors';
import type { AgentDefinition, AgentMemory, JsonObject, JsonValue } from '../../agents/define-agent';
import { emailAgent } from '../../agents/email';
import { slackAgent } from '../../agents/slack';
import { runAgent } from '../../engine/run-agent';
import { createAgentHttp } from '../../engine/safe-http';
import { credentialsFor } from '../credentials';

/**
 * Alert notices go out through the notify agents' own code (server/agents/email.ts and slack.ts,
 * run by runAgent exactly as a step would run them): same credentials, SSRF guard, timeouts and
 * error explanations. Text from users (rule and flow names, error messages) travels in the event
 * and is referenced as `{{ subject }}` etc., never pasted into a template, so it cannot inject
 * Liquid.
 */

export const alertDelivery = z.discriminatedUnion('channel', [
  z
    .object({
      channel: z.literal('email'),
      /** An "SMTP server" credential of the workspace. */
      credentialId: z.string().uuid('Choose a credential'),
      /** Recipients, separated by commas. */
      to: z.string().trim().min(3, 'Enter at least one recipient').max(1_000),
    })
    .strict(),
  z
    .object({
      channel: z.literal('slack'),
      /** A "Slack incoming webhook" or "Slack bot token" credential of the workspace. */
      credentialId: z.string().uuid('Choose a credential'),
      /** #name or channel id; needed with a bot token, ignored by an incoming webhook. */
      slackChannel: z.string().trim().max(100).optional(),
    })
    .strict(),
]);
export type AlertDelivery = z.output<typeof alertDelivery>;

const CREDENTIAL_TYPES: Record<AlertDelivery['channel'], string[]> = { email: ['smtp'], slack: ['slack_webhook', 'slack_bot'] };

/** The credential must be the workspace's and of a kind the channel can use. */
export async function assertDeliveryCredential(workspaceId: string, delivery: AlertDelivery): Promise<void> {
  const cred = await db().credential.findFirst({ where: { id: delivery.credentialId, workspaceId }, select: { type: true, name: true } });
  if (!cred) throw new AppError('NOT_FOUND', notFound('The chosen credential').message, [{ field: 'delivery.credentialId', message: 'Choose a credential' }]);
  if (!CREDENTIAL_TYPES[delivery.channel].includes(cred.type)) {
    const wanted = delivery.channel === 'email' ? 'an SMTP server credential' : 'a Slack incoming webhook or Slack bot token credential';
    throw new AppError('VALIDATION', `Credential '${cred.name}' cannot send ${delivery.channel === 'email' ? 'e-mail' : 'to Slack'}: choose ${wanted}.`, [
      { field: 'delivery.credentialId', message: `Choose ${wanted}` },
    ]);
  }
  if (delivery.channel === 'slack' && cred.type === 'slack_bot' && !delivery.slackChannel) {
    throw new AppError('VALIDATION', 'With a Slack bot token, enter the channel to post to (#name or ID).', [{ field: 'delivery.slackChannel', message: 'Enter the channel' }]);
  }
}

export interface AlertNotice {
  kind: 'firing' | 'resolved' | 'test';
  ruleName: string;
  flowId: string;
  flowName: string;
  /** What happened, in words. */
  summary: string;
  at: Date;
  /** Stable per notice: the e-mail Message-ID and the Idempotency-Key derive from it. */
  noticeId: string;
}

export function noticeText(n: AlertNotice): { subject: string; body: string } {
  const title = { firing: 'Alert', resolved: 'Resolved', test: 'Test alert' }[n.kind];
  const subject = `[Muninn] ${title}: ${n.ruleName} — ${n.flowName}`;
  const base = env().MUNINN_PUBLIC_URL?.replace(/\/+$/, '');
  const lines = [
    `${title}: ${n.ruleName}`,
    `Flow: ${n.flowName}`,
    '',
    n.summary,
    '',
    `Time: ${n.at.toISOString()}`,
    ...(base ? [`Runs: ${base}/flows/${n.flowId}/runs`] : []),
  ];
  return { subject, body: lines.join('\n') };
}

function scratchMemory(): AgentMemory {
  let value: JsonValue | undefined;
  return {
    get: async <T extends JsonValue>() => value as T | undefined,
    set: async (v) => {
      value = v;
    },
  };
}

export type DeliveryResult = { ok: true } | { ok: false; error: string };

/** Sends one notice through the email or Slack agent. Never throws. */
export async function deliverAlert(workspaceId: string, delivery: AlertDelivery, notice: AlertNotice): Promise<DeliveryResult> {
  const { subject, body } = noticeText(notice);
  let agent: AgentDefinition;
  let options: JsonObject;
  let event: JsonObject;
  if (delivery.channel === 'email') {
    agent = emailAgent as unknown as AgentDefinition;
    options = { credential: delivery.credentialId, to: '{{ to }}', subject: '{{ subject }}', body: '{{ body }}', html: false };
    event = { to: delivery.to, subject, body };
  } else {
    agent = slackAgent as unknown as AgentDefinition;
    options = { credential: delivery.credentialId, text: '{{ text }}', ...(delivery.slackChannel ? { channel: '{{ channel }}' } : {}) };
    event = { text: `*${subject}*\n${body.split('\n').slice(2).join('\n').trim()}`, ...(delivery.slackChannel ? { channel: delivery.slackChannel } : {}) };
  }
  const key = `alert:${notice.noticeId}`;
  const timeoutMs = Math.min(env().MUNINN_STEP_TIMEOUT_MS, 30_000);
  try {
    const result = await runAgent(
      agent,
      options,
      event,
      { runId: key, nodeId: 'alert', eventId: notice.kind, attempt: 1, idempotencyKey: key },
      {
        memory: scratchMemory(),
        credentials: credentialsFor(workspaceId),
        http: (signal) => createAgentHttp({ idempotencyKey: key, signal, timeoutMs }),
        // A test alert must arrive even if sent twice; real notices keep a stable Message-ID.
        dryRun: notice.kind === 'test',
        timeoutMs,
        maxEvents: 10,
        maxEventBytes: 1_000_000,
      },
    );
    return result.ok ? { ok: true } : { ok: false, error: result.error };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
