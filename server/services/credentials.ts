import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { db } from '../db';
import { AppError, notFound, type FieldIssue } from '../errors';
import { PermanentAgentError, type AgentCredentials } from '../agents/define-agent';
import { CredentialDataError, credentialTypes, isCredentialType, parseCredentialData } from '../agents/credential-types';
import { currentKeyVersion, decryptSecret, encryptSecret, keyVersionOf, SecretDecryptionError } from '../crypto';
import { createAgentHttp } from '../engine/safe-http';
import { checkCredential, type CredentialTestResult } from './credential-checks';
import { audit, currentActor } from './audit';
import { atLeast, type Role } from '../auth/roles';

/**
 * The credentials vault. A credential's `data` (all its fields, as strings) is stored as one
 * AES-256-GCM ciphertext bound to `workspaceId:credentialId`. Secret field values are decrypted
 * only for agents (`credentialsFor`) and for "Test connection"; nothing here returns them, and
 * error messages name fields, never values.
 */

export type { CredentialTestResult };

export interface CredentialSummary {
  id: string;
  name: string;
  type: string;
  /** The kind in words, e.g. "Jira Cloud". */
  typeName: string;
  createdAt: Date;
  updatedAt: Date;
  /** Every field holding a value. Secret ones are listed so the form can say "value is set". */
  setFields: string[];
  /** Values of the fields that are not secret (site address, e-mail, user name…). */
  publicData: Record<string, string>;
  /** Set when the stored values cannot be read; the credential then needs its values entered again. */
  problem?: string;
}

export interface CredentialTypeInfo {
  type: string;
  name: string;
  description: string;
  testHint?: string;
  /** JSON Schema of `data` (input side): draws the form. */
  dataSchema: Record<string, unknown>;
  secretFields: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ROTATE_BATCH = 100;

const name = z
  .string({ error: 'Give the credential a name' })
  .trim()
  .min(1, 'Give the credential a name')
  .max(100, 'Keep the name under 100 characters');
const data = z.record(z.string(), z.unknown(), { error: 'data must be an object holding the fields of the credential' });

export const createCredentialInput = z.object({
  type: z.string({ error: 'Choose the kind of credential' }).min(1, 'Choose the kind of credential'),
  name,
  data: data.default({}),
});
export type CreateCredentialInput = z.input<typeof createCredentialInput>;

export const updateCredentialInput = z.object({ name: name.optional(), data: data.optional() });
/**
 * In `data`, a field that is absent keeps its stored value, and so does an empty secret field
 * (the form never receives secrets, so it sends them empty). An empty non-secret field is
 * cleared; `null` clears any field.
 */
export type UpdateCredentialInput = z.input<typeof updateCredentialInput>;

function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.') || undefined, message: i.message }));
  throw new AppError('VALIDATION', issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; '), issues);
}

function aad(workspaceId: string, credentialId: string): string {
  return `${workspaceId}:${credentialId}`;
}

/** Agents receive strings; parseCredentialData turns them back into numbers and yes/no. */
function asStrings(values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v as number | boolean);
  }
  return out;
}

/** Validates against the type's schema; the error names fields, never values. */
function validData(type: string, values: Record<string, unknown>): Record<string, string> {
  if (!isCredentialType(type)) {
    const known = Object.keys(credentialTypes).join(', ');
    throw new AppError('VALIDATION', `"${type}" is not a known kind of credential. Known kinds: ${known}.`, [{ field: 'type', message: 'Unknown kind of credential' }]);
  }
  try {
    return asStrings(parseCredentialData(type, values) as Record<string, unknown>);
  } catch (e) {
    if (!(e instanceof CredentialDataError)) throw e;
    const issues: FieldIssue[] = e.issues.map((i) => ({ field: i.field ? `data.${i.field}` : 'data', message: i.message }));
    throw new AppError('VALIDATION', e.message, issues);
  }
}

function secretFieldsOf(type: string): ReadonlySet<string> | undefined {
  return isCredentialType(type) ? new Set(credentialTypes[type].secretFields as readonly string[]) : undefined;
}

function isSecret(type: string, field: string): boolean {
  // A kind Muninn no longer knows: treat every field as secret.
  return secretFieldsOf(type)?.has(field) ?? true;
}

interface StoredRow {
  id: string;
  workspaceId: string;
  name: string;
  type: string;
  ciphertext: string;
  createdById?: string | null;
  createdAt: Date;
  updatedAt: Date;
}

function decryptData(row: StoredRow): Record<string, string> {
  const parsed = JSON.parse(decryptSecret(row.ciphertext, aad(row.workspaceId, row.id))) as unknown;
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
}

