import { z } from 'zod';
import { defineAgent, PermanentAgentError, type JsonObject, type JsonValue } from './define-agent';
import { textValue } from './http-request-options';

/**
 * Marks an event as an HTTP answer. The `$` keeps it apart from ordinary data fields, and the
 * webhook honours it only from an http_response node, so a payload that merely contains it (sent
 * by a caller, passed on by a transform) cannot shape the webhook's answer.
 */
export const HTTP_RESPONSE_TAG = '$httpResponse';

/**
 * Headers a flow may not set on the webhook's answer: hop-by-hop and framing headers, which the
 * server sets itself, and headers that would act on Muninn's own site in a browser (cookies).
 */
export const DROPPED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'content-encoding',
  'set-cookie',
  'clear-site-data',
]);

/** A final answer: 1xx are interim answers that a webhook cannot send as its reply. */
const MIN_STATUS = 200;
const MAX_STATUS = 599;
const statusError = `Enter a status code between ${MIN_STATUS} and ${MAX_STATUS}, e.g. 200`;

const options = z
  .object({
    status: z
      .union([z.number().int(statusError).min(MIN_STATUS, statusError).max(MAX_STATUS, statusError), z.string().trim().min(1, statusError)], { error: statusError })
      .default(200)
      .describe(`Status code. A number from ${MIN_STATUS} to ${MAX_STATUS}, e.g. 200 (OK), 201 (created), 400 (bad request) or 404 (not found). Liquid allowed.`),
    headers: z.record(z.string(), textValue).optional().describe('Headers of the answer. For example Content-Type = text/csv. Liquid allowed.'),
    body: z
      .json()
      .optional()
      .describe('What to answer: text (Liquid allowed, e.g. Thanks {{ name }}) or JSON. Leave empty to answer with the incoming event.'),
  })
  .strict();

function statusOf(value: number | string): number {
  const status = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(status) || status < MIN_STATUS || status > MAX_STATUS) {
    throw new PermanentAgentError(`The status "${value}" is not a status code between ${MIN_STATUS} and ${MAX_STATUS}.`);
  }
  return status;
}

export const httpResponseAgent = defineAgent({
  type: 'http_response',
  name: 'HTTP response',
  category: 'HTTP',
  icon: 'Send',
  summary: 'Choose the status, headers and body a webhook answers with.',
  description: `Shapes the answer that a **Webhook** trigger sends back to the system that called it.

How to use it: put this node after the nodes that compute the answer, then open the Webhook
node, choose **Respond: with_output** and pick this node as the one whose output is the answer.
The caller gets the answer as soon as this node has run (within the webhook's waiting time).

- **Status code**: 200 by default; any code from ${MIN_STATUS} to ${MAX_STATUS}. Liquid works here too,
  e.g. \`{{ status }}\`.
- **Headers**: e.g. \`Content-Type: text/csv\` or \`Location\`. Cookies (\`Set-Cookie\`) and
  headers that only the server may set (\`Content-Length\`, \`Transfer-Encoding\`, \`Connection\`…)
  are not passed on. The answer is sandboxed in browsers (\`Content-Security-Policy: sandbox\`),
  so it cannot run scripts on Muninn's site.
- **Body**: text (Liquid allowed, e.g. \`Thanks {{ name }}\`), sent as \`text/plain\` unless you set a
  Content-Type header; or JSON, sent as \`application/json\`. Empty: the incoming event, as JSON.

**Emits** one event with \`status\`, \`headers\` and \`body\`, marked with \`"${HTTP_RESPONSE_TAG}": true\`
so the webhook knows it is a complete answer. Other nodes may still use it.`,
  exampleEvent: { [HTTP_RESPONSE_TAG]: true, status: 201, headers: { location: '/tickets/OPS-42' }, body: { created: 'OPS-42' } },
  options,
  defaultOptions: { status: 200 },
  capabilities: { receives: true, dryRun: true, inline: true },
  async run(ctx) {
    const status = statusOf(ctx.options.status);
    const headers: JsonObject = {};
    for (const [name, value] of Object.entries(ctx.options.headers ?? {})) {
      try {
        // Headers checks names and values the way the web server will.
        new Headers([[name, value]]);
      } catch {
        throw new PermanentAgentError(`The header "${name}" cannot be sent: a header name is one word without spaces, and its value has no line breaks.`);
      }
      const key = name.toLowerCase();
      if (DROPPED_RESPONSE_HEADERS.has(key)) ctx.log.warn(`The header "${name}" is not passed on: the web server sets it, or it would act on Muninn's own site.`);
      else headers[key] = value;
    }
    const body: JsonValue = ctx.options.body === undefined ? ctx.event : (ctx.options.body as JsonValue);
    return [{ [HTTP_RESPONSE_TAG]: true, status, headers, body }];
  },
});
