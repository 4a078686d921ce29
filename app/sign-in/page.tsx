import type { Metadata } from 'next';
import Link from 'next/link';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { AuthCard } from '@/components/auth/auth-card';
import { SignInForm } from '@/components/auth/sign-in-form';
import { safeNext } from '@/components/auth/public-pages';
import { pageAccount } from '@/server/auth/page-session';
import { isFirstRun } from '@/server/auth/accounts';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  const store = await cookies();
  if (await pageAccount((name) => store.get(name)?.value)) redirect(safeNext(next));
  if (await isFirstRun()) redirect('/sign-up');
  const signUp = next?.startsWith('/invite/') ? `/sign-up?invite=${encodeURIComponent(next.slice('/invite/'.length))}` : '/sign-up';
  return (
    <AuthCard
      title="Sign in to Muninn"
      footer={
        <>
          New here?{' '}
          <Link href={signUp} className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
            Create an account
          </Link>
        </>
      }
    >
      <SignInForm next={next} />
    </AuthCard>
  );
}
