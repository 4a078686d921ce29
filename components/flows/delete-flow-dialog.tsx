'use client';

import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';

interface DeleteFlowDialogProps {
  flow: { id: string; name: string } | null;
  pending: boolean;
  onCancel: () => void;
  onConfirm: (id: string) => void;
}

/** Deleting removes the flow and its run history for good, so it is the one action we confirm. */
export function DeleteFlowDialog({ flow, pending, onCancel, onConfirm }: DeleteFlowDialogProps) {
  return (
    <Dialog
      open={flow !== null}
      onClose={onCancel}
      title={`Delete “${flow?.name ?? ''}”?`}
      testId="delete-flow-dialog"
      description="The flow, its webhook addresses and its run history will be removed for good. This cannot be undone."
      footer={
        <>
          <Button onClick={onCancel}>Keep it</Button>
          <Button variant="danger" disabled={pending} onClick={() => flow && onConfirm(flow.id)} data-testid="delete-flow-confirm">
            {pending ? 'Deleting…' : 'Delete flow'}
          </Button>
        </>
      }
    />
  );
}
