import type { Metadata } from 'next';
import Link from 'next/link';
import { cookies } from 'next/headers';
import { AuthCard } from '@/components/auth/auth-card';
import { AcceptInvitation } from '@/components/auth/accept-invitation';
import { ROLE_HELP, ROLE_LABELS } from '@/components/auth/permissions';
import { pageAccount } from '@/server/auth/page-session';
import { previewInvitation } from '@/server/services/members';
import { isAppError } from '@/server/errors';

export const metadata: Metadata = { title: 'Invitation' };

const linkClass = 'font-medium text-indigo-600 hover:underline dark:text-indigo-400';

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  let invitation;
  try {
    invitation = await previewInvitation(token);
  } catch (e) {
    return (
      <AuthCard title="This invitation cannot be used" footer={<Link href="/flows" className={linkClass}>Go to Muninn</Link>}>
        <p className="text-sm text-slate-700 dark:text-slate-300">{isAppError(e) ? e.message : 'Something went wrong. Please try again.'}</p>
      </AuthCard>
    );
  }
  const store = await cookies();
  const account = await pageAccount((name) => store.get(name)?.value);
  const description = (
    <>
      {invitation.invitedBy ? `${invitation.invitedBy} invited` : 'You are invited'} <strong>{invitation.email}</strong> to join <strong>{invitation.workspaceName}</strong> as{' '}
      {ROLE_LABELS[invitation.role]}. {ROLE_HELP[invitation.role]}
    </>
  );
  const here = `/invite/${encodeURIComponent(token)}`;
  if (!account) {
    return (
      <AuthCard title={`Join “${invitation.workspaceName}”`} description={description}>
        <div className="space-y-3 text-sm">
          <Link href={`/sign-up?invite=${encodeURIComponent(token)}`} className="flex h-9 items-center justify-center rounded-lg bg-indigo-600 font-medium text-white hover:bg-indigo-500">
            Create an account to join
          </Link>
          <p className="text-center">
            Already have an account?{' '}
            <Link href={`/sign-in?next=${encodeURIComponent(here)}`} className={linkClass}>
              Sign in to accept
            </Link>
          </p>
        </div>
      </AuthCard>
    );
  }
  const otherAddress = account.user.email !== invitation.email;
  return (
    <AuthCard title={`Join “${invitation.workspaceName}”`} description={description}>
      {otherAddress ? (
        <p className="text-sm text-slate-700 dark:text-slate-300">
          You are signed in as <strong>{account.user.email}</strong>, but this invitation is for <strong>{invitation.email}</strong>. Sign out and sign in (or create
          an account) with that address to accept it.
        </p>
      ) : (
        <AcceptInvitation token={token} workspaceName={invitation.workspaceName} />
      )}
    </AuthCard>
  );
}
