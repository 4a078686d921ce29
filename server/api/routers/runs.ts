import { z } from 'zod';
import { router, workspaceProcedure } from '../trpc';
import * as runs from '../../services/runs';

const runId = z.object({ id: z.string().uuid('That is not a valid run id') });

export const runsRouter = router({
  start: workspaceProcedure
    .input(z.object({ flowId: z.string().uuid('That is not a valid flow id'), payload: z.record(z.string(), z.unknown()).optional() }))
    .mutation(({ ctx, input }) => runs.startRun(ctx.workspaceId, { flowId: input.flowId, triggerKind: 'manual', payload: input.payload })),
  listForFlow: workspaceProcedure
    .input(z.object({ flowId: z.string().uuid(), limit: z.number().int().min(1).max(100).optional(), cursor: z.string().uuid().nullish() }))
    .query(({ ctx, input }) => runs.listRunsForFlow(ctx.workspaceId, input)),
  get: workspaceProcedure.input(runId).query(({ ctx, input }) => runs.getRun(ctx.workspaceId, input.id)),
  cancel: workspaceProcedure.input(runId).mutation(({ ctx, input }) => runs.cancelRun(ctx.workspaceId, input.id)),
  retryFromFailure: workspaceProcedure.input(runId).mutation(({ ctx, input }) => runs.retryRunFromFailure(ctx.workspaceId, input.id)),
  rerun: workspaceProcedure.input(runId).mutation(({ ctx, input }) => runs.rerun(ctx.workspaceId, input.id)),
});
