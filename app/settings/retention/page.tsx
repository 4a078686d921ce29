import { Suspense } from 'react';
import type { Metadata } from 'next';
import { RetentionSettings } from '@/components/monitoring/retention-settings';
import { PageSpinner } from '@/components/ui/spinner';

export const metadata: Metadata = { title: 'Data retention' };

export default function RetentionPage() {
  return (
    <Suspense fallback={<PageSpinner />}>
      <RetentionSettings />
    </Suspense>
  );
}
