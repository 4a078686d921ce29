import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthCard } from '@/components/auth/auth-card';
import { ChooseNewPasswordForm, RequestResetForm } from '@/components/auth/reset-forms';

export const metadata: Metadata = { title: 'Reset your password' };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  const back = (
    <Link href="/sign-in" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
      Back to sign in
    </Link>
  );
  if (token) {
    return (
      <AuthCard title="Choose a new password" footer={back}>
        <ChooseNewPasswordForm token={token} />
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Reset your password" description="Enter the email of your account. We will send you a link to choose a new password." footer={back}>
      <RequestResetForm />
    </AuthCard>
  );
}
