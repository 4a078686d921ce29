import { authRoute, signedInResponse, str } from '@/server/api/auth-routes';
import { resetPassword } from '@/server/auth/accounts';

export const dynamic = 'force-dynamic';

/** { token, password } → 200, signed in with the new password; every other session has ended. */
export const POST = authRoute({ strict: false }, async (r) => {
  const signedIn = await resetPassword({ token: str(r.body, 'token'), password: str(r.body, 'password') }, r.client);
  return signedInResponse(r, signedIn);
});
