'use client';

import { useEffect, useMemo, useOptimistic, useRef, useState, useTransition } from 'react';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { History, RefreshCw, Search, SearchX, X } from 'lucide-react';
import { useTRPC, useTRPCClient } from '../trpc/client';
import type { RunStatus } from '../trpc/types';
import { Button } from '../ui/button';
import { cn } from '../ui/cn';
import { EmptyState } from '../ui/empty-state';
import { ErrorNotice } from '../ui/error-notice';
import { Input } from '../ui/input';
import { Spinner } from '../ui/spinner';
import { ExplorerTable } from './explorer-table';
import { activeFilterCount, emptyFilters, filtersToParams, parseFilters, RANGES, toQueryInput, type RangeKey, type RunFilters } from './explorer-filters';
import { CheckList, FilterPopover } from './filter-popover';
import { formatNumber } from './format';
import { useLiveRunLists } from './live';
import { LiveIndicator } from './live-indicator';
import { RUN_STATUSES, statusMeta, TRIGGER_KINDS, triggerLabel } from './run-status';
import { SLOW_POLL_MS } from './use-run-stream';

interface RunsExplorerProps {
  /** Show one flow's runs (the flow filter is hidden and the live stream watches that flow). */
  flowId?: string;
}

/** Runs across flows: filters and search kept in the address, sortable, one page at a time, live. */
export function RunsExplorer({ flowId }: RunsExplorerProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const urlFilters = useMemo(() => parseFilters(params), [params]);
  // The address is the source of truth; while it changes (a transition), show the new choice at once.
  const [filters, setOptimisticFilters] = useOptimistic(urlFilters);
  const [, startTransition] = useTransition();
  // "Now" for the time presets: fixed while the list is shown (new runs still appear on top), moved
  // on when a preset is chosen again or the list is refreshed.
  const [anchor, setAnchor] = useState(() => Date.now());
  const input = useMemo(() => toQueryInput(filters, anchor, flowId), [filters, anchor, flowId]);

  const stream = useLiveRunLists({ flowId, throttleMs: 1500 });
  const client = useTRPCClient();
  // Paged by hand rather than with infiniteQueryOptions: those add a `direction` field to the
  // input, which the strict input of monitoring.runs refuses. The key starts with the procedure's
  // path, so invalidating monitoring.runs refreshes these pages too.
  const runs = useInfiniteQuery({
    queryKey: [...trpc.monitoring.runs.pathKey(), { input, type: 'infinite' }],
    queryFn: ({ pageParam, signal }) => client.monitoring.runs.query({ ...input, cursor: pageParam }, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    refetchInterval: (q) =>
      stream === 'offline' && q.state.data?.pages[0]?.items.some((r) => r.status === 'queued' || r.status === 'running') ? SLOW_POLL_MS : false,
  });
  const flows = useQuery(trpc.flows.list.queryOptions(undefined, { enabled: !flowId }));

  const navigate = (next: RunFilters) => {
    const qs = filtersToParams(next).toString();
    startTransition(() => {
      setOptimisticFilters(next);
      router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    });
  };
  const setFilters = (next: Partial<RunFilters>) => navigate({ ...filters, ...next });
  const clearAll = () => navigate({ ...emptyFilters, sort: filters.sort, order: filters.order });

  const items = runs.data?.pages.flatMap((p) => p.items) ?? [];
  const count = activeFilterCount(filters, Boolean(flowId));
  const cursorTrouble = runs.isError && /first page/i.test(runs.error.message);

  return (
    <div>
      <FilterBar
        filters={filters}
        setFilters={setFilters}
        flows={flowId ? null : (flows.data ?? [])}
        onPreset={() => setAnchor(Date.now())}
        activeCount={count}
        onClear={clearAll}
      />

      <div className="mb-2 flex flex-wrap items-center gap-3 text-sm text-slate-600 dark:text-slate-400">
        <span role="status" data-testid="runs-count">
          {runs.isPending
            ? 'Loading runs…'
            : items.length === 0
              ? ''
              : `Showing ${formatNumber(items.length)}${runs.hasNextPage ? '+' : ''} ${items.length === 1 ? 'run' : 'runs'}, ${
                  filters.sort === 'duration' ? (filters.order === 'desc' ? 'slowest first' : 'fastest first') : filters.order === 'desc' ? 'newest first' : 'oldest first'
                }`}
        </span>
        {filters.sort === 'duration' && <span className="text-xs">(runs still going are left out while sorting by duration)</span>}
        <span className="ml-auto flex items-center gap-3">
          {runs.isFetching && !runs.isPending && <Spinner label="Refreshing" />}
          <LiveIndicator state={stream} />
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setAnchor(Date.now());
              void queryClient.invalidateQueries({ queryKey: trpc.monitoring.runs.pathKey() });
            }}
          >
            <RefreshCw className="h-3.5 w-3.5" aria-hidden />
            Refresh
          </Button>
        </span>
      </div>

      {runs.isError &&
        (cursorTrouble ? (
          <ErrorNotice title="The list changed while you were paging." error={runs.error}>
            <Button size="sm" onClick={() => void queryClient.resetQueries({ queryKey: trpc.monitoring.runs.pathKey() })}>
              Start again from the first page
            </Button>
          </ErrorNotice>
        ) : (
          <ErrorNotice title="The runs could not be loaded." error={runs.error}>
            <Button size="sm" onClick={() => void runs.refetch()}>
              Try again
            </Button>
          </ErrorNotice>
        ))}

      {runs.isPending && <div className="h-64 animate-pulse rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900" aria-hidden />}

      {runs.isSuccess && items.length === 0 && (count === 0 ? <NoRunsYet flowId={flowId} /> : <NoMatches filters={filters} onClear={clearAll} setFilters={setFilters} />)}

      {items.length > 0 && (
        <div className={cn('overflow-hidden rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900', runs.isPlaceholderData && 'opacity-60')}>
          <ExplorerTable
            rows={items}
            showFlow={!flowId}
            sort={filters.sort}
            order={filters.order}
            onSort={(column) =>
              setFilters(column === filters.sort ? { order: filters.order === 'desc' ? 'asc' : 'desc' } : { sort: column, order: 'desc' })
            }
          />
        </div>
      )}

      {runs.hasNextPage && (
        <div className="mt-4 flex justify-center">
          <Button onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage} data-testid="load-more">
            {runs.isFetchingNextPage ? 'Loading…' : 'Load more runs'}
          </Button>
        </div>
      )}
      {runs.isSuccess && !runs.hasNextPage && items.length > 50 && <p className="mt-4 text-center text-sm text-slate-500">That is all of them.</p>}
    </div>
  );
}

