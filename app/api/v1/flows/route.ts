import { apiRoute, json, readJsonBody } from '@/server/api/rest';
import { importFlow } from '@/server/services/flows';

export const dynamic = 'force-dynamic';

/** Import a flow in the portable format. */
export const POST = apiRoute<Record<string, never>>(async (req, auth) => {
  const body = await readJsonBody(req);
  const created = await importFlow(auth.workspaceId, body);
  return json(created, 201);
});