function encryptData(workspaceId: string, id: string, values: Record<string, string>): string {
  return encryptSecret(JSON.stringify(values), aad(workspaceId, id));
}

function summarize(row: StoredRow): CredentialSummary {
  const base = {
    id: row.id,
    name: row.name,
    type: row.type,
    typeName: isCredentialType(row.type) ? credentialTypes[row.type].name : row.type,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
  try {
    const values = decryptData(row);
    const setFields = Object.keys(values).filter((k) => values[k] !== '');
    const publicData = Object.fromEntries(setFields.filter((k) => !isSecret(row.type, k)).map((k) => [k, values[k]!]));
    return { ...base, setFields, publicData };
  } catch (e) {
    if (!(e instanceof SecretDecryptionError)) throw e;
    return { ...base, setFields: [], publicData: {}, problem: `The saved values cannot be read (${e.message}) Enter them again, or ask an administrator to check the encryption keys.` };
  }
}

async function findRow(workspaceId: string, id: string): Promise<StoredRow> {
  const row = UUID.test(id) ? await db().credential.findFirst({ where: { id, workspaceId } }) : null;
  if (!row) throw notFound('This credential');
  return row;
}

function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'P2002';
}

function nameTaken(credentialName: string): AppError {
  return new AppError('CONFLICT', `A credential named '${credentialName}' already exists. Choose another name.`, [
    { field: 'name', message: 'This name is already used by another credential' },
  ]);
}

