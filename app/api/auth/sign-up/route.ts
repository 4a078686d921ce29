import { authRoute, signedInResponse, str } from '@/server/api/auth-routes';
import { signUp } from '@/server/auth/accounts';

export const dynamic = 'force-dynamic';

/** { email, name, password, invite? } → 201 and the session cookie. */
export const POST = authRoute({ strict: false }, async (r) => {
  const invite = str(r.body, 'invite');
  const signedIn = await signUp({ email: str(r.body, 'email'), name: str(r.body, 'name'), password: str(r.body, 'password'), ...(invite ? { invite } : {}) }, r.client);
  return signedInResponse(r, signedIn, 201);
});
