import { Suspense } from 'react';
import type { Metadata } from 'next';
import { AlertsSettings } from '@/components/monitoring/alerts-settings';
import { PageSpinner } from '@/components/ui/spinner';

export const metadata: Metadata = { title: 'Alerts' };

export default function AlertsPage() {
  return (
    <Suspense fallback={<PageSpinner />}>
      <AlertsSettings />
    </Suspense>
  );
}
