import { apiRoute, json, readJsonBody } from '@/server/api/rest';
import { AppError } from '@/server/errors';
import { importHuginnScenario } from '@/server/services/templates';

export const dynamic = 'force-dynamic';

/**
 * Import a Huginn scenario export as a new (inactive) flow.
 * Body: the scenario JSON as Huginn exports it, or { "scenario": {…}, "name"?: "…", "credentials"?: { "<credential type>": "<id>" } }.
 * 201 { id, version, report }: the report lists, per Huginn agent, what it became and what needs attention.
 */
export const POST = apiRoute<Record<string, never>>(async (req, auth) => {
  const body = await readJsonBody(req);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new AppError('BAD_REQUEST', 'Send the Huginn scenario export (a JSON object with "agents").');
  const b = body as Record<string, unknown>;
  const wrapped = !('agents' in b) && 'scenario' in b;
  const credentials = wrapped && b.credentials && typeof b.credentials === 'object' ? (b.credentials as Record<string, string>) : undefined;
  const name = wrapped && typeof b.name === 'string' ? b.name : undefined;
  const created = await importHuginnScenario(auth.workspaceId, wrapped ? b.scenario : b, { name, credentials });
  return json(created, 201);
});
