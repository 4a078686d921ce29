import { apiRoute, json, readJsonBody } from '@/server/api/rest';
import { AppError } from '@/server/errors';
import { installTemplate } from '@/server/services/templates';

export const dynamic = 'force-dynamic';

/**
 * Install a template as a new (inactive) flow.
 * Body: { "credentials": { "<name>": "<credential id>" }, "inputs": { "<name>": value }, "name"?: "…" }
 * 201 { flowId, name, templateVersion }; 400 naming each missing or wrong credential and input.
 */
export const POST = apiRoute<{ slug: string }>(async (req, auth, { slug }) => {
  const body = await readJsonBody(req);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new AppError('BAD_REQUEST', 'Send a JSON object: { "credentials": { … }, "inputs": { … } }.');
  const { credentials, inputs, name } = body as Record<string, unknown>;
  const isRecord = (v: unknown) => v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v));
  if (!isRecord(credentials) || !isRecord(inputs)) {
    throw new AppError('VALIDATION', '"credentials" and "inputs" must be objects keyed by name, e.g. { "credentials": { "slack": "<credential id>" } }.');
  }
  if (credentials && Object.values(credentials).some((v) => typeof v !== 'string')) {
    throw new AppError('VALIDATION', 'Each credential must be given as the id of a credential (text).');
  }
  if (name !== undefined && (typeof name !== 'string' || !name.trim())) throw new AppError('VALIDATION', '"name" must be text.');
  const created = await installTemplate(auth.workspaceId, {
    slug,
    credentials: (credentials ?? {}) as Record<string, string>,
    inputs: (inputs ?? {}) as Record<string, never>,
    ...(typeof name === 'string' ? { name } : {}),
  });
  return json(created, 201);
});
