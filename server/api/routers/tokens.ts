import { z } from 'zod';
import { adminProcedure, router } from '../trpc';
import * as tokens from '../../services/api-tokens';

/** API tokens of the active workspace, for /api/v1. Admins only. */
export const tokensRouter = router({
  list: adminProcedure.query(({ ctx }) => tokens.listApiTokens(ctx.workspaceId)),
  /** The token is in the answer once; it cannot be shown again. */
  create: adminProcedure
    .input(
      z.object({
        name: z.string().max(200),
        role: z.enum(['viewer', 'builder', 'admin'], { error: 'Choose a role: viewer, builder or admin' }),
        expiresInDays: z.number().int().nullish(),
      }),
    )
    .mutation(({ ctx, input }) => tokens.createApiToken(ctx.workspaceId, { userId: ctx.user.id, role: ctx.role }, input)),
  revoke: adminProcedure
    .input(z.object({ id: z.string().uuid('That is not a valid token id') }))
    .mutation(({ ctx, input }) => tokens.revokeApiToken(ctx.workspaceId, input.id)),
});
