import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthCard } from '@/components/auth/auth-card';
import { SignUpForm } from '@/components/auth/sign-up-form';
import { isFirstRun } from '@/server/auth/accounts';
import { previewInvitation } from '@/server/services/members';
import { env } from '@/server/env';

export const metadata: Metadata = { title: 'Create an account' };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ invite?: string }> }) {
  const { invite } = await searchParams;
  const firstRun = await isFirstRun();
  const invitation = invite ? await previewInvitation(invite).catch(() => null) : null;
  const closed = !firstRun && !invitation && env().MUNINN_ALLOW_SIGNUP === 'false';
  const footer = (
    <>
      Already have an account?{' '}
      <Link href={invite ? `/sign-in?next=${encodeURIComponent(`/invite/${invite}`)}` : '/sign-in'} className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
        Sign in
      </Link>
    </>
  );
  if (firstRun) {
    return (
      <AuthCard
        title="Create the first account"
        description="Nobody has signed up on this Muninn yet. The first account becomes the owner of the existing workspace, with every flow already in it. You can invite your team afterwards."
      >
        <SignUpForm firstRun />
      </AuthCard>
    );
  }
  if (closed) {
    return (
      <AuthCard title="Accounts are by invitation" description="On this Muninn, new accounts need an invitation. Ask an admin of your workspace to invite you by email." footer={footer}>
        <p className="text-sm text-slate-600 dark:text-slate-400">The invitation mail contains a link that brings you back here.</p>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title={invitation ? `Join “${invitation.workspaceName}”` : 'Create your account'}
      description={invitation ? `You were invited as ${invitation.role}. Create your account to accept.` : 'You get a workspace of your own; you can invite others to it or join theirs.'}
      footer={footer}
    >
      <SignUpForm firstRun={false} invite={invitation ? invite : undefined} email={invitation?.email} />
    </AuthCard>
  );
}
