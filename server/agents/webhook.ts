import { z } from 'zod';
import { defineAgent } from './define-agent';
import { credentialOption } from './credential-types';

const options = z
  .object({
    signature: z
      .enum(['none', 'standard_webhooks', 'hmac_sha256'])
      .default('none')
      .describe('Check a signature: none, Standard Webhooks (webhook-id/timestamp/signature headers), or HMAC-SHA256 of the body (X-Hub-Signature-256 / X-Signature)'),
    secret: credentialOption('webhook_secret').optional().describe('Signing secret (needed when a signature is checked)'),
    respond: z
      .enum(['immediately', 'with_output'])
      .default('immediately')
      .describe('Answer at once with the run id, or wait and answer with the output of a node'),
    responseNode: z.string().optional().describe('Node whose first output event is the answer (for "with_output")'),
    responseTimeoutSeconds: z.number().int().min(1).max(30).default(10).describe('How long to wait for that output'),
  })
  .strict();

export type WebhookOptions = z.output<typeof options>;

export const webhookAgent = defineAgent({
  type: 'webhook',
  name: 'Webhook',
  category: 'Triggers',
  icon: 'Webhook',
  summary: 'Start the flow when another system sends data to its address.',
  description: `Gives the flow a private web address. When another system sends a JSON \`POST\` to it,
a run starts with the request body as its event. Save the flow to see the address in the inspector.
The flow must be **active** to accept requests.

- **Signature**: refuse requests that are not signed with your secret (Standard Webhooks, or an
  HMAC-SHA256 of the body as GitHub and many others send). Signed requests older than 5 minutes
  are refused, so a captured request cannot be replayed.
- **Duplicates**: a sender that delivers the same request twice (same \`webhook-id\`,
  \`X-Atlassian-Webhook-Identifier\`, \`X-GitHub-Delivery\` or \`Idempotency-Key\`) starts one run.
- **Respond**: answer at once (\`202\` with the run id), or wait up to 30 seconds and answer with
  what a node of the flow emitted.

**Emits** the JSON body of the request unchanged.`,
  exampleEvent: { issue: { key: 'OPS-42', fields: { summary: 'Printer on fire' } } },
  options,
  defaultOptions: { signature: 'none', respond: 'immediately', responseTimeoutSeconds: 10 },
  capabilities: { receives: false, trigger: 'webhook', dryRun: true, inline: true },
  async run(ctx) {
    return [ctx.event];
  },
});
