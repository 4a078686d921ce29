import { Suspense } from 'react';
import type { Metadata } from 'next';
import { PageBody } from '@/components/app-shell/page-header';
import { Dashboard } from '@/components/monitoring/dashboard';
import { PageSpinner } from '@/components/ui/spinner';

export const metadata: Metadata = { title: 'Dashboard' };

export default function DashboardPage() {
  return (
    <PageBody>
      <Suspense fallback={<PageSpinner label="Loading the dashboard…" />}>
        <Dashboard />
      </Suspense>
    </PageBody>
  );
}
