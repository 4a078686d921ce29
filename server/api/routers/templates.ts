import { z } from 'zod';
import { adminProcedure, builderProcedure, router, viewerProcedure } from '../trpc';
import * as templates from '../../services/templates';

const slug = z.object({ slug: z.string().trim().min(1).max(80) });
const flowId = z.object({ flowId: z.string().uuid('That is not a valid flow id') });

/**
 * The marketplace. Everything is scoped by ctx.workspaceId: a workspace sees shared templates and
 * its own, installs into itself, and publishes new versions only of templates it owns.
 */
export const templatesRouter = router({
  list: viewerProcedure
    .input(templates.listTemplatesInput.optional())
    .query(({ ctx, input }) => templates.listTemplates(ctx.workspaceId, input ?? {})),
  categories: viewerProcedure.query(({ ctx }) => templates.templateCategories(ctx.workspaceId)),
  get: viewerProcedure.input(slug).query(({ ctx, input }) => templates.getTemplate(ctx.workspaceId, input.slug)),
  install: builderProcedure
    .input(templates.installTemplateInput)
    .mutation(({ ctx, input }) => templates.installTemplate(ctx.workspaceId, input)),
  publish: adminProcedure
    .input(templates.publishTemplateInput)
    .mutation(({ ctx, input }) => templates.publishTemplate(ctx.workspaceId, input)),
  /** For a flow's page: was it installed from a template, and is there a newer version? */
  updateInfo: viewerProcedure.input(flowId).query(({ ctx, input }) => templates.templateUpdateInfo(ctx.workspaceId, input.flowId)),
  /** Every flow of the workspace whose template has a newer version. */
  /** The graph an update would produce (credentials and values kept), for the editor's diff; saves nothing. */
  updatePreview: viewerProcedure.input(flowId).query(({ ctx, input }) => templates.previewTemplateUpdate(ctx.workspaceId, input.flowId)),
  updates: viewerProcedure.query(({ ctx }) => templates.listTemplateUpdates(ctx.workspaceId)),
  applyUpdate: builderProcedure
    .input(templates.applyTemplateUpdateInput)
    .mutation(({ ctx, input }) => templates.applyTemplateUpdate(ctx.workspaceId, input)),
  importHuginn: builderProcedure
    .input(templates.importHuginnInput)
    .mutation(({ ctx, input }) => templates.importHuginnScenario(ctx.workspaceId, input.scenario, { name: input.name, credentials: input.credentials })),
});
