import { z } from 'zod';
import { builderProcedure, router, viewerProcedure } from '../trpc';
import * as credentials from '../../services/credentials';

const id = z.object({ id: z.string().uuid('That is not a valid credential id') });

/**
 * Credentials of the current workspace. No procedure ever returns the value of a secret field.
 * Builders create credentials and change or delete their own; admins and owners any.
 */
export const credentialsRouter = router({
  list: viewerProcedure.query(({ ctx }) => credentials.listCredentials(ctx.workspaceId)),
  types: viewerProcedure.query(() => credentials.credentialTypeCatalog()),
  get: viewerProcedure.input(id).query(({ ctx, input }) => credentials.getCredential(ctx.workspaceId, input.id)),
  create: builderProcedure
    .input(credentials.createCredentialInput)
    .mutation(({ ctx, input }) => credentials.createCredential(ctx.workspaceId, input)),
  update: builderProcedure
    .input(id.extend(credentials.updateCredentialInput.shape))
    .mutation(async ({ ctx, input: { id, ...changes } }) => {
      await credentials.assertMayManageCredential(ctx.workspaceId, id, { userId: ctx.user.id, role: ctx.role });
      return credentials.updateCredential(ctx.workspaceId, id, changes);
    }),
  delete: builderProcedure.input(id).mutation(async ({ ctx, input }) => {
    await credentials.assertMayManageCredential(ctx.workspaceId, input.id, { userId: ctx.user.id, role: ctx.role });
    return credentials.deleteCredential(ctx.workspaceId, input.id);
  }),
  test: builderProcedure.input(id).mutation(({ ctx, input }) => credentials.testCredential(ctx.workspaceId, input.id)),
});
