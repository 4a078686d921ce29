/**
 * Encryption of secrets at rest: AES-256-GCM, one random 96-bit IV per value, the caller's
 * additional authenticated data (AAD) bound into the tag.
 *
 * ## Ciphertext
 *     v<keyVersion>:<iv base64>:<tag base64>:<data base64>
 * The version names the key that sealed it. The AAD is not stored: the caller supplies it again to
 * decrypt (credentials use `workspaceId:credentialId`), so a ciphertext copied to another row or
 * workspace fails the tag check instead of decrypting there.
 *
 * ## Keys (32 random bytes, written as base64 or hex; `openssl rand -base64 32`)
 * - `MUNINN_ENCRYPTION_KEY`: the current key, which seals everything new. `<key>` is version 1;
 *   `v<N>:<key>` gives it version N.
 * - `MUNINN_ENCRYPTION_KEYS_OLD`: retired keys that may still open old values, comma-separated
 *   `v<N>:<key>` entries. Never used to seal.
 *
 * Rotating: put the current key into MUNINN_ENCRYPTION_KEYS_OLD under its version (v1 if it had
 * none), set MUNINN_ENCRYPTION_KEY to `v<N+1>:<new key>`, restart web and workers, run
 * `npm run credentials:rotate-key`, then drop the old key once the script reports no failures.
 *
 * Without MUNINN_ENCRYPTION_KEY, development and tests use a key generated once into
 * `.data/encryption.key` (mode 0600, version 1, shared by every process started in the same
 * directory). With NODE_ENV=production a missing key is an error: a key on the same disk as the
 * database protects nothing, and a lost one makes every credential unreadable.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HOW_TO_GENERATE = 'Generate one with: openssl rand -base64 32';

/** A secret could not be decrypted. The message never contains key material or the ciphertext. */
export class SecretDecryptionError extends Error {
  constructor(
    readonly reason: 'malformed' | 'unknown-key' | 'refused',
    message: string,
  ) {
    super(message);
    this.name = 'SecretDecryptionError';
  }
}

interface Keyring {
  currentVersion: number;
  keys: Map<number, Buffer>;
}

/** Reads a key written as 64 hex digits or as base64/base64url of 32 bytes. */
function parseKeyMaterial(text: string, label: string): Buffer {
  const value = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-f]{64}$/i.test(value)) key = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) key = Buffer.from(value, 'base64');
  if (key?.length !== KEY_BYTES) {
    throw new Error(`${label} must be ${KEY_BYTES} bytes written as base64 (44 characters) or hex (64 characters). ${HOW_TO_GENERATE}`);
  }
  return key;
}

/** `v<N>:<key>`, or a bare `<key>` when a default version is allowed. */
function parseVersionedKey(entry: string, label: string, defaultVersion?: number): { version: number; key: Buffer } {
  const match = /^v(\d+):(.*)$/s.exec(entry.trim());
  if (!match) {
    if (defaultVersion === undefined) throw new Error(`${label}: each entry must look like v<number>:<key>, e.g. v1:<key>.`);
    return { version: defaultVersion, key: parseKeyMaterial(entry, label) };
  }
  const version = Number(match[1]);
  if (!Number.isSafeInteger(version) || version < 1) throw new Error(`${label}: the key version must be a whole number from 1 up, as in v1:<key>.`);
  return { version, key: parseKeyMaterial(match[2]!, `${label} (v${version})`) };
}

function buildKeyring(current: string, old: string): Keyring {
  const { version, key } = parseVersionedKey(current, 'MUNINN_ENCRYPTION_KEY', 1);
  const keys = new Map([[version, key]]);
  for (const entry of old.split(/[,\s]+/).filter(Boolean)) {
    const retired = parseVersionedKey(entry, 'MUNINN_ENCRYPTION_KEYS_OLD');
    const known = keys.get(retired.version);
    if (known && !known.equals(retired.key)) {
      throw new Error(`Two different encryption keys are configured as v${retired.version}. Each key version must name exactly one key.`);
    }
    keys.set(retired.version, retired.key);
  }
  return { currentVersion: version, keys };
}

export function devKeyPath(): string {
  return path.resolve('.data', 'encryption.key');
}

