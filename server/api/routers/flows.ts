import { z } from 'zod';
import { router, workspaceProcedure } from '../trpc';
import * as flows from '../../services/flows';
import { lastInputOfNode, testNode } from '../../services/dry-run';

const id = z.object({ id: z.string().uuid('That is not a valid flow id') });

export const flowsRouter = router({
  list: workspaceProcedure.query(({ ctx }) => flows.listFlows(ctx.workspaceId)),
  get: workspaceProcedure.input(id).query(({ ctx, input }) => flows.getFlow(ctx.workspaceId, input.id, ctx.publicUrl)),
  create: workspaceProcedure
    .input(z.object({ name: z.string().max(200), description: z.string().max(5_000).optional(), graph: z.unknown().optional() }))
    .mutation(({ ctx, input }) => flows.createFlow(ctx.workspaceId, input)),
  import: workspaceProcedure.input(z.unknown()).mutation(({ ctx, input }) => flows.importFlow(ctx.workspaceId, input)),
  export: workspaceProcedure.input(id).query(({ ctx, input }) => flows.exportFlow(ctx.workspaceId, input.id)),
  rename: workspaceProcedure
    .input(id.extend({ name: z.string().max(200) }))
    .mutation(({ ctx, input }) => flows.renameFlow(ctx.workspaceId, input.id, input.name)),
  setActive: workspaceProcedure
    .input(id.extend({ active: z.boolean() }))
    .mutation(({ ctx, input }) => flows.setFlowActive(ctx.workspaceId, input.id, input.active)),
  delete: workspaceProcedure.input(id).mutation(({ ctx, input }) => flows.deleteFlow(ctx.workspaceId, input.id)),
  saveGraph: workspaceProcedure
    .input(id.extend({ baseVersion: z.number().int().positive(), graph: z.unknown() }))
    .mutation(({ ctx, input }) => flows.saveFlowGraph(ctx.workspaceId, input)),
  /** "Test this node": runs one node on a sample event; nothing is saved. */
  testNode: workspaceProcedure
    .input(
      z.object({
        flowId: z.string().uuid().optional(),
        node: z.object({ id: z.string().min(1).max(64), type: z.string(), options: z.record(z.string(), z.unknown()) }),
        event: z.record(z.string(), z.unknown()),
      }),
    )
    .mutation(({ ctx, input }) => testNode(ctx.workspaceId, input)),
  lastInput: workspaceProcedure
    .input(z.object({ flowId: z.string().uuid(), nodeId: z.string().min(1).max(64) }))
    .query(({ ctx, input }) => lastInputOfNode(ctx.workspaceId, input.flowId, input.nodeId)),
});
