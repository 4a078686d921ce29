import type { JsonObject, JsonValue } from '../../agents/define-agent';
import { checkKey, type SeenKey } from '../../agents/dedup';
import { toIssueEvent, type JiraIssueEvent } from './client';

/**
 * JIRA webhooks are delivered at least once: a delivery that timed out or failed is sent again
 * with the same `X-Atlassian-Webhook-Identifier` header (and `X-Atlassian-Webhook-Retry: n`).
 * The identifier is unique per delivery and stable across its retries, so remembering the ones
 * already handled makes processing exactly-once.
 *
 * Where it applies: the Webhook trigger (server/services/webhooks.ts) already turns the header
 * into the run's dedup key, so a repeated delivery never starts a second run. This helper is for
 * events that carry the request headers themselves — under `headers` (names in any case), next to
 * the body's fields or with the body under `body` — e.g. deliveries relayed or replayed through
 * another node: a stateful step (the `jira` agent, action `webhook`) calls
 * `dedupeJiraWebhook(memory, event)`, stores the returned `seen` list and drops the event when
 * `duplicate` is true.
 */

export const JIRA_WEBHOOK_ID_HEADER = 'x-atlassian-webhook-identifier';

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The header value, whatever the case of its name; first value of a list. */
function header(headers: JsonValue | undefined, name: string): string | undefined {
  if (!isObject(headers)) return undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name) continue;
    const value = Array.isArray(v) ? v[0] : v;
    if (typeof value === 'string' && value.trim()) return value.trim();
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

/** The delivery identifier of a webhook event, if the trigger passed the headers. */
export function jiraWebhookDeliveryId(event: JsonObject): string | undefined {
  return header(event.headers, JIRA_WEBHOOK_ID_HEADER);
}

/** The JIRA payload of a webhook event: the body's fields at the top level or under `body`. */
export function jiraWebhookPayload(event: JsonObject): JsonObject {
  if (isObject(event.body) && ('webhookEvent' in event.body || 'issue' in event.body)) return event.body;
  const { headers: _headers, ...rest } = event;
  return rest;
}

export interface WebhookDedupResult {
  duplicate: boolean;
  deliveryId?: string;
  /** What to remember afterwards (unchanged for duplicates and for events without an identifier). */
  seen: SeenKey[];
}

/**
 * Pure: is this delivery one already handled? Remembers the last `lookback` identifiers for
 * `windowMs` (JIRA retries for a few hours at most). An event without the header cannot be
 * de-duplicated and always passes (`deliveryId` undefined).
 */
export function dedupeJiraWebhook(
  stored: JsonValue | undefined,
  event: JsonObject,
  opts: { lookback?: number; windowMs?: number } = {},
  now = Date.now(),
): WebhookDedupResult {
  const { lookback = 5_000, windowMs = 48 * 3_600_000 } = opts;
  const deliveryId = jiraWebhookDeliveryId(event);
  const previous = Array.isArray(stored) ? (stored as SeenKey[]) : [];
  if (!deliveryId) return { duplicate: false, seen: previous };
  const { isNew, seen } = checkKey(stored, deliveryId, { lookback, windowMs }, now);
  return { duplicate: !isNew, deliveryId, seen };
}

/** The event a webhook delivery becomes: the issue in the poller's shape plus what happened. */
export function webhookEvent(event: JsonObject, deliveryId?: string): JsonObject {
  const payload = jiraWebhookPayload(event);
  const out: JsonObject = {};
  if (typeof payload.webhookEvent === 'string') out.webhookEvent = payload.webhookEvent;
  if (isObject(payload.issue)) out.issue = toIssueEvent(payload.issue) as unknown as JsonObject;
  if (isObject(payload.changelog)) out.changelog = payload.changelog;
  if (isObject(payload.comment)) out.comment = payload.comment;
  if (isObject(payload.user)) out.user = payload.user;
  if (typeof payload.timestamp === 'number') out.timestamp = payload.timestamp;
  if (deliveryId) out.deliveryId = deliveryId;
  return out;
}

export type { JiraIssueEvent };
