import { z } from 'zod';
import { credentialOption, loadCredential } from './credential-types';
import { defineAgent, PermanentAgentError, RetryAfterError, type JsonValue } from './define-agent';
import { retryAfterMs } from './retry-after';

const options = z
  .object({
    credential: credentialOption(['slack_webhook', 'slack_bot']),
    channel: z
      .string()
      .optional()
      .describe('Channel: #name or channel ID (C0123…). Needed with a bot token; an incoming webhook always posts to its own channel.'),
    text: z.string({ error: 'Enter the message text' }).describe('Message text (Slack formatting, e.g. *bold*). Liquid allowed. With blocks it is the text of the notification.'),
    blocks: z.json().optional().describe('Block Kit blocks: a JSON list, as built in Slack\'s Block Kit Builder (optional)'),
  })
  .strict();

/** Slack's own "try again" answers; every other error code needs a change before it can work. */
const TRANSIENT_CODES = new Set(['fatal_error', 'internal_error', 'service_unavailable', 'request_timeout', 'rollup_error', 'team_added_to_org']);
const RATE_LIMIT_CODES = new Set(['ratelimited', 'rate_limited']);
const TOKEN_CODES = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'invalid_token', 'no_team', 'team_disabled']);
const WEBHOOK_GONE_CODES = new Set(['invalid_token', 'no_service', 'no_service_id', 'no_team', 'team_disabled', 'no_active_hooks', 'action_prohibited']);
/** Slack's error codes are snake_case words: invalid_payload, channel_not_found… */
const SLACK_CODE = /^[a-z][a-z0-9_]*$/;
const DEFAULT_RETRY_AFTER_MS = 30_000;
const MAX_RETRY_AFTER_MS = 15 * 60_000;

interface Target {
  mode: 'webhook' | 'bot';
  credentialName: string;
  /** For messages: "#general", or "the webhook's channel". */
  channelLabel: string;
}

/** A Slack error code (from a bot answer's `error` or a webhook's text body) in plain words. */
function explainSlackError(code: string, target: Target, detail?: { needed?: string; messages?: string[] }): Error {
  const { mode, credentialName, channelLabel } = target;
  const extra = detail?.messages?.length ? ` (${detail.messages.join('; ').slice(0, 300)})` : '';
  if (TRANSIENT_CODES.has(code)) return new Error(`Slack had a temporary problem (${code}); the step will be retried.`);

  switch (code) {
    case 'channel_not_found':
      return new PermanentAgentError(
        mode === 'bot'
          ? `Slack says the channel ${channelLabel} does not exist or the bot is not in it — check the name, and invite the bot to the channel (/invite @your-bot).`
          : `Slack says the channel of the incoming webhook in credential '${credentialName}' no longer exists — create a new webhook and update the credential.`,
      );
    case 'not_in_channel':
      return new PermanentAgentError(`The bot is not a member of ${channelLabel} — invite the bot to the channel (/invite @your-bot).`);
    case 'is_archived':
    case 'channel_is_archived':
      return new PermanentAgentError(
        `${mode === 'bot' ? `The channel ${channelLabel}` : "The webhook's channel"} is archived — unarchive it or choose another channel.`,
      );
    case 'missing_scope':
      return new PermanentAgentError(
        `The Slack app of credential '${credentialName}' may not post messages (missing permission ${detail?.needed ?? 'chat:write'}) — add it under OAuth & Permissions and reinstall the app.`,
      );
    case 'no_text':
      return new PermanentAgentError('Slack needs a message text (or blocks) — enter the text.');
    case 'invalid_blocks':
    case 'invalid_blocks_format':
      return new PermanentAgentError(`Slack refused the blocks: they are not valid Block Kit${extra}. Try them in Slack's Block Kit Builder.`);
    case 'invalid_payload':
      return new PermanentAgentError(`Slack could not read the message (invalid_payload)${extra} — check the blocks.`);
    case 'msg_too_long':
      return new PermanentAgentError('The message is too long for Slack — shorten the text.');
    case 'restricted_action':
    case 'restricted_action_read_only_channel':
    case 'restricted_action_thread_only_channel':
    case 'restricted_action_non_threadable_channel':
    case 'posting_to_general_channel_denied':
      return new PermanentAgentError(`Slack does not let this app post in ${channelLabel} (${code}) — a workspace admin restricted posting there.`);
  }
  if (mode === 'webhook' && WEBHOOK_GONE_CODES.has(code)) {
    return new PermanentAgentError(
      `Slack no longer accepts the incoming webhook of credential '${credentialName}' (${code}) — it was removed or its app uninstalled. Create a new webhook and update the credential.`,
    );
  }
  if (TOKEN_CODES.has(code)) {
    return new PermanentAgentError(`Slack refused the token of credential '${credentialName}' (${code}) — create a new bot token and update the credential.`);
  }
  return new PermanentAgentError(`Slack refused the message: ${code}${extra}.`);
}

