import type { Metadata } from 'next';
import Link from 'next/link';
import { LayoutTemplate } from 'lucide-react';
import { PageBody, PageHeader } from '@/components/app-shell/page-header';
import { EmptyState } from '@/components/ui/empty-state';

export const metadata: Metadata = { title: 'Templates' };

export default function TemplatesPage() {
  return (
    <PageBody>
      <PageHeader title="Templates" description="Ready-made flows you can install and adapt." />
      <EmptyState icon={LayoutTemplate} title="Templates are coming soon" testId="templates-empty">
        <p>
          Soon you will be able to start from a ready-made flow — for example “New JIRA issue → ticket in your PSA tool” — and
          share your own flows with your team.
        </p>
        <p className="mt-3">
          Until then, build a flow from scratch: it takes a trigger and one or two steps.{' '}
          <Link href="/flows" className="font-medium text-indigo-600 underline dark:text-indigo-400">
            Go to your flows
          </Link>
        </p>
      </EmptyState>
    </PageBody>
  );
}
