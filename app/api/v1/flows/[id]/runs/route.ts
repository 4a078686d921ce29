import { apiRoute, json, readJsonBody } from '@/server/api/rest';
import { startRun } from '@/server/services/runs';
import { uuidOrNotFound } from '@/server/api/ids';

export const dynamic = 'force-dynamic';

/** Start a run; the body is the trigger event. */
export const POST = apiRoute<{ id: string }>(async (req, auth, { id }) => {
  const payload = await readJsonBody(req);
  const { runId } = await startRun(auth.workspaceId, { flowId: uuidOrNotFound(id, 'This flow'), triggerKind: 'api', payload });
  return json({ runId }, 202);
});