/** The kinds of credential, with the JSON Schema that draws each one's form. */
export function credentialTypeCatalog(): CredentialTypeInfo[] {
  return Object.values(credentialTypes).map((def) => ({
    type: def.type,
    name: def.name,
    description: def.description,
    ...(def.testHint ? { testHint: def.testHint } : {}),
    dataSchema: z.toJSONSchema(def.schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    secretFields: [...def.secretFields],
  }));
}

export async function listCredentials(workspaceId: string): Promise<CredentialSummary[]> {
  const rows = await db().credential.findMany({ where: { workspaceId }, orderBy: { name: 'asc' } });
  return rows.map(summarize);
}

export async function getCredential(workspaceId: string, id: string): Promise<CredentialSummary> {
  return summarize(await findRow(workspaceId, id));
}

export async function createCredential(workspaceId: string, input: CreateCredentialInput): Promise<{ id: string }> {
  const parsed = parseInput(createCredentialInput, input);
  const values = validData(parsed.type, parsed.data);
  // The id is chosen here because the ciphertext is bound to it.
  const id = randomUUID();
  try {
    await db().credential.create({
      data: { id, workspaceId, name: parsed.name, type: parsed.type, ciphertext: encryptData(workspaceId, id, values), createdById: currentActor().userId ?? null },
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTaken(parsed.name);
    throw e;
  }
  await audit(workspaceId, 'credential.created', { type: 'credential', id, label: parsed.name }, { type: parsed.type });
  return { id };
}

export async function updateCredential(workspaceId: string, id: string, input: UpdateCredentialInput): Promise<CredentialSummary> {
  const parsed = parseInput(updateCredentialInput, input);
  const row = await findRow(workspaceId, id);
  let ciphertext: string | undefined;
  if (parsed.data) {
    let merged: Record<string, unknown>;
    try {
      merged = decryptData(row);
    } catch (e) {
      if (!(e instanceof SecretDecryptionError)) throw e;
      merged = {}; // unreadable: the new values must be complete on their own
    }
    for (const [field, value] of Object.entries(parsed.data)) {
      if (value === undefined) continue;
      const empty = value === null || (typeof value === 'string' && value.trim() === '');
      if (!empty) merged[field] = value;
      else if (value === null || !isSecret(row.type, field)) delete merged[field];
    }
    ciphertext = encryptData(workspaceId, id, validData(row.type, merged));
  }
  try {
    const updated = await db().credential.updateManyAndReturn({
      where: { id, workspaceId },
      data: { ...(parsed.name !== undefined ? { name: parsed.name } : {}), ...(ciphertext ? { ciphertext } : {}) },
    });
    if (!updated[0]) throw notFound('This credential');
    await audit(workspaceId, 'credential.updated', { type: 'credential', id, label: updated[0].name }, { changed: [...(parsed.name !== undefined ? ['name'] : []), ...Object.keys(parsed.data ?? {})] });
    return summarize(updated[0]);
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTaken(parsed.name ?? row.name);
    throw e;
  }
}

/**
 * Builders manage the credentials they created; admins and owners manage every credential of the
 * workspace. (Credentials created through an API token or before sign-in have no creator.)
 */
export async function assertMayManageCredential(workspaceId: string, id: string, actor: { userId: string; role: Role }): Promise<void> {
  const row = await findRow(workspaceId, id);
  if (atLeast(actor.role, 'admin') || row.createdById === actor.userId) return;
  throw new AppError('FORBIDDEN', `Credential '${row.name}' was created by someone else. Ask an admin of the workspace to change or delete it.`);
}

/** Nodes that still refer to a deleted credential fail with a message saying to choose another. */
export async function deleteCredential(workspaceId: string, id: string): Promise<{ id: string }> {
  const row = UUID.test(id) ? await db().credential.findFirst({ where: { id, workspaceId }, select: { name: true } }) : null;
  const { count } = row ? await db().credential.deleteMany({ where: { id, workspaceId } }) : { count: 0 };
  if (!count) throw notFound('This credential');
  await audit(workspaceId, 'credential.deleted', { type: 'credential', id, label: row?.name });
  return { id };
}

/** "Test connection": one harmless call with the saved values. Never throws for a failed connection. */
export async function testCredential(workspaceId: string, id: string): Promise<CredentialTestResult> {
  const row = await findRow(workspaceId, id);
  let values: Record<string, string>;
  try {
    values = decryptData(row);
  } catch (e) {
    if (!(e instanceof SecretDecryptionError)) throw e;
    return { ok: false, message: `The saved values of credential '${row.name}' cannot be read (${e.message}) Enter them again and save.` };
  }
  const http = createAgentHttp({ idempotencyKey: `credential-test:${id}`, signal: new AbortController().signal, timeoutMs: 15_000 });
  const result = await checkCredential({ type: row.type, name: row.name, data: values }, http.fetch);
  await audit(workspaceId, 'credential.tested', { type: 'credential', id, label: row.name }, { ok: result.ok });
  return result;
}

/**
 * What agents see as `ctx.credentials`: looks up and decrypts on demand, within one workspace.
 * Problems are permanent: retrying cannot bring back a deleted credential or a lost key.
 */
export function credentialsFor(workspaceId: string): AgentCredentials {
  return {
    async get(credentialId) {
      const row = UUID.test(credentialId) ? await db().credential.findFirst({ where: { id: credentialId, workspaceId } }) : null;
      if (!row) {
        throw new PermanentAgentError('The credential chosen in this node no longer exists. Choose another one in the node settings, or create it under Credentials.');
      }
      try {
        return { type: row.type, name: row.name, data: decryptData(row) };
      } catch (e) {
        if (!(e instanceof SecretDecryptionError)) throw e;
        throw new PermanentAgentError(`Credential '${row.name}' cannot be read: ${e.message} Enter its values again under Credentials, or ask an administrator to check the encryption keys.`);
      }
    },
  };
}

export interface RotationResult {
  keyVersion: number;
  total: number;
  rotated: number;
  alreadyCurrent: number;
  /** Rows that could not be decrypted (their key is missing, or they were tampered with). Names only. */
  failed: Array<{ id: string; workspaceId: string; name: string; reason: string }>;
}

/**
 * Re-encrypts every credential under the current key, in batches, without touching `updatedAt`.
 * Each write is conditional on the ciphertext it read, so an edit made meanwhile is never
 * overwritten (that edit is already sealed with the current key).
 */
export async function rotateAllCredentials(opts: { batchSize?: number } = {}): Promise<RotationResult> {
  const keyVersion = currentKeyVersion();
  const result: RotationResult = { keyVersion, total: 0, rotated: 0, alreadyCurrent: 0, failed: [] };
  let after: string | undefined;
  for (;;) {
    const rows = await db().credential.findMany({
      where: after ? { id: { gt: after } } : {},
      orderBy: { id: 'asc' },
      take: opts.batchSize ?? ROTATE_BATCH,
    });
    if (!rows.length) break;
    after = rows.at(-1)!.id;
    result.total += rows.length;
    for (const row of rows) {
      if (keyVersionOf(row.ciphertext) === keyVersion) {
        result.alreadyCurrent++;
        continue;
      }
      let plaintext: string;
      try {
        plaintext = decryptSecret(row.ciphertext, aad(row.workspaceId, row.id));
      } catch (e) {
        if (!(e instanceof SecretDecryptionError)) throw e;
        result.failed.push({ id: row.id, workspaceId: row.workspaceId, name: row.name, reason: e.message });
        continue;
      }
      const { count } = await db().credential.updateMany({
        where: { id: row.id, ciphertext: row.ciphertext },
        data: { ciphertext: encryptSecret(plaintext, aad(row.workspaceId, row.id)), updatedAt: row.updatedAt },
      });
      if (count) result.rotated++;
      else result.alreadyCurrent++;
    }
  }
  return result;
}
