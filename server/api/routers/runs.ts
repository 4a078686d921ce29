import { z } from 'zod';
import { builderProcedure, router, viewerProcedure } from '../trpc';
import * as runs from '../../services/runs';

const runId = z.object({ id: z.string().uuid('That is not a valid run id') });

export const runsRouter = router({
  start: builderProcedure
    .input(z.object({ flowId: z.string().uuid('That is not a valid flow id'), payload: z.record(z.string(), z.unknown()).optional() }))
    .mutation(({ ctx, input }) => runs.startRun(ctx.workspaceId, { flowId: input.flowId, triggerKind: 'manual', payload: input.payload })),
  listForFlow: viewerProcedure
    .input(z.object({ flowId: z.string().uuid(), limit: z.number().int().min(1).max(100).optional(), cursor: z.string().uuid().nullish() }))
    .query(({ ctx, input }) => runs.listRunsForFlow(ctx.workspaceId, input)),
  get: viewerProcedure.input(runId).query(({ ctx, input }) => runs.getRun(ctx.workspaceId, input.id)),
  cancel: builderProcedure.input(runId).mutation(({ ctx, input }) => runs.cancelRun(ctx.workspaceId, input.id)),
  retryFromFailure: builderProcedure.input(runId).mutation(({ ctx, input }) => runs.retryRunFromFailure(ctx.workspaceId, input.id)),
  rerun: builderProcedure.input(runId).mutation(({ ctx, input }) => runs.rerun(ctx.workspaceId, input.id)),
});
