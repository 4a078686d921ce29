import { apiRoute, json } from '@/server/api/rest';
import { exportFlow } from '@/server/services/flows';
import { uuidOrNotFound } from '@/server/api/ids';

export const dynamic = 'force-dynamic';

/** Export a flow in the portable format. */
export const GET = apiRoute<{ id: string }>(async (_req, auth, { id }) => {
  return json(await exportFlow(auth.workspaceId, uuidOrNotFound(id, 'This flow')));
});
