'use client';

import { TriangleAlert } from 'lucide-react';
import { PageBody } from '@/components/app-shell/page-header';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';

export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <PageBody>
      <EmptyState
        icon={TriangleAlert}
        title="Something went wrong on this page"
        action={
          <Button variant="primary" onClick={reset}>
            Try again
          </Button>
        }
      >
        <p>Your saved flows are safe. Try again, or reload the page if it keeps happening.</p>
      </EmptyState>
    </PageBody>
  );
}
