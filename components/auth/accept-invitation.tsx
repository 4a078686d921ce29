'use client';

import { useMutation } from '@tanstack/react-query';
import { Button } from '../ui/button';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import { FormError } from './form-error';
import { fullReload } from './full-reload';

export function AcceptInvitation({ token, workspaceName }: { token: string; workspaceName: string }) {
  const trpc = useTRPC();
  const accept = useMutation(
    trpc.workspaces.acceptInvitation.mutationOptions({
      // The invited workspace is now the active one (cookie set by the server): start over there.
      onSuccess: () => fullReload('/flows'),
    }),
  );
  return (
    <div className="space-y-4">
      <FormError message={accept.error ? errorMessage(accept.error) : null} />
      <Button variant="primary" className="w-full justify-center" disabled={accept.isPending} onClick={() => accept.mutate({ token })} data-testid="accept-invitation">
        {accept.isPending ? 'Joining…' : `Join “${workspaceName}”`}
      </Button>
    </div>
  );
}
