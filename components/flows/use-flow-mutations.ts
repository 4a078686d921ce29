'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import { useToast } from '../ui/toast';

/** Keeps the flow list and the open flow fresh after any change to a flow. */
function useInvalidateFlow() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return (id: string) =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.flows.get.queryKey({ id }) }),
    ]);
}

export function useCreateFlow() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.flows.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() }),
    }),
  );
}

export function useRenameFlow() {
  const trpc = useTRPC();
  const invalidate = useInvalidateFlow();
  const toast = useToast();
  return useMutation(
    trpc.flows.rename.mutationOptions({
      onSuccess: (_data, input) => invalidate(input.id),
      onError: (error) => toast.show({ tone: 'error', message: errorMessage(error) }),
    }),
  );
}

export function useSetFlowActive() {
  const trpc = useTRPC();
  const invalidate = useInvalidateFlow();
  const toast = useToast();
  return useMutation(
    trpc.flows.setActive.mutationOptions({
      onSuccess: (_data, input) => {
        toast.show({
          tone: 'success',
          message: input.active ? 'The flow is active: its triggers now start runs.' : 'The flow is paused: its triggers no longer start runs.',
        });
        return invalidate(input.id);
      },
      onError: (error) => toast.show({ tone: 'error', message: errorMessage(error) }),
    }),
  );
}

export function useDeleteFlow() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation(
    trpc.flows.delete.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() }),
      onError: (error) => toast.show({ tone: 'error', message: errorMessage(error) }),
    }),
  );
}
