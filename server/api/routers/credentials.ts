import { z } from 'zod';
import { router, workspaceProcedure } from '../trpc';
import * as credentials from '../../services/credentials';

const id = z.object({ id: z.string().uuid('That is not a valid credential id') });

/** Credentials of the current workspace. No procedure ever returns the value of a secret field. */
export const credentialsRouter = router({
  list: workspaceProcedure.query(({ ctx }) => credentials.listCredentials(ctx.workspaceId)),
  types: workspaceProcedure.query(() => credentials.credentialTypeCatalog()),
  get: workspaceProcedure.input(id).query(({ ctx, input }) => credentials.getCredential(ctx.workspaceId, input.id)),
  create: workspaceProcedure
    .input(credentials.createCredentialInput)
    .mutation(({ ctx, input }) => credentials.createCredential(ctx.workspaceId, input)),
  update: workspaceProcedure
    .input(id.extend(credentials.updateCredentialInput.shape))
    .mutation(({ ctx, input: { id, ...changes } }) => credentials.updateCredential(ctx.workspaceId, id, changes)),
  delete: workspaceProcedure.input(id).mutation(({ ctx, input }) => credentials.deleteCredential(ctx.workspaceId, input.id)),
  test: workspaceProcedure.input(id).mutation(({ ctx, input }) => credentials.testCredential(ctx.workspaceId, input.id)),
});
