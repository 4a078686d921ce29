import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkEncryptionKeys, currentKeyVersion, decryptSecret, encryptSecret, keyVersionOf, SecretDecryptionError } from './crypto';

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('hex');
const AAD = 'ws-1:cred-1';
const saved = { ...process.env };

function setKeys(current: string | undefined, old?: string): void {
  if (current === undefined) delete process.env.MUNINN_ENCRYPTION_KEY;
  else process.env.MUNINN_ENCRYPTION_KEY = current;
  if (old === undefined) delete process.env.MUNINN_ENCRYPTION_KEYS_OLD;
  else process.env.MUNINN_ENCRYPTION_KEYS_OLD = old;
}

function refusal(run: () => unknown): SecretDecryptionError {
  try {
    run();
  } catch (e) {
    if (e instanceof SecretDecryptionError) return e;
    throw e;
  }
  throw new Error('expected a SecretDecryptionError');
}

beforeEach(() => setKeys(K1));
afterEach(() => {
  process.env = { ...saved };
});

describe('encryptSecret / decryptSecret', () => {
  it('round-trips text, and every ciphertext has its own IV', () => {
    const secret = 'p@ss: wörd ✓ {"json": true}';
    const a = encryptSecret(secret, AAD);
    const b = encryptSecret(secret, AAD);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret);
    expect(decryptSecret(a, AAD)).toBe(secret);
    expect(decryptSecret(encryptSecret('', AAD), AAD)).toBe('');
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = encryptSecret('top secret value', AAD);
    const [v, iv, tag, data] = sealed.split(':') as [string, string, string, string];
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, 'base64');
      buf[0]! ^= 1;
      return buf.toString('base64');
    };
    for (const tampered of [
      [v, iv, tag, flip(data)],
      [v, iv, flip(tag), data],
      [v, flip(iv), tag, data],
    ]) {
      const err = refusal(() => decryptSecret(tampered.join(':'), AAD));
      expect(err.reason).toBe('refused');
      expect(err.message).not.toContain(data);
    }
    expect(refusal(() => decryptSecret(`${v}:${iv}:${tag}:${data}AAAA`, AAD)).reason).toBe('malformed');
    expect(refusal(() => decryptSecret('v1:abc', AAD)).reason).toBe('malformed');
    expect(refusal(() => decryptSecret('plain text', AAD)).reason).toBe('malformed');
    expect(refusal(() => decryptSecret(`v1:${iv.slice(4)}:${tag}:${data}`, AAD)).reason).toBe('malformed');
  });

  it('refuses a ciphertext moved to another workspace or credential id', () => {
    const sealed = encryptSecret('token', 'ws-1:cred-1');
    expect(refusal(() => decryptSecret(sealed, 'ws-2:cred-1')).reason).toBe('refused');
    expect(refusal(() => decryptSecret(sealed, 'ws-1:cred-2')).reason).toBe('refused');
    expect(decryptSecret(sealed, 'ws-1:cred-1')).toBe('token');
  });
});

describe('keys', () => {
  it('accepts base64 and hex keys with an optional version', () => {
    setKeys(K2);
    expect(currentKeyVersion()).toBe(1);
    setKeys(`v7:${K1}`);
    expect(currentKeyVersion()).toBe(7);
    expect(keyVersionOf(encryptSecret('x', AAD))).toBe(7);
    setKeys(K1.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')); // base64url without padding
    expect(decryptSecret(encryptSecret('x', AAD), AAD)).toBe('x');
  });

  it('explains a malformed key without repeating it', () => {
    for (const bad of ['too-short', `v1:${randomBytes(16).toString('base64')}`, `v0:${K1}`, `${K2}00`]) {
      setKeys(bad);
      expect(() => currentKeyVersion()).toThrow(/MUNINN_ENCRYPTION_KEY/);
    }
    setKeys(K1, K2); // an old key needs its version
    expect(() => currentKeyVersion()).toThrow(/MUNINN_ENCRYPTION_KEYS_OLD: each entry must look like v<number>:<key>/);
    setKeys(`v2:${K1}`, `v2:${K2}`);
    expect(() => currentKeyVersion()).toThrow(/Two different encryption keys are configured as v2/);
    try {
      setKeys(`v2:${K1}`, `v1:${K1.slice(0, 20)}`);
      currentKeyVersion();
    } catch (e) {
      expect((e as Error).message).not.toContain(K1.slice(0, 20));
    }
  });

  it('opens values sealed with an old key and seals new ones with the current key', () => {
    setKeys(`v1:${K1}`);
    const old = encryptSecret('legacy', AAD);
    setKeys(`v2:${K2}`);
    const err = refusal(() => decryptSecret(old, AAD));
    expect(err.reason).toBe('unknown-key');
    expect(err.message).toMatch(/key version v1, which is not configured\. Add that key to MUNINN_ENCRYPTION_KEYS_OLD as v1:<key>/);
    setKeys(`v2:${K2}`, `v1:${K1}`);
    expect(decryptSecret(old, AAD)).toBe('legacy');
    expect(keyVersionOf(encryptSecret('new', AAD))).toBe(2);
    expect(checkEncryptionKeys()).toEqual({ currentVersion: 2, versions: [1, 2] });
  });
});

describe('without MUNINN_ENCRYPTION_KEY', () => {
  let dir: string;
  const cwd = process.cwd();
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'muninn-crypto-'));
    process.chdir(dir);
  });
  afterEach(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates a development key once into .data/encryption.key (0600) and warns', () => {
    setKeys(undefined);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sealed = encryptSecret('dev secret', AAD);
    const file = path.join(dir, '.data', 'encryption.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = readFileSync(file, 'utf8').trim();
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(warn.mock.calls.flat().join('\n')).toMatch(/development only.*MUNINN_ENCRYPTION_KEY.*openssl rand -base64 32/s);
    expect(warn.mock.calls.flat().join('\n')).not.toContain(key);
    warn.mockRestore();

    // Another process (same file) and the same key given explicitly both open it.
    setKeys(key);
    expect(decryptSecret(sealed, AAD)).toBe('dev secret');
  });

  it('refuses to run in production', () => {
    setKeys(undefined);
    Object.assign(process.env, { NODE_ENV: 'production' });
    expect(() => encryptSecret('x', AAD)).toThrow(/MUNINN_ENCRYPTION_KEY is not set\. Muninn does not start in production without it/);
    expect(() => checkEncryptionKeys()).toThrow(/openssl rand -base64 32/);
  });
});
