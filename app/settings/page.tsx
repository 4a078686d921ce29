import type { Metadata } from 'next';
import { Settings } from 'lucide-react';
import { PageBody, PageHeader } from '@/components/app-shell/page-header';
import { EmptyState } from '@/components/ui/empty-state';

export const metadata: Metadata = { title: 'Settings' };

export default function SettingsPage() {
  return (
    <PageBody>
      <PageHeader title="Settings" description="Your workspace, members and saved credentials." />
      <EmptyState icon={Settings} title="Nothing to set up yet">
        <p>Credentials (API tokens and passwords for your tools) and workspace members will be managed here.</p>
      </EmptyState>
    </PageBody>
  );
}
