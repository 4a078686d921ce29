'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The flow a monitoring page is narrowed to, kept in the address (`?flow=…`) so the view can be
 * shared and survives a reload. Anything that is not a flow id counts as "all flows".
 */
export function useFlowParam() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const raw = params.get('flow');
  const flowId = raw && UUID.test(raw) ? raw : undefined;

  // A filter changes the view, not the page: no new history entry, no jump to the top.
  const replaceQuery = (query: URLSearchParams) => {
    const qs = query.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };
  const setFlow = (id: string | null) => replaceQuery(new URLSearchParams(id ? { flow: id } : {}));

  return { flowId, params, setFlow, replaceQuery };
}
