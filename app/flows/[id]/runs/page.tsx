import type { Metadata } from 'next';
import { PageBody } from '@/components/app-shell/page-header';
import { FlowRunsView } from '@/components/runs/flow-runs-view';

export const metadata: Metadata = { title: 'Runs' };

export default async function FlowRunsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <PageBody>
      <FlowRunsView flowId={id} />
    </PageBody>
  );
}
