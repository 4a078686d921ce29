import { authRoute, signedInResponse, str } from '@/server/api/auth-routes';
import { signIn } from '@/server/auth/accounts';
import { deleteSession } from '@/server/auth/sessions';

export const dynamic = 'force-dynamic';

/** { email, password } → 200 and a new session cookie (any previous session of this browser ends). */
export const POST = authRoute({ strict: false }, async (r) => {
  const signedIn = await signIn({ email: str(r.body, 'email'), password: str(r.body, 'password') }, r.client);
  await deleteSession(r.sessionToken);
  return signedInResponse(r, signedIn);
});
