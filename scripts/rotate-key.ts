/**
 * Re-encrypts every credential under the current key (`npm run credentials:rotate-key`).
 *
 * 1. Move the current key into MUNINN_ENCRYPTION_KEYS_OLD under its version (v1 if it had none).
 * 2. Set MUNINN_ENCRYPTION_KEY=v<N+1>:<new key> and restart the web app and the workers.
 * 3. Run this script with the same settings (and DATABASE_URL). It is safe to run again.
 * 4. When it reports no failures, remove the old key from MUNINN_ENCRYPTION_KEYS_OLD.
 *
 * Exit code 0: everything is under the current key; 1: some credentials could not be decrypted
 * (listed by name; their key is missing or they were altered) or the settings are wrong.
 */
import { checkEncryptionKeys } from '../server/crypto';
import { db } from '../server/db';
import { rotateAllCredentials } from '../server/services/credentials';

async function main(): Promise<number> {
  const keys = checkEncryptionKeys();
  console.log(`Re-encrypting credentials with key v${keys.currentVersion} (configured versions: ${keys.versions.map((v) => `v${v}`).join(', ')})…`);
  const result = await rotateAllCredentials();
  console.log(`Credentials: ${result.total} in total, ${result.rotated} re-encrypted, ${result.alreadyCurrent} already under v${result.keyVersion}, ${result.failed.length} failed.`);
  for (const f of result.failed) console.error(`  failed: '${f.name}' (id ${f.id}, workspace ${f.workspaceId}): ${f.reason}`);
  if (result.failed.length) {
    console.error('Keep the old keys configured until these are fixed: add the missing key to MUNINN_ENCRYPTION_KEYS_OLD, or enter those credentials again.');
    return 1;
  }
  return 0;
}

let code = 1;
try {
  code = await main();
  await db().$disconnect();
} catch (e) {
  console.error(`Key rotation stopped: ${(e as Error).message}`);
}
process.exit(code);