/** Blocks may arrive as a list, as text holding JSON, or as Block Kit Builder's `{ "blocks": [...] }`. */
function normalizeBlocks(blocks: JsonValue | undefined): JsonValue[] | undefined {
  if (blocks === undefined || blocks === null || blocks === '') return undefined;
  let value: JsonValue = blocks;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as JsonValue;
    } catch {
      throw new PermanentAgentError('Blocks: this is not valid JSON. Paste the blocks from Slack\'s Block Kit Builder.');
    }
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && Array.isArray(value.blocks)) value = value.blocks;
  if (!Array.isArray(value)) throw new PermanentAgentError('Blocks must be a JSON list of Block Kit blocks, e.g. [{"type": "section", …}].');
  return value;
}

function channelLabelOf(channel: string): string {
  // IDs (C…, G…, D…) and "#name" read fine as they are; bare names get their "#".
  return channel.startsWith('#') || /^[CGD][A-Z0-9]{6,}$/.test(channel) ? channel : `#${channel}`;
}

export const slackAgent = defineAgent({
  type: 'slack',
  name: 'Slack',
  category: 'Notify',
  icon: 'MessageSquare',
  summary: 'Post a message to a Slack channel.',
  description: `Posts one message to Slack for each incoming event. The text can use values from the
event with Liquid, e.g. \`Deal *{{ deal.name }}* won :tada:\`.

Choose one of two kinds of credential:
- **Slack incoming webhook** — posts to the one channel picked when the webhook was created;
  **Channel** is ignored.
- **Slack bot token** (\`xoxb-…\`, scope \`chat:write\`) — posts to the **Channel** you name (\`#name\`
  or an ID). Invite the bot to the channel first (\`/invite @your-bot\`).

**Blocks** (optional) takes Block Kit JSON for rich layouts; the text is then what notifications show.

"Test this node" really posts the message. A channel that does not exist, a revoked token or
invalid blocks fail the step at once; when Slack is busy or rate-limits, the step is retried after
the wait Slack asks for.

**Emits** one event: \`ok\`, \`channel\` (the channel ID) and \`ts\` (the message's timestamp, which
identifies it for replies and updates). With an incoming webhook Slack returns neither, so both are \`null\`.`,
  exampleEvent: { ok: true, channel: 'C024BE91L', ts: '1712345678.000200' },
  options,
  defaultOptions: { credential: '', channel: '#general', text: 'Hello from Muninn' },
  capabilities: { receives: true, dryRun: true },
  async run(ctx) {
    const text = ctx.options.text;
    const blocks = normalizeBlocks(ctx.options.blocks);
    if (!text.trim() && !blocks) throw new PermanentAgentError('Enter the message text.');

    const cred = await loadCredential(ctx, ctx.options.credential, ['slack_webhook', 'slack_bot']);
    const payload = { text, ...(blocks ? { blocks } : {}) };
    if (ctx.dryRun) ctx.log.info('Test run: this message is really posted.');

    if (cred.type === 'slack_webhook') {
      const target: Target = { mode: 'webhook', credentialName: cred.name, channelLabel: "the webhook's channel" };
      if (ctx.options.channel?.trim()) ctx.log.warn('Channel is ignored: an incoming webhook always posts to the channel it was created for.');
      // The webhook URL is the secret itself: it never appears in messages or logs.
      const res = await post(cred.data.webhookUrl, { 'content-type': 'application/json; charset=utf-8' }, payload, 'Slack', ctx.http.fetch);
      const body = (await res.text()).trim();
      if (res.ok) {
        ctx.log.info(`Posted through the incoming webhook of '${cred.name}'`);
        return [{ ok: true, channel: null, ts: null }];
      }
      if (SLACK_CODE.test(body) || res.status === 429 || res.status >= 500) throw errorForStatus(res, body, target);
      throw new PermanentAgentError(
        `The incoming webhook of credential '${cred.name}' answered HTTP ${res.status}, which is not a Slack answer — check its webhook URL.`,
      );
    }

    const channel = ctx.options.channel?.trim();
    if (!channel) {
      throw new PermanentAgentError('Enter the channel (#name or ID): with a bot token, Slack needs to know where to post.');
    }
    const target: Target = { mode: 'bot', credentialName: cred.name, channelLabel: channelLabelOf(channel) };
    const url = `${cred.data.baseUrl}/chat.postMessage`;
    const res = await post(
      url,
      { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${cred.data.token}` },
      { channel, ...payload },
      new URL(url).host,
      ctx.http.fetch,
    );
    const raw = await res.text();
    let answer: { ok?: boolean; error?: string; channel?: string; ts?: string; needed?: string; warning?: string; response_metadata?: { messages?: string[]; warnings?: string[] } } | undefined;
    try {
      answer = JSON.parse(raw) as typeof answer;
    } catch {
      answer = undefined;
    }
    if (!answer || typeof answer !== 'object') {
      if (res.status === 429 || res.status >= 500) throw errorForStatus(res, '', target);
      throw new PermanentAgentError(
        `${new URL(url).host} answered HTTP ${res.status}, which is not a Slack API answer — check the API address of credential '${cred.name}'.`,
      );
    }
    if (!answer.ok) throw errorForStatus(res, answer.error ?? 'unknown_error', target, answer);

    const warnings = [answer.warning, ...(answer.response_metadata?.warnings ?? [])].filter(Boolean);
    if (warnings.length) ctx.log.warn(`Slack warns: ${[...new Set(warnings)].join(', ')}`);
    ctx.log.info(`Posted to ${target.channelLabel} (ts ${answer.ts})`);
    return [{ ok: true, channel: answer.channel ?? channel, ts: answer.ts ?? null }];
  },
});

/** One POST; network failures become retryable errors that name no URL (it may be the secret). */
async function post(
  url: string,
  headers: Record<string, string>,
  body: object,
  label: string,
  fetchFn: (url: string, init?: RequestInit) => Promise<Response>,
): Promise<Response> {
  try {
    return await fetchFn(url, { method: 'POST', headers, body: JSON.stringify(body) });
  } catch (e) {
    if (e instanceof PermanentAgentError || e instanceof RetryAfterError) throw e;
    const err = e as Error & { cause?: { code?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError') throw new Error(`${label} did not answer in time; the step will be retried.`);
    throw new Error(`Could not reach ${label} (${err.cause?.code ?? 'network error'}); the step will be retried.`);
  }
}

/** Rate limits wait as long as Slack asks; 5xx retries; everything else is Slack's error code in words. */
function errorForStatus(
  res: Response,
  code: string,
  target: Target,
  answer?: { needed?: string; response_metadata?: { messages?: string[] } },
): Error {
  if (res.status === 429 || RATE_LIMIT_CODES.has(code)) {
    const wait = retryAfterMs(res.headers.get('retry-after'), { maxMs: MAX_RETRY_AFTER_MS, fallbackMs: DEFAULT_RETRY_AFTER_MS });
    return new RetryAfterError(`Slack is limiting how fast messages can be posted; retrying in ${Math.ceil(wait / 1000)} seconds.`, wait);
  }
  if (res.status >= 500) return new Error(`Slack had a temporary problem (HTTP ${res.status}); the step will be retried.`);
  if (res.status === 408) return new Error('Slack did not answer in time; the step will be retried.');
  return explainSlackError(code, target, { ...(answer?.needed ? { needed: answer.needed } : {}), ...(answer?.response_metadata?.messages ? { messages: answer.response_metadata.messages } : {}) });
}
