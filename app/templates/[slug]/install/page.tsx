import type { Metadata } from 'next';
import { PageBody } from '@/components/app-shell/page-header';
import { InstallWizard } from '@/components/templates/install-wizard';

export const metadata: Metadata = { title: 'Install a template' };

export default async function InstallTemplatePage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return (
    <PageBody>
      <InstallWizard slug={slug} />
    </PageBody>
  );
}
