'use client';

import { useEffect, useRef, useState } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { FileInput, LayoutTemplate, Plus, Search, SearchX, Share2, X } from 'lucide-react';
import { PageHeader } from '../app-shell/page-header';
import { useCan } from '../auth/account-context';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import { Button } from '../ui/button';
import { cn } from '../ui/cn';
import { EmptyState } from '../ui/empty-state';
import { ErrorNotice } from '../ui/error-notice';
import { plural } from '../ui/format';
import { Input } from '../ui/input';
import { Select } from '../ui/select';
import { PageSpinner } from '../ui/spinner';
import { useToast } from '../ui/toast';
import { useAgentCatalog } from './agent-icons';
import { PublishDialog } from './publish-dialog';
import { TemplateCard } from './template-card';
import type { TemplateSort, TemplateUpdateItem } from './types';
import { UpdateBanner } from './update-banner';

export interface MarketplaceFilters {
  q?: string;
  category?: string;
  tag?: string;
  sort?: TemplateSort;
}

const SORTS: Array<{ value: TemplateSort; label: string }> = [
  { value: 'popular', label: 'Most installed' },
  { value: 'new', label: 'Newest' },
  { value: 'name', label: 'Name (A–Z)' },
];

/** The filters in the address, so that Back, reload and shared links keep them. */
function syncAddress(f: MarketplaceFilters) {
  const params = new URLSearchParams();
  if (f.q) params.set('q', f.q);
  if (f.category) params.set('category', f.category);
  if (f.tag) params.set('tag', f.tag);
  if (f.sort && f.sort !== 'popular') params.set('sort', f.sort);
  const qs = params.toString();
  window.history.replaceState(null, '', qs ? `/templates?${qs}` : '/templates');
}

/** The template marketplace: search first, then categories, tags and sort. */
export function Marketplace({ initial }: { initial: MarketplaceFilters }) {
  const trpc = useTRPC();
  const catalog = useAgentCatalog();
  const canEdit = useCan('edit');
  const canPublish = useCan('manage');
  const [text, setText] = useState(initial.q ?? '');
  const [search, setSearch] = useState(initial.q?.trim() ?? '');
  const [category, setCategory] = useState(initial.category);
  const [tag, setTag] = useState(initial.tag);
  const [sort, setSort] = useState<TemplateSort>(initial.sort ?? 'popular');
  const [publishing, setPublishing] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);

  // Search as you type, without a request per keystroke.
  useEffect(() => {
    const t = window.setTimeout(() => setSearch(text.trim()), 250);
    return () => window.clearTimeout(t);
  }, [text]);
  useEffect(() => {
    syncAddress({ q: search, category, tag, sort });
  }, [search, category, tag, sort]);
  // "/" jumps to the search box, as on most sites with search.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || el?.closest('input, textarea, select, [contenteditable="true"]')) return;
      e.preventDefault();
      searchRef.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const list = useQuery(
    trpc.templates.list.queryOptions({ search: search || undefined, category, tag, sort }, { placeholderData: keepPreviousData }),
  );
  const categories = useQuery(trpc.templates.categories.queryOptions());
  const updates = useQuery(trpc.templates.updates.queryOptions());
  // Flows updated here stay listed (saying what changed) after they leave the list of pending updates.
  const [justUpdated, setJustUpdated] = useState<TemplateUpdateItem[]>([]);
  const shownUpdates = [...(updates.data ?? []), ...justUpdated.filter((u) => !updates.data?.some((x) => x.flowId === u.flowId))];
  const filtered = Boolean(search || category || tag);

  function clearAll() {
    setText('');
    setSearch('');
    setCategory(undefined);
    setTag(undefined);
    searchRef.current?.focus();
  }

  return (
    <>
      <PageHeader
        title="Templates"
        description="Ready-made flows: install one, fill in your details, and adapt it as you like."
        actions={
          <>
            {canEdit && (
              <Link
                href="/import"
                className="inline-flex h-9 items-center gap-2 rounded-lg px-3.5 text-sm font-medium text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
                data-testid="import-huginn-link"
              >
                <FileInput className="h-4 w-4" aria-hidden />
                Import from Huginn
              </Link>
            )}
            {canPublish && (
              <Button onClick={() => setPublishing(true)} data-testid="publish-flow">
                <Share2 className="h-4 w-4" aria-hidden />
                Publish a flow
              </Button>
            )}
          </>
        }
      />

      {shownUpdates.length > 0 && (
        <section className="mb-6 space-y-2" aria-labelledby="updates-heading" data-testid="template-updates">
          <h2 id="updates-heading" className="text-sm font-semibold text-slate-700 dark:text-slate-200">
            Updates for your flows
          </h2>
          {shownUpdates.map((u) => (
            <UpdateBanner key={u.flowId} flowId={u.flowId} flowName={u.flowName} onUpdated={() => setJustUpdated((list) => [...list, u])} />
          ))}
        </section>
      )}

      <div className="space-y-3">
        <div className="flex flex-wrap items-center gap-3">
          <div className="relative min-w-[16rem] flex-1">
            <Search className="pointer-events-none absolute top-1/2 left-3 h-4 w-4 -translate-y-1/2 text-slate-400" aria-hidden />
            <Input
              ref={searchRef}
              type="search"
              aria-label="Search templates"
              placeholder="Search templates — e.g. Slack, JIRA, e-mail   ( / )"
              value={text}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape' && text) {
                  e.preventDefault();
                  setText('');
                }
              }}
              className="h-10 pl-9"
              data-testid="template-search"
            />
          </div>
          <label className="flex items-center gap-2 text-sm whitespace-nowrap text-slate-600 dark:text-slate-400">
            Sort by
            <Select value={sort} onChange={(e) => setSort(e.target.value as TemplateSort)} className="w-40" data-testid="template-sort">
              {SORTS.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </Select>
          </label>
        </div>

        <div className="flex flex-wrap items-center gap-1.5" role="group" aria-label="Categories" data-testid="template-categories">
          <CategoryChip label="All" active={!category} onClick={() => setCategory(undefined)} />
          {(categories.data ?? []).map((c) => (
            <CategoryChip key={c.name} label={c.name} count={c.count} active={category === c.name} onClick={() => setCategory(category === c.name ? undefined : c.name)} />
          ))}
        </div>

        {tag && (
          <p className="flex items-center gap-2 text-sm text-slate-600 dark:text-slate-400">
            Tagged
            <button
              type="button"
              onClick={() => setTag(undefined)}
              className="inline-flex items-center gap-1 rounded-full bg-indigo-50 px-2.5 py-0.5 font-medium text-indigo-700 hover:bg-indigo-100 dark:bg-indigo-950 dark:text-indigo-300"
              aria-label={`Remove the tag filter “${tag}”`}
              data-testid="active-tag"
            >
              #{tag}
              <X className="h-3.5 w-3.5" aria-hidden />
            </button>
          </p>
        )}
      </div>

      <div className="mt-5">
        {list.isPending ? (
          <PageSpinner label="Loading templates…" />
        ) : list.isError ? (
          <ErrorNotice title="The templates could not be loaded." error={list.error}>
            <Button size="sm" onClick={() => void list.refetch()}>
              Try again
            </Button>
          </ErrorNotice>
        ) : list.data.length === 0 ? (
          filtered ? (
            <NoMatch search={search} category={category} tag={tag} onClear={clearAll} canEdit={canEdit} />
          ) : (
            <EmptyState icon={LayoutTemplate} title="No templates yet" testId="templates-empty" action={<BlankFlowButton canEdit={canEdit} />}>
              Templates your workspace publishes, and those shared with everyone, appear here. Until then, start from a blank flow.
            </EmptyState>
          )
        ) : (
          <>
            <p className="mb-3 text-sm text-slate-500 dark:text-slate-400" aria-live="polite" data-testid="template-count">
              {plural(list.data.length, 'template')}
              {list.isFetching && ' · updating…'}
            </p>
            <ul className={cn('grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3', list.isPlaceholderData && 'opacity-70')} aria-label="Templates" data-testid="template-list">
              {list.data.map((t) => (
                <TemplateCard key={t.slug} template={t} catalog={catalog} activeTag={tag} onTag={(x) => setTag(tag === x ? undefined : x)} />
              ))}
            </ul>
          </>
        )}
      </div>

      {canPublish && <PublishDialog open={publishing} onClose={() => setPublishing(false)} />}
    </>
  );
}

