import { z } from 'zod';
import { defineAgent, PermanentAgentError, RetryAfterError, type JsonObject, type JsonValue } from './define-agent';
import { retryAfterMs } from './retry-after';
import { credentialOption } from './credential-types';
import { authHeaders, forgetTokens, httpAuthTypes } from './http-auth';

const options = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET').describe('HTTP method'),
    url: z.string().min(1, 'Enter the address to call').describe('Address (URL) to call. Liquid allowed.'),
    headers: z.record(z.string(), z.string()).optional().describe('Request headers'),
    body: z.json().optional().describe('JSON body to send (for POST, PUT and PATCH)'),
    credential: credentialOption(httpAuthTypes).optional().describe('Sign in with a credential (basic auth, a header, a bearer token, or OAuth2 client credentials)'),
  })
  .strict();

/** Statuses that may succeed when tried again; any other 4xx fails the step at once. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

export const httpRequestAgent = defineAgent({
  type: 'http_request',
  name: 'HTTP request',
  category: 'HTTP',
  icon: 'Globe',
  summary: 'Call any web API and pass its answer on.',
  description: `Sends a request to a web address and emits the response. Every option can use values
from the incoming event with Liquid, e.g. \`https://api.example.com/issues/{{ issue.key }}\`.

A response that is not successful (status outside 200–299) fails the step with the status and
the start of the answer. Requests carry an \`Idempotency-Key\` header that stays the same when the
step is retried, so APIs that honour it perform the effect once.

**Credential** (optional): signs the request with basic auth, a header such as \`X-API-Key\`, a
bearer token, or OAuth2 client credentials (Muninn asks the token service for an access token,
reuses it until it expires and then asks again). Secrets never appear in events or logs.

**Emits** one event: \`status\`, \`headers\` and \`body\` (parsed JSON when the answer is JSON, text otherwise).`,
  exampleEvent: { status: 200, headers: { 'content-type': 'application/json' }, body: { id: 7, name: 'Acme' } },
  options,
  defaultOptions: { method: 'GET', url: 'https://example.com' },
  capabilities: { receives: true, dryRun: true },
  async run(ctx) {
    const { method, url, headers = {}, body } = ctx.options;
    let parsedUrl: URL;
    try {
      parsedUrl = new URL(url);
    } catch {
      throw new PermanentAgentError(`"${url}" is not a valid web address. It should start with https:// or http://.`);
    }
    if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') {
      throw new PermanentAgentError(`Only http:// and https:// addresses can be called, not "${parsedUrl.protocol}".`);
    }
    const auth = ctx.options.credential ? await authHeaders(ctx, ctx.options.credential) : {};
    const init: RequestInit = { method, headers: { ...headers, ...auth } };
    if (body !== undefined && method !== 'GET' && method !== 'DELETE') {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      const h = init.headers as Record<string, string>;
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    const res = await ctx.http.fetch(parsedUrl.toString(), init);
    const text = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    let parsed: JsonValue = text;
    if (contentType.includes('json') || /^\s*[[{]/.test(text)) {
      try {
        parsed = JSON.parse(text) as JsonValue;
      } catch {
        parsed = text;
      }
    }
    const responseHeaders: JsonObject = {};
    res.headers.forEach((v, k) => {
      responseHeaders[k] = v;
    });
    if (res.status === 401 && ctx.options.credential) forgetTokens(ctx.options.credential);
    if (res.status < 200 || res.status > 299) {
      const snippet = text.slice(0, 300);
      const message = `${method} ${parsedUrl.host}${parsedUrl.pathname} answered ${res.status} ${res.statusText}${snippet ? `: ${snippet}` : ''}`;
      if (res.status >= 400 && res.status < 500 && !RETRYABLE_4XX.has(res.status)) throw new PermanentAgentError(message);
      if (res.status === 429 || (res.status === 503 && res.headers.has('retry-after'))) {
        throw new RetryAfterError(message, retryAfterMs(res.headers.get('retry-after')));
      }
      throw new Error(message);
    }
    ctx.log.info(`${method} ${parsedUrl.toString()} → ${res.status}`);
    return [{ status: res.status, headers: responseHeaders, body: parsed }];
  },
});
