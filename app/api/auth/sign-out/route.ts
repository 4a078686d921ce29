import { authRoute, signedOutResponse } from '@/server/api/auth-routes';
import { deleteSession } from '@/server/auth/sessions';

export const dynamic = 'force-dynamic';

/** Ends this browser's session. */
export const POST = authRoute({ strict: true }, async (r) => {
  await deleteSession(r.sessionToken);
  return signedOutResponse(r);
});
