import type { Metadata } from 'next';
import { PageBody } from '@/components/app-shell/page-header';
import { TemplateDetailView } from '@/components/templates/template-detail';

export const metadata: Metadata = { title: 'Template' };

export default async function TemplatePage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return (
    <PageBody>
      <TemplateDetailView slug={slug} />
    </PageBody>
  );
}
