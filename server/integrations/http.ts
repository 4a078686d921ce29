import { PermanentAgentError, RetryAfterError, type JsonValue } from '../agents/define-agent';
import { retryAfterMs } from '../agents/retry-after';

/**
 * The HTTP layer shared by the app clients (JIRA, Mavenlink): one place that turns transport
 * failures and HTTP statuses into the errors the engine understands, in words a user can act on,
 * with every secret scrubbed out.
 *
 * - 401 → permanent: "JIRA refused the token (401). Check the credential 'Acme JIRA'."
 * - 403, 404, 400, 422 and other 4xx → permanent, with the API's own explanation
 * - 429 (and 503 with Retry-After) → RetryAfterError: the retry waits as long as the API asked
 * - 408, 425, 5xx, network failures → plain Error: retried with backoff
 */

export type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;

export interface ApiTarget {
  /** "JIRA", "Mavenlink": how the service is named in messages. */
  service: string;
  /** The credential's name, for "check the credential 'Acme JIRA'". */
  credentialName: string;
  /** Values that must never appear in a message (tokens, and encoded forms of them). */
  secrets: readonly string[];
}

const MAX_RETRY_AFTER_MS = 15 * 60_000;
const DEFAULT_RETRY_AFTER_MS = 30_000;

/** Removes every secret (as given, base64-encoded and URL-encoded) from a text. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (const form of new Set([s, Buffer.from(s).toString('base64'), encodeURIComponent(s)])) out = out.split(form).join('***');
  }
  return out;
}

/** Sends one request; a transport failure becomes a retryable error naming the host only. */
export async function send(fetchFn: FetchFn, url: string, init: RequestInit, target: ApiTarget, what: string): Promise<Response> {
  try {
    return await fetchFn(url, init);
  } catch (e) {
    if (e instanceof PermanentAgentError || e instanceof RetryAfterError) throw e;
    const err = e as Error & { cause?: { code?: string } };
    const host = safeHost(url);
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      throw new Error(`${target.service} at ${host} did not answer in time while trying to ${what}; the step will be retried.`);
    }
    // The SSRF guard (and other refusals) explain themselves; keep their words, minus secrets.
    const code = err.cause?.code ?? (err.message ? scrub(err.message, target.secrets).slice(0, 200) : 'network error');
    throw new Error(`Could not reach ${target.service} at ${host} to ${what} (${code}); the step will be retried.`);
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured address';
  }
}

/** Parses a JSON answer; a 2xx that is not JSON means the address points elsewhere. */
export async function readJson(res: Response, target: ApiTarget, what: string): Promise<JsonValue> {
  const text = await res.text();
  if (!text.trim()) return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new PermanentAgentError(
      `${target.service} answered in an unexpected format while trying to ${what} (not JSON). Check the address in credential '${target.credentialName}'.`,
    );
  }
}

/**
 * The error for a response that is not 2xx. `detail` is the API's own explanation, already
 * extracted from its error body by the client (JIRA and Mavenlink shape them differently).
 */
/** The body of an error answer: parsed JSON when it is JSON, else the text itself. */
export async function readErrorBody(res: Response): Promise<JsonValue> {
  const text = await res.text();
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

export function errorForStatus(res: Response, target: ApiTarget, what: string, detail: string): Error {
  const { service, credentialName } = target;
  const said = detail ? `: ${scrub(detail, target.secrets).slice(0, 500)}` : '';
  const status = res.status;
  if (status === 429 || (status === 503 && res.headers.has('retry-after'))) {
    const wait = retryAfterMs(res.headers.get('retry-after'), { maxMs: MAX_RETRY_AFTER_MS, fallbackMs: DEFAULT_RETRY_AFTER_MS });
    return new RetryAfterError(`${service} is limiting how fast requests can be made (${status}); retrying in ${Math.ceil(wait / 1000)} seconds.`, wait);
  }
  if (status >= 500 || status === 408 || status === 425) {
    return new Error(`${service} had a temporary problem (HTTP ${status}) while trying to ${what}; the step will be retried.`);
  }
  if (status === 401) return new PermanentAgentError(`${service} refused the token (401). Check the credential '${credentialName}'.`);
  if (status === 403) {
    return new PermanentAgentError(`${service} refused access (403) when trying to ${what}${said}. The account of credential '${credentialName}' may lack permission.`);
  }
  if (status === 404) return new PermanentAgentError(`${service} could not find what was asked for (404) when trying to ${what}${said}.`);
  if (status === 410) return new PermanentAgentError(`${service} no longer offers this API (410) when trying to ${what}${said}.`);
  return new PermanentAgentError(`${service} refused to ${what} (HTTP ${status})${said}.`);
}

/** Appends query parameters, skipping undefined ones; arrays repeat the key. */
export function withQuery(url: string, params: Record<string, string | number | boolean | undefined | readonly (string | number)[]>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) u.searchParams.append(k, String(item));
    else u.searchParams.set(k, String(v));
  }
  return u.toString();
}
