'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { useQuery } from '@tanstack/react-query';
import { Plus, Workflow } from 'lucide-react';
import { PageHeader } from '../app-shell/page-header';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import type { FlowSummary } from '../trpc/types';
import { Button } from '../ui/button';
import { EmptyState } from '../ui/empty-state';
import { ErrorNotice } from '../ui/error-notice';
import { PageSpinner } from '../ui/spinner';
import { useToast } from '../ui/toast';
import { DeleteFlowDialog } from './delete-flow-dialog';
import { FlowNameDialog } from './flow-name-dialog';
import { FlowRow } from './flow-row';
import { useCreateFlow, useDeleteFlow, useRenameFlow } from './use-flow-mutations';
import { useCan } from '../auth/account-context';

export function FlowList() {
  const trpc = useTRPC();
  const router = useRouter();
  const toast = useToast();
  const flows = useQuery(trpc.flows.list.queryOptions());
  const create = useCreateFlow();
  const rename = useRenameFlow();
  const remove = useDeleteFlow();
  // Viewers see flows but get no controls to change them (the server refuses them too).
  const canEdit = useCan('edit');
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<FlowSummary | null>(null);
  const [deleting, setDeleting] = useState<FlowSummary | null>(null);

  const newFlowButton = (
    <Button variant="primary" onClick={() => setCreating(true)} data-testid="new-flow">
      <Plus className="h-4 w-4" aria-hidden />
      New flow
    </Button>
  );

  return (
    <>
      <PageHeader title="Flows" description="Each flow starts from a trigger and passes events from step to step." actions={canEdit ? newFlowButton : undefined} />

      {flows.isPending && <PageSpinner label="Loading your flows…" />}
      {flows.isError && <ErrorNotice title="Your flows could not be loaded." error={flows.error} />}
      {flows.data?.length === 0 && (
        <EmptyState
          icon={Workflow}
          title="Create your first flow"
          testId="flows-empty"
          action={
            canEdit && (
              <Button variant="primary" onClick={() => setCreating(true)} data-testid="create-first-flow">
                <Plus className="h-4 w-4" aria-hidden />
                Create your first flow
              </Button>
            )
          }
        >
          A flow connects your tools: something happens (a webhook arrives, you press Run) and Muninn does the next steps for
          you — call an API, reshape the data, decide what passes on.
        </EmptyState>
      )}
      {flows.data && flows.data.length > 0 && (
        <ul className="space-y-2" aria-label="Flows" data-testid="flow-list">
          {flows.data.map((flow) => (
            <FlowRow key={flow.id} flow={flow} onRename={setRenaming} onDelete={setDeleting} />
          ))}
        </ul>
      )}

      <FlowNameDialog
        open={creating}
        onClose={() => setCreating(false)}
        title="New flow"
        submitLabel="Create flow"
        testId="create-flow-dialog"
        pending={create.isPending}
        error={create.error ? errorMessage(create.error) : null}
        onSubmit={(name) =>
          create.mutate(
            { name },
            {
              onSuccess: ({ id }) => {
                setCreating(false);
                router.push(`/flows/${id}`);
              },
            },
          )
        }
      />
      <FlowNameDialog
        open={renaming !== null}
        onClose={() => setRenaming(null)}
        title="Rename flow"
        submitLabel="Rename"
        initialName={renaming?.name}
        testId="rename-flow-dialog"
        pending={rename.isPending}
        onSubmit={(name) => renaming && rename.mutate({ id: renaming.id, name }, { onSuccess: () => setRenaming(null) })}
      />
      <DeleteFlowDialog
        flow={deleting}
        pending={remove.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={(id) =>
          remove.mutate(
            { id },
            {
              onSuccess: () => {
                toast.show({ tone: 'success', message: `Deleted “${deleting?.name ?? 'the flow'}”.` });
                setDeleting(null);
              },
            },
          )
        }
      />
    </>
  );
}
