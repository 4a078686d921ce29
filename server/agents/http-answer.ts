import { PermanentAgentError, RetryAfterError, type JsonObject, type JsonValue } from './define-agent';
import { retryAfterMs } from './retry-after';

export type ResponseFormat = 'auto' | 'json' | 'text';

/** One answer of the API, as the agent emits it. */
export type HttpAnswer = {
  status: number;
  headers: JsonObject;
  body: JsonValue;
};

/** Statuses that may succeed when tried again; any other 4xx fails the step at once. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/** "GET api.example.com/issues": names the call in messages without its query (tokens live there). */
export function callName(method: string, url: URL): string {
  return `${method} ${url.host}${url.pathname}`;
}

/**
 * Reads a response: fails the step on an unsuccessful status (permanently for 4xx that retrying
 * cannot fix), otherwise parses the body in the chosen format.
 */
export async function readAnswer(res: Response, call: string, format: ResponseFormat): Promise<HttpAnswer> {
  const text = await res.text();
  if (res.status < 200 || res.status > 299) {
    const snippet = text.slice(0, 300);
    const message = `${call} answered ${res.status} ${res.statusText}${snippet ? `: ${snippet}` : ''}`;
    if (res.status >= 400 && res.status < 500 && !RETRYABLE_4XX.has(res.status)) throw new PermanentAgentError(message);
    if (res.status === 429 || (res.status === 503 && res.headers.has('retry-after'))) {
      throw new RetryAfterError(message, retryAfterMs(res.headers.get('retry-after')));
    }
    throw new Error(message);
  }
  const headers: JsonObject = {};
  res.headers.forEach((v, k) => {
    headers[k] = v;
  });
  return { status: res.status, headers, body: parseBody(text, res.headers.get('content-type') ?? '', call, format) };
}

function parseBody(text: string, contentType: string, call: string, format: ResponseFormat): JsonValue {
  if (format === 'text') return text;
  if (format === 'json') {
    // "No content" (204, or an empty body) is not malformed JSON: it has no value.
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      const kind = contentType ? `content of type ${contentType.split(';')[0]}` : 'content';
      throw new PermanentAgentError(
        `${call} answered with ${kind} that is not JSON: ${text.slice(0, 200)}. Choose "text" as the response format to take the answer as it is.`,
      );
    }
  }
  if (contentType.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return text;
    }
  }
  return text;
}
