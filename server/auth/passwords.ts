import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt (memory-hard, in node:crypto, no native add-on). Parameters follow
 * OWASP's table of equivalent scrypt settings: N=2^15, r=8, p=3 costs ~32 MiB and ~0.5 s on one
 * core here, a lower peak memory than N=2^17/p=1 for the same work. The parameters are stored in
 * the hash, so they can be raised later: `needsRehash` tells sign-in to upgrade old hashes.
 * Tests use cheap parameters (NODE_ENV=test) so that suites creating many users stay fast.
 */
const PRODUCTION = { N: 2 ** 15, r: 8, p: 3 } as const;
const TEST = { N: 2 ** 12, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

function params(): { N: number; r: number; p: number } {
  return process.env.NODE_ENV === 'test' ? TEST : PRODUCTION;
}

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFKC'), salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

const maxmem = (N: number, r: number, p: number) => 128 * N * r + 128 * r * p + 1024 * 1024;

export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = params();
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { N, r, p, maxmem: maxmem(N, r, p) });
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  // Refuse absurd parameters from a tampered row rather than allocate gigabytes.
  if (![N, r, p].every(Number.isSafeInteger) || N > 2 ** 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  const actual = await scrypt(password, salt, expected.length, { N, r, p, maxmem: maxmem(N, r, p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function needsRehash(stored: string): boolean {
  const [, N, r, p] = stored.split('$').map(Number);
  const want = params();
  return N !== want.N || r !== want.r || p !== want.p;
}

/**
 * Spends the same time as a real check when the account does not exist, so response times do not
 * tell which emails have accounts.
 */
let dummy: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword('not-a-real-password');
  await verifyPassword(password, await dummy);
}

/** A sentence for the person choosing a password, or null when it is acceptable. */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Choose a password of at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (email && password.toLowerCase().includes(email.split('@')[0]!.toLowerCase()) && email.split('@')[0]!.length >= 4) {
    return 'Choose a password that does not contain your email address.';
  }
  if (/^(.)\1+$/.test(password)) return 'Choose a password that is not a single repeated character.';
  return null;
}
