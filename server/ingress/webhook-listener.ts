import type { IncomingMessage, ServerResponse } from 'node:http';
import { env } from '../env';
import { bodyTooLarge, errorResponse } from '../api/rest';
import { receiveWebhook } from '../services/webhooks';
import { webhookResponse } from '../services/webhook-response';
import headerLists from '../api/security-headers.json';

/**
 * `POST /api/hooks/:token` straight on Node's HTTP server, in front of Next.js (scripts/web-server.ts).
 *
 * Why: Next.js's request pipeline costs ~2 ms of CPU per request before a route handler runs
 * (measured: /api/health, two trivial queries, topped out at the same ~500 req/s as a webhook),
 * which on 2 cores makes 500 webhooks/s queue up. The work of a webhook itself — one batched
 * insert, one batched queue hand-over — is a fraction of that. Same code as the Next.js route
 * (app/api/hooks/[token]/route.ts, still used by `next dev` and the container's standalone
 * server): receiveWebhook and webhookResponse; same headers as next.config.js.
 */
export const HOOK_PATH = /^\/api\/hooks\/([^/?#]+)\/?(?:\?.*)?$/;

const apiHeaders = [...headerLists.all, ...headerLists.api];

export function isWebhookRequest(req: IncomingMessage): boolean {
  return req.method === 'POST' && HOOK_PATH.test(req.url ?? '');
}

export async function handleWebhookRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let answer: Response;
  try {
    const token = decodeURIComponent(HOOK_PATH.exec(req.url ?? '')![1]!);
    const body = await readBody(req, env().MUNINN_MAX_PAYLOAD_BYTES);
    answer = webhookResponse(await receiveWebhook(token, toHeaders(req), body));
  } catch (e) {
    answer = errorResponse(e);
  }
  const headers: Record<string, string> = {};
  for (const { key, value } of apiHeaders) headers[key] = value;
  answer.headers.forEach((value, key) => (headers[key] = value));
  const text = answer.body ? await answer.text() : '';
  res.writeHead(answer.status, headers);
  res.end(text);
}

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  return headers;
}

/** The raw body (signatures are computed over the exact bytes), with the size cap, without trusting Content-Length alone. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = () => bodyTooLarge(maxBytes);
  if (Number(req.headers['content-length'] ?? '0') > maxBytes) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
