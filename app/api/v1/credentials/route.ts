import { apiRoute, json, readJsonBody } from '@/server/api/rest';
import { createCredential, type CreateCredentialInput } from '@/server/services/credentials';

export const dynamic = 'force-dynamic';

/** Create a credential: `{ "type", "name", "data" }` → 201 `{ "id" }`. Its data is never returned. */
export const POST = apiRoute<Record<string, never>>(async (req, auth) => {
  // Validated field by field by the service; a wrong shape is a 400 naming the field.
  const body = (await readJsonBody(req)) as CreateCredentialInput;
  const created = await createCredential(auth.workspaceId, body);
  return json(created, 201);
});
