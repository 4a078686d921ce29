import type { Metadata } from 'next';
import { PageBody } from '@/components/app-shell/page-header';
import { FlowList } from '@/components/flows/flow-list';

export const metadata: Metadata = { title: 'Flows' };

export default function FlowsPage() {
  return (
    <PageBody>
      <FlowList />
    </PageBody>
  );
}
