import { z } from 'zod';
import { router, signedInProcedure } from '../trpc';
import * as account from '../../auth/accounts';

/** The signed-in person's own account. Sign-in and sign-out are route handlers (app/api/auth/*): they set cookies. */
export const accountRouter = router({
  me: signedInProcedure.query(({ ctx }) => ctx.user),
  changePassword: signedInProcedure
    .input(z.object({ currentPassword: z.string().max(300), newPassword: z.string().max(300) }))
    .mutation(({ ctx, input }) => account.changePassword(ctx.user, input, { ip: ctx.ip ?? 'unknown' }, ctx.sessionId ?? undefined)),
});