function NoRunsYet({ flowId }: { flowId?: string }) {
  return (
    <EmptyState icon={History} title={flowId ? 'This flow has not run yet' : 'No runs yet'} testId="runs-empty">
      {flowId ? (
        <>
          Press <strong>Run</strong> in the{' '}
          <Link href={`/flows/${flowId}`} className="font-medium text-indigo-600 underline dark:text-indigo-400">
            editor
          </Link>{' '}
          to try it, or turn the flow on so its trigger can start runs by itself.
        </>
      ) : (
        <>
          Every time a flow runs, it is listed here with what each step did.{' '}
          <Link href="/flows" className="font-medium text-indigo-600 underline dark:text-indigo-400">
            Open your flows
          </Link>{' '}
          and press <strong>Run</strong> to try one.
        </>
      )}
    </EmptyState>
  );
}

function NoMatches({ filters, onClear, setFilters }: { filters: RunFilters; onClear: () => void; setFilters: (f: Partial<RunFilters>) => void }) {
  const tips: React.ReactNode[] = [];
  if (filters.q.trim())
    tips.push(
      <li key="q">
        The search looks for whole words in the data of runs. Check the spelling, use fewer words, or{' '}
        <button type="button" className="font-medium text-indigo-600 underline dark:text-indigo-400" onClick={() => setFilters({ q: '' })}>
          search without “{filters.q.trim()}”
        </button>
        .
      </li>,
    );
  if (filters.range && filters.range !== '30d')
    tips.push(
      <li key="range">
        Runs may be older:{' '}
        <button type="button" className="font-medium text-indigo-600 underline dark:text-indigo-400" onClick={() => setFilters({ range: null, from: null, to: null })}>
          look at any time
        </button>
        .
      </li>,
    );
  if (filters.minSec !== null || filters.maxSec !== null)
    tips.push(<li key="dur">Duration filters only match runs that have finished.</li>);
  return (
    <EmptyState
      icon={SearchX}
      title="No runs match these filters"
      testId="runs-no-match"
      action={
        <Button onClick={onClear}>
          <X className="h-4 w-4" aria-hidden />
          Clear all filters
        </Button>
      }
    >
      {tips.length > 0 ? <ul className="space-y-1 text-left">{tips}</ul> : 'Try fewer filters.'}
    </EmptyState>
  );
}

