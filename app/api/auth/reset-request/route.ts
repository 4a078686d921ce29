import { authRoute, str } from '@/server/api/auth-routes';
import { json } from '@/server/api/rest';
import { requestPasswordReset } from '@/server/auth/accounts';

export const dynamic = 'force-dynamic';

/** { email } → 202 whether or not the address has an account (the mail says the rest). */
export const POST = authRoute({ strict: false }, async (r) => {
  await requestPasswordReset(str(r.body, 'email'), r.client, r.publicUrl);
  return json({ ok: true }, 202);
});
