'use client';

import { useMemo, useState, type FormEvent } from 'react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Download, ScrollText } from 'lucide-react';
import { useTRPC } from '../trpc/client';
import { useCan } from '../auth/account-context';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { Select } from '../ui/select';
import { EmptyState } from '../ui/empty-state';
import { ErrorNotice } from '../ui/error-notice';
import { PageSpinner } from '../ui/spinner';
import { formatDateTime, formatRelative } from '../ui/format';
import { NeedsRole } from './settings-nav';

interface Filters {
  action?: string;
  actor?: string;
  target?: string;
  from?: string;
  to?: string;
}

function describeDetails(details: unknown): string {
  if (!details || typeof details !== 'object') return '';
  const d = details as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof d.from === 'string' && typeof d.to === 'string') parts.push(`${d.from} → ${d.to}`);
  else if (typeof d.role === 'string') parts.push(`as ${d.role}`);
  if (typeof d.version === 'number') parts.push(`version ${d.version}`);
  if (typeof d.ok === 'boolean') parts.push(d.ok ? 'connection worked' : 'connection failed');
  if (typeof d.until === 'string') parts.push(`until ${formatDateTime(new Date(d.until))}`);
  return parts.join(', ');
}

export function AuditSettings() {
  const admin = useCan('manage');
  if (!admin) return <NeedsRole what="Only admins and owners can read the audit log." />;
  return <AuditLog />;
}

function AuditLog() {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<Filters>({});
  const groups = useQuery(trpc.audit.groups.queryOptions());
  const query = useMemo(
    () => ({
      ...(filters.action ? { action: filters.action } : {}),
      ...(filters.actor ? { actor: filters.actor } : {}),
      ...(filters.target ? { target: filters.target } : {}),
      ...(filters.from ? { from: new Date(`${filters.from}T00:00:00`) } : {}),
      ...(filters.to ? { to: new Date(`${filters.to}T23:59:59.999`) } : {}),
    }),
    [filters],
  );
  const events = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions({ ...query, limit: 50 }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  const csvHref = useMemo(() => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) params.set(k, v instanceof Date ? v.toISOString() : String(v));
    const qs = params.toString();
    return `/api/audit/export${qs ? `?${qs}` : ''}`;
  }, [query]);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const get = (k: string) => String(form.get(k) ?? '').trim() || undefined;
    setFilters({ action: get('action'), actor: get('actor'), target: get('target'), from: get('from'), to: get('to') });
  }

  const rows = events.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="space-y-6">
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-3 lg:grid-cols-6" data-testid="audit-filters">
        <Field label="What">
          {(c) => (
            <Select {...c} name="action" defaultValue="">
              <option value="">Everything</option>
              {groups.data?.map((g) => (
                <option key={g.value} value={g.value}>
                  {g.label}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Who">{(c) => <Input {...c} name="actor" placeholder="email or token" />}</Field>
        <Field label="On">{(c) => <Input {...c} name="target" placeholder="flow, member…" />}</Field>
        <Field label="From">{(c) => <Input {...c} name="from" type="date" />}</Field>
        <Field label="To">{(c) => <Input {...c} name="to" type="date" />}</Field>
        <div className="flex items-end gap-2">
          <Button type="submit" variant="primary">
            Filter
          </Button>
          <a
            href={csvHref}
            className="inline-flex h-9 items-center gap-1.5 rounded-lg border border-slate-300 bg-white px-3 text-sm font-medium shadow-sm hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800"
            data-testid="audit-csv"
          >
            <Download className="h-4 w-4" aria-hidden /> CSV
          </a>
        </div>
      </form>

      {events.isPending ? (
        <PageSpinner label="Loading the audit log…" />
      ) : events.isError ? (
        <ErrorNotice title="The audit log could not be loaded." error={events.error} />
      ) : rows.length === 0 ? (
        <EmptyState icon={ScrollText} title="Nothing recorded for these filters">
          <p>Changes to flows, credentials, members and tokens, and failed sign-ins, appear here.</p>
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs text-slate-500 dark:border-slate-800">
              <tr>
                <th className="px-4 py-2 font-medium">When</th>
                <th className="px-4 py-2 font-medium">Who</th>
                <th className="px-4 py-2 font-medium">What</th>
                <th className="px-4 py-2 font-medium">On</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {rows.map((r) => (
                <tr key={r.id} data-testid="audit-row" data-action={r.action}>
                  <td className="px-4 py-2 whitespace-nowrap text-slate-500" title={formatDateTime(new Date(r.createdAt))}>
                    {formatRelative(new Date(r.createdAt))}
                  </td>
                  <td className="px-4 py-2">
                    {r.actor}
                    {r.ip && <span className="block text-xs text-slate-400">{r.ip}</span>}
                  </td>
                  <td className="px-4 py-2">
                    {r.actionLabel}
                    {describeDetails(r.details) && <span className="block text-xs text-slate-500">{describeDetails(r.details)}</span>}
                  </td>
                  <td className="px-4 py-2">{r.targetLabel || r.targetId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {events.hasNextPage && (
        <Button onClick={() => void events.fetchNextPage()} disabled={events.isFetchingNextPage}>
          {events.isFetchingNextPage ? 'Loading…' : 'Show older'}
        </Button>
      )}
    </div>
  );
}