interface FilterBarProps {
  filters: RunFilters;
  setFilters: (f: Partial<RunFilters>) => void;
  /** null: the flow is fixed (a flow's own runs page). */
  flows: Array<{ id: string; name: string }> | null;
  onPreset: () => void;
  activeCount: number;
  onClear: () => void;
}

const durationPresets: Array<{ label: string; min: number | null; max: number | null }> = [
  { label: 'Quicker than 1 s', min: null, max: 1 },
  { label: 'Slower than 10 s', min: 10, max: null },
  { label: 'Slower than 1 min', min: 60, max: null },
  { label: 'Slower than 10 min', min: 600, max: null },
];

function durationSummary(f: RunFilters): string {
  const preset = durationPresets.find((p) => p.min === f.minSec && p.max === f.maxSec);
  if (preset) return preset.label;
  if (f.minSec !== null && f.maxSec !== null) return `${f.minSec}–${f.maxSec} s`;
  if (f.minSec !== null) return `≥ ${f.minSec} s`;
  if (f.maxSec !== null) return `≤ ${f.maxSec} s`;
  return 'Any';
}

/** datetime-local wants "YYYY-MM-DDTHH:mm" in local time. */
function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(v: string): string | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function FilterBar({ filters, setFilters, flows, onPreset, activeCount, onClear }: FilterBarProps) {
  const flowName = (id: string) => flows?.find((f) => f.id === id)?.name ?? 'A deleted flow';
  const rangeSummary =
    filters.range === 'custom'
      ? filters.from || filters.to
        ? `${filters.from ? new Date(filters.from).toLocaleDateString() : '…'} – ${filters.to ? new Date(filters.to).toLocaleDateString() : 'now'}`
        : 'Custom'
      : filters.range
        ? RANGES[filters.range].label
        : 'Any time';

  return (
    <div className="mb-4 space-y-3 rounded-xl border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900" role="search" aria-label="Filter runs">
      <SearchBox value={filters.q} onCommit={(q) => setFilters({ q })} />
      <div className="flex flex-wrap items-center gap-2">
        {flows && (
          <FilterPopover
            label="Flows"
            summary={filters.flowIds.length === 0 ? 'All flows' : filters.flowIds.length === 1 ? flowName(filters.flowIds[0]!) : `${filters.flowIds.length} flows`}
            active={filters.flowIds.length > 0}
            testId="filter-flows"
          >
            <CheckList
              searchable
              options={flows.map((f) => ({ value: f.id, label: f.name, hint: f.name }))}
              selected={filters.flowIds}
              onChange={(flowIds) => setFilters({ flowIds })}
              emptyText="No flows yet."
            />
          </FilterPopover>
        )}
        <FilterPopover
          label="Started by"
          summary={filters.triggers.length === 0 ? 'Anything' : filters.triggers.map(triggerLabel).join(', ')}
          active={filters.triggers.length > 0}
          testId="filter-trigger"
        >
          <CheckList options={TRIGGER_KINDS.map((t) => ({ value: t, label: triggerLabel(t) }))} selected={filters.triggers} onChange={(triggers) => setFilters({ triggers })} />
        </FilterPopover>
        <FilterPopover label="When" summary={rangeSummary} active={filters.range !== null} testId="filter-time">
          <ul>
            {([null, ...(Object.keys(RANGES) as RangeKey[]), 'custom'] as const).map((r) => (
              <li key={r ?? 'any'}>
                <label className="flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-slate-100 dark:hover:bg-slate-800">
                  <input
                    type="radio"
                    name="runs-range"
                    className="accent-indigo-600"
                    checked={filters.range === r}
                    onChange={() => {
                      onPreset();
                      setFilters({ range: r, ...(r !== 'custom' ? { from: null, to: null } : {}) });
                    }}
                  />
                  {r === null ? 'Any time' : r === 'custom' ? 'Between two dates…' : RANGES[r].label}
                </label>
              </li>
            ))}
          </ul>
          {filters.range === 'custom' && (
            <div className="mt-2 grid gap-2 border-t border-slate-200 px-2 pt-2 dark:border-slate-800">
              <label className="text-xs font-medium text-slate-600 dark:text-slate-300">
                From
                <Input type="datetime-local" value={toLocalInput(filters.from)} onChange={(e) => setFilters({ from: fromLocalInput(e.target.value) })} className="mt-1" />
              </label>
              <label className="text-xs font-medium text-slate-600 dark:text-slate-300">
                Until
                <Input type="datetime-local" value={toLocalInput(filters.to)} onChange={(e) => setFilters({ to: fromLocalInput(e.target.value) })} className="mt-1" />
              </label>
            </div>
          )}
        </FilterPopover>
        <FilterPopover label="Duration" summary={durationSummary(filters)} active={filters.minSec !== null || filters.maxSec !== null} testId="filter-duration">
          <DurationFilter filters={filters} setFilters={setFilters} />
        </FilterPopover>
        {activeCount > 0 && (
          <Button variant="ghost" size="sm" onClick={onClear} data-testid="clear-filters">
            <X className="h-4 w-4" aria-hidden />
            Clear all ({activeCount})
          </Button>
        )}
      </div>
      <fieldset className="flex flex-wrap items-center gap-1.5">
        <legend className="sr-only">Status</legend>
        <span className="mr-1 text-sm text-slate-500 dark:text-slate-400" aria-hidden>
          Status:
        </span>
        {RUN_STATUSES.map((s) => (
          <StatusChip
            key={s}
            status={s}
            on={filters.statuses.includes(s)}
            onToggle={() => setFilters({ statuses: filters.statuses.includes(s) ? filters.statuses.filter((x) => x !== s) : [...filters.statuses, s] })}
          />
        ))}
      </fieldset>
    </div>
  );
}