function CategoryChip({ label, count, active, onClick }: { label: string; count?: number; active: boolean; onClick: () => void }) {
  return (
    <button
      type="button"
      onClick={onClick}
      aria-pressed={active}
      className={cn(
        'rounded-full px-3 py-1 text-sm font-medium transition-colors',
        active
          ? 'bg-indigo-600 text-white'
          : 'bg-white text-slate-700 ring-1 ring-slate-200 ring-inset hover:bg-slate-50 dark:bg-slate-900 dark:text-slate-300 dark:ring-slate-700 dark:hover:bg-slate-800',
      )}
      data-testid="template-category"
    >
      {label}
      {count !== undefined && <span className={cn('ml-1 text-xs', active ? 'text-indigo-100' : 'text-slate-400')}>{count}</span>}
    </button>
  );
}

function NoMatch({ search, category, tag, onClear, canEdit }: { search: string; category?: string; tag?: string; onClear: () => void; canEdit: boolean }) {
  const what = [search && `“${search}”`, category && `in ${category}`, tag && `tagged #${tag}`].filter(Boolean).join(' ');
  return (
    <EmptyState
      icon={SearchX}
      title={`No template matches ${what}`}
      testId="templates-no-match"
      action={
        <div className="flex flex-wrap justify-center gap-2">
          <Button onClick={onClear} data-testid="clear-filters">
            <X className="h-4 w-4" aria-hidden />
            {search ? 'Clear the search' : 'Clear the filters'}
          </Button>
          <BlankFlowButton canEdit={canEdit} />
        </div>
      }
    >
      Clear the search or start from a blank flow. Shorter words find more — “slack” rather than “post to slack channel”.
    </EmptyState>
  );
}

/** "Start from a blank flow": makes an empty flow and opens it in the editor. */
function BlankFlowButton({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const toast = useToast();
  const create = useMutation(
    trpc.flows.create.mutationOptions({
      onSuccess: ({ id }) => router.push(`/flows/${id}`),
      onError: (e) => toast.show({ tone: 'error', message: errorMessage(e) }),
    }),
  );
  if (!canEdit) {
    return (
      <Link href="/flows" className="inline-flex h-9 items-center rounded-lg px-3.5 text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400">
        Go to your flows
      </Link>
    );
  }
  return (
    <Button variant="primary" onClick={() => create.mutate({ name: 'New flow' })} disabled={create.isPending} data-testid="blank-flow">
      <Plus className="h-4 w-4" aria-hidden />
      {create.isPending ? 'Creating…' : 'Start from a blank flow'}
    </Button>
  );
}
