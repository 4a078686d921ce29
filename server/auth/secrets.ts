import { createHash, randomBytes } from 'node:crypto';

/** A random bearer secret (session, reset link, invitation, API token): 32 bytes, URL-safe. */
export function newSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** Only this is stored: a database leak does not hand out working sessions or tokens. */
export function sha256(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
