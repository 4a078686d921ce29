import { authRoute, signedOutResponse } from '@/server/api/auth-routes';
import { signOutEverywhere } from '@/server/auth/accounts';
import { resolveSession } from '@/server/auth/sessions';
import { AppError } from '@/server/errors';
import { SIGN_IN_MESSAGE } from '@/server/api/trpc';

export const dynamic = 'force-dynamic';

/** Ends every session of the signed-in account, on every device (this one too). */
export const POST = authRoute({ strict: true }, async (r) => {
  const session = await resolveSession(r.sessionToken);
  if (!session) throw new AppError('UNAUTHORIZED', SIGN_IN_MESSAGE);
  const ended = await signOutEverywhere(session.user, r.client);
  return signedOutResponse(r, { ok: true, ended });
});
