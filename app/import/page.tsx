import type { Metadata } from 'next';
import { PageBody } from '@/components/app-shell/page-header';
import { HuginnImport } from '@/components/templates/huginn-import';

export const metadata: Metadata = { title: 'Import from Huginn' };

export default function ImportPage() {
  return (
    <PageBody>
      <HuginnImport />
    </PageBody>
  );
}
