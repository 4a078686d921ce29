import Link from 'next/link';
import { Compass } from 'lucide-react';
import { PageBody } from '@/components/app-shell/page-header';
import { EmptyState } from '@/components/ui/empty-state';

export default function NotFound() {
  return (
    <PageBody>
      <EmptyState icon={Compass} title="This page does not exist">
        <p>
          The link may be old, or what it pointed to was deleted.{' '}
          <Link href="/flows" className="font-medium text-indigo-600 underline dark:text-indigo-400">
            Back to your flows
          </Link>
        </p>
      </EmptyState>
    </PageBody>
  );
}