function StatusChip({ status, on, onToggle }: { status: RunStatus; on: boolean; onToggle: () => void }) {
  const m = statusMeta(status);
  const Icon = m.icon;
  return (
    <button
      type="button"
      aria-pressed={on}
      onClick={onToggle}
      data-testid={`filter-status-${status}`}
      className={cn(
        'inline-flex h-8 items-center gap-1.5 rounded-full border px-3 text-sm',
        on
          ? 'border-indigo-400 bg-indigo-50 font-medium text-indigo-800 dark:border-indigo-700 dark:bg-indigo-950 dark:text-indigo-200'
          : 'border-slate-300 text-slate-700 hover:bg-slate-50 dark:border-slate-700 dark:text-slate-300 dark:hover:bg-slate-800',
      )}
    >
      <Icon className="h-3.5 w-3.5" aria-hidden />
      {m.label}
    </button>
  );
}

function DurationFilter({ filters, setFilters }: { filters: RunFilters; setFilters: (f: Partial<RunFilters>) => void }) {
  const [min, setMin] = useState(filters.minSec === null ? '' : String(filters.minSec));
  const [max, setMax] = useState(filters.maxSec === null ? '' : String(filters.maxSec));
  const num = (v: string) => (v.trim() === '' || !Number.isFinite(Number(v)) || Number(v) < 0 ? null : Number(v));
  return (
    <div className="space-y-2">
      <ul>
        {durationPresets.map((p) => (
          <li key={p.label}>
            <button
              type="button"
              onClick={() => {
                setMin(p.min === null ? '' : String(p.min));
                setMax(p.max === null ? '' : String(p.max));
                setFilters({ minSec: p.min, maxSec: p.max });
              }}
              className="w-full rounded-md px-2 py-1.5 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800"
            >
              {p.label}
            </button>
          </li>
        ))}
      </ul>
      <form
        className="grid grid-cols-2 gap-2 border-t border-slate-200 px-2 pt-2 dark:border-slate-800"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ minSec: num(min), maxSec: num(max) });
        }}
      >
        <label className="text-xs font-medium text-slate-600 dark:text-slate-300">
          At least (seconds)
          <Input type="number" min={0} step="any" value={min} onChange={(e) => setMin(e.target.value)} className="mt-1" />
        </label>
        <label className="text-xs font-medium text-slate-600 dark:text-slate-300">
          At most (seconds)
          <Input type="number" min={0} step="any" value={max} onChange={(e) => setMax(e.target.value)} className="mt-1" />
        </label>
        <div className="col-span-2 flex justify-between gap-2">
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setMin('');
              setMax('');
              setFilters({ minSec: null, maxSec: null });
            }}
          >
            Any duration
          </Button>
          <Button size="sm" type="submit" variant="primary">
            Apply
          </Button>
        </div>
      </form>
    </div>
  );
}

