import { apiRoute, json } from '@/server/api/rest';
import { getRun } from '@/server/services/runs';
import { uuidOrNotFound } from '@/server/api/ids';

export const dynamic = 'force-dynamic';

/** A run with its steps. */
export const GET = apiRoute<{ id: string }>(async (_req, auth, { id }) => {
  const run = await getRun(auth.workspaceId, uuidOrNotFound(id, 'This run'));
  return json({
    id: run.id,
    flowId: run.flowId,
    status: run.status,
    error: run.error,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    steps: run.steps.map((s) => ({
      nodeId: s.nodeId,
      status: s.status,
      attempt: s.attempt,
      input: s.input,
      output: s.outputs,
      logs: s.logs,
      error: s.error,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
    })),
  });
});
