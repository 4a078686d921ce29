import { z } from 'zod';
import { builderProcedure, router, viewerProcedure } from '../trpc';
import * as flows from '../../services/flows';
import { MAX_CONCURRENT_RUNS, setFlowConcurrency } from '../../services/concurrency';
import { lastInputOfNode, testNode } from '../../services/dry-run';

const id = z.object({ id: z.string().uuid('That is not a valid flow id') });
const limitMessage = `Enter a whole number from 1 to ${MAX_CONCURRENT_RUNS} for how many runs may run at the same time, or leave it empty for no limit.`;
const concurrencyLimit = z.number(limitMessage).int(limitMessage).min(1, limitMessage).max(MAX_CONCURRENT_RUNS, limitMessage).nullable();

export const flowsRouter = router({
  list: viewerProcedure.query(({ ctx }) => flows.listFlows(ctx.workspaceId)),
  get: viewerProcedure.input(id).query(({ ctx, input }) => flows.getFlow(ctx.workspaceId, input.id, ctx.publicUrl)),
  create: builderProcedure
    .input(z.object({ name: z.string().max(200), description: z.string().max(5_000).optional(), graph: z.unknown().optional() }))
    .mutation(({ ctx, input }) => flows.createFlow(ctx.workspaceId, input)),
  import: builderProcedure.input(z.unknown()).mutation(({ ctx, input }) => flows.importFlow(ctx.workspaceId, input)),
  export: viewerProcedure.input(id).query(({ ctx, input }) => flows.exportFlow(ctx.workspaceId, input.id)),
  rename: builderProcedure
    .input(id.extend({ name: z.string().max(200) }))
    .mutation(({ ctx, input }) => flows.renameFlow(ctx.workspaceId, input.id, input.name)),
  setActive: builderProcedure
    .input(id.extend({ active: z.boolean() }))
    .mutation(({ ctx, input }) => flows.setFlowActive(ctx.workspaceId, input.id, input.active)),
  /** "Run at most N at a time": null removes the limit. */
  setConcurrency: builderProcedure
    .input(id.extend({ maxConcurrentRuns: concurrencyLimit }))
    .mutation(({ ctx, input }) => setFlowConcurrency(ctx.workspaceId, input.id, input.maxConcurrentRuns)),
  delete: builderProcedure.input(id).mutation(({ ctx, input }) => flows.deleteFlow(ctx.workspaceId, input.id)),
  saveGraph: builderProcedure
    .input(id.extend({ baseVersion: z.number().int().positive(), graph: z.unknown(), restoredFrom: z.number().int().positive().optional() }))
    .mutation(({ ctx, input }) => flows.saveFlowGraph(ctx.workspaceId, input)),
  /** Saved versions, newest first, for the editor's Versions panel. */
  versions: viewerProcedure.input(id).query(({ ctx, input }) => flows.listFlowVersions(ctx.workspaceId, input.id)),
  version: viewerProcedure
    .input(id.extend({ version: z.number().int().positive() }))
    .query(({ ctx, input }) => flows.getFlowVersion(ctx.workspaceId, input.id, input.version)),
  /** Checks a portable flow the way import and save would; nothing is saved. */
  checkImport: builderProcedure.input(z.unknown()).mutation(({ input }) => flows.checkPortableFlow(input)),
  /** "Test this node": runs one node on a sample event; nothing is saved. */
  testNode: builderProcedure
    .input(
      z.object({
        flowId: z.string().uuid().optional(),
        node: z.object({ id: z.string().min(1).max(64), type: z.string(), options: z.record(z.string(), z.unknown()) }),
        event: z.record(z.string(), z.unknown()),
      }),
    )
    .mutation(({ ctx, input }) => testNode(ctx.workspaceId, input)),
  lastInput: viewerProcedure
    .input(z.object({ flowId: z.string().uuid(), nodeId: z.string().min(1).max(64) }))
    .query(({ ctx, input }) => lastInputOfNode(ctx.workspaceId, input.flowId, input.nodeId)),
});