/** The search box: typing waits a moment before searching, Enter searches at once. */
function SearchBox({ value, onCommit }: { value: string; onCommit: (q: string) => void }) {
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  const timer = useRef<number | undefined>(undefined);
  const input = useRef<HTMLInputElement>(null);
  // "/" jumps to the search box, as on many sites.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || t?.closest('input, textarea, select, [contenteditable="true"]')) return;
      e.preventDefault();
      input.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  // The address changed by itself (a link, "clear all"): show what it says.
  if (value !== seen) {
    setSeen(value);
    if (value !== text.trim()) setText(value);
  }
  const commitSoon = (next: string) => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => onCommit(next), 450);
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        window.clearTimeout(timer.current);
        onCommit(text);
      }}
    >
      <label htmlFor="runs-search" className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-200">
        Search inside the data of runs
      </label>
      <div className="relative">
        <Search className="pointer-events-none absolute top-1/2 left-3 h-4 w-4 -translate-y-1/2 text-slate-400" aria-hidden />
        <Input
          ref={input}
          id="runs-search"
          type="search"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            commitSoon(e.target.value);
          }}
          placeholder='For example: an e-mail address, an order number, "disk full"'
          aria-describedby="runs-search-hint"
          className="pl-9"
          data-testid="runs-search"
        />
      </div>
      <p id="runs-search-hint" className="mt-1 text-xs text-slate-500 dark:text-slate-400">
        Finds whole words in what triggered each run and in every step&apos;s output. Use quotes for an exact phrase, <code>or</code> for either word, and a minus
        sign to leave a word out (<code>-test</code>). Press <kbd className="rounded border border-slate-300 px-1 font-mono dark:border-slate-600">/</kbd> to jump here.
      </p>
    </form>
  );
}
