import type { Metadata } from 'next';
import { CredentialsSettings } from '@/components/credentials/credentials-settings';

export const metadata: Metadata = { title: 'Credentials' };

export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { new: newType } = await searchParams;
  return <CredentialsSettings newType={typeof newType === 'string' ? newType : undefined} />;
}
