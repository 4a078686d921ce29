import type { ReactNode } from 'react';
import { PageBody, PageHeader } from '@/components/app-shell/page-header';
import { SettingsNav } from '@/components/settings/settings-nav';

export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <PageBody>
      <PageHeader title="Settings" description="Your workspace, its members, API tokens and audit log." />
      <div className="flex flex-col gap-6 md:flex-row">
        <SettingsNav />
        <div className="min-w-0 flex-1">{children}</div>
      </div>
    </PageBody>
  );
}
