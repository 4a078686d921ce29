import type { Metadata } from 'next';
import { PageBody } from '@/components/app-shell/page-header';
import { AllRunsView } from '@/components/runs/all-runs-view';

export const metadata: Metadata = { title: 'Runs' };

export default function RunsPage() {
  return (
    <PageBody>
      <AllRunsView />
    </PageBody>
  );
}