/** Reads the development key, or creates it; `wx` makes concurrent first starts agree on one key. */
export function devKey(file = devKeyPath()): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    console.warn(`[crypto] Generated a development encryption key in ${file}.`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return readFileSync(file, 'utf8');
}

let cached: { signature: string; keyring: Keyring } | undefined;
let warnedAbout: string | undefined;

/**
 * The configured keys, validated. Re-read whenever the variables change (tests switch keys), and
 * cached otherwise. Throws with a message naming the variable when a key is missing or malformed.
 */
function keyring(): Keyring {
  const current = process.env.MUNINN_ENCRYPTION_KEY?.trim() ?? '';
  const old = process.env.MUNINN_ENCRYPTION_KEYS_OLD?.trim() ?? '';
  const production = process.env.NODE_ENV === 'production';
  const signature = JSON.stringify([current, old, production, current ? '' : devKeyPath()]);
  if (cached?.signature === signature) return cached.keyring;

  let source = current;
  if (!source) {
    if (production) {
      throw new Error(
        `MUNINN_ENCRYPTION_KEY is not set. Muninn does not start in production without it: it encrypts every saved credential. ${HOW_TO_GENERATE}, store it like a password, and set it for the web app and every worker.`,
      );
    }
    const file = devKeyPath();
    source = devKey(file);
    if (warnedAbout !== file) {
      warnedAbout = file;
      console.warn(
        `[crypto] MUNINN_ENCRYPTION_KEY is not set: credentials are encrypted with the development key in ${file}. This is for development only. For real use set MUNINN_ENCRYPTION_KEY to 32 random bytes (${HOW_TO_GENERATE}). To keep credentials saved with the development key, also set MUNINN_ENCRYPTION_KEYS_OLD=v1:<contents of that file>, give the new key version 2 (MUNINN_ENCRYPTION_KEY=v2:<new key>) and run npm run credentials:rotate-key.`,
      );
    }
  }
  const ring = buildKeyring(source, old);
  cached = { signature, keyring: ring };
  return ring;
}

/** Validates the key configuration now, so that a process fails at start rather than at first use. */
export function checkEncryptionKeys(): { currentVersion: number; versions: number[] } {
  const ring = keyring();
  return { currentVersion: ring.currentVersion, versions: [...ring.keys.keys()].sort((a, b) => a - b) };
}

/** The version new ciphertexts are sealed with. */
export function currentKeyVersion(): number {
  return keyring().currentVersion;
}

/** The key version a ciphertext names, or undefined when it is not in our format. */
export function keyVersionOf(ciphertext: string): number | undefined {
  const match = /^v(\d+):/.exec(ciphertext);
  return match ? Number(match[1]) : undefined;
}

export function encryptSecret(plaintext: string, aad: string): string {
  const ring = keyring();
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, ring.keys.get(ring.currentVersion)!, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v${ring.currentVersion}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${data.toString('base64')}`;
}

/** Node decodes base64 leniently (stops at padding, skips junk); only the exact encoding counts. */
function canonicalBase64(text: string): Buffer | undefined {
  const buf = Buffer.from(text, 'base64');
  return buf.toString('base64') === text ? buf : undefined;
}

export function decryptSecret(ciphertext: string, aad: string): string {
  const parts = ciphertext.split(':');
  const version = keyVersionOf(ciphertext);
  if (parts.length !== 4 || version === undefined) {
    throw new SecretDecryptionError('malformed', 'The stored secret is not in the expected format (v<key version>:<iv>:<tag>:<data>).');
  }
  const key = keyring().keys.get(version);
  if (!key) {
    throw new SecretDecryptionError(
      'unknown-key',
      `The stored secret was encrypted with key version v${version}, which is not configured. Add that key to MUNINN_ENCRYPTION_KEYS_OLD as v${version}:<key>.`,
    );
  }
  const [iv, tag, data] = parts.slice(1).map(canonicalBase64);
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || !data) {
    throw new SecretDecryptionError('malformed', 'The stored secret is damaged: it is not in the expected format.');
  }
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretDecryptionError(
      'refused',
      `The stored secret failed its integrity check: it was altered, copied from another record, or key v${version} is not the key it was sealed with.`,
    );
  }
}
