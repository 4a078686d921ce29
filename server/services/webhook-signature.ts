import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors';

/** Signed requests older (or newer) than this are refused: a captured request cannot be replayed later. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(message: string): AppError {
  return new AppError('UNAUTHORIZED', `The webhook signature was refused: ${message}`);
}

/** Standard Webhooks (standardwebhooks.com): HMAC-SHA256 over `id.timestamp.body`, base64, "v1," prefixed. */
export function verifyStandardWebhook(secret: string, headers: Headers, body: string, nowSeconds = Date.now() / 1000): string {
  const id = headers.get('webhook-id');
  const timestamp = headers.get('webhook-timestamp');
  const signatures = headers.get('webhook-signature');
  if (!id || !timestamp || !signatures) throw refuse('the webhook-id, webhook-timestamp and webhook-signature headers are required.');
  const ts = Number(timestamp);
  if (!Number.isInteger(ts)) throw refuse('webhook-timestamp is not a number of seconds.');
  if (Math.abs(nowSeconds - ts) > SIGNATURE_TOLERANCE_SECONDS) throw refuse('the request is too old or too far in the future (more than 5 minutes).');
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  const ok = signatures.split(' ').some((part) => {
    const [version, sig] = part.split(',');
    return version === 'v1' && sig !== undefined && equal(Buffer.from(sig, 'base64'), expected);
  });
  if (!ok) throw refuse('it does not match the secret.');
  return id;
}

/** HMAC-SHA256 of the raw body in hex, as GitHub (X-Hub-Signature-256: sha256=…) and many others send. */
export function verifyHmacSha256(secret: string, headers: Headers, body: string): void {
  const header = headers.get('x-hub-signature-256') ?? headers.get('x-signature-256') ?? headers.get('x-signature');
  if (!header) throw refuse('the X-Hub-Signature-256 header is missing.');
  const hex = header.replace(/^sha256=/, '');
  const expected = createHmac('sha256', secret).update(body).digest();
  if (!/^[0-9a-f]+$/i.test(hex) || !equal(Buffer.from(hex, 'hex'), expected)) throw refuse('it does not match the secret.');
}

/** The sender's own id of a delivery, so a redelivery starts no second run. */
export function deliveryIdOf(headers: Headers): string | undefined {
  for (const name of ['webhook-id', 'x-atlassian-webhook-identifier', 'x-github-delivery', 'idempotency-key']) {
    const v = headers.get(name);
    if (v) return `${name}:${v.slice(0, 200)}`;
  }
  return undefined;
}
