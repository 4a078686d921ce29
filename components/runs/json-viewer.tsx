'use client';

import { createContext, useContext, useDeferredValue, useId, useMemo, useState, type ReactNode } from 'react';
import { ChevronDown, ChevronRight, ChevronsDownUp, ChevronsUpDown, Scissors, Search } from 'lucide-react';
import { cn } from '../ui/cn';
import { formatBytes, formatNumber } from './format';

/**
 * A JSON tree: objects and arrays fold and unfold, a search box highlights keys and values and
 * opens the branches that hold them, long arrays and strings show a first part on demand.
 * Payloads cut by the retention policy ({ "$truncated": true, bytes, preview }) say so in words.
 */

export interface TruncatedMarker {
  $truncated: true;
  bytes?: number;
  preview?: string;
}

export function isTruncated(value: unknown): value is TruncatedMarker {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { $truncated?: unknown }).$truncated === true;
}

/** True when the value is, or holds, a payload cut by the retention policy. */
export function containsTruncated(value: unknown, budget = { nodes: 5_000 }): boolean {
  if (budget.nodes-- <= 0) return false;
  if (isTruncated(value)) return true;
  if (Array.isArray(value)) return value.some((v) => containsTruncated(v, budget));
  if (typeof value === 'object' && value !== null) return Object.values(value).some((v) => containsTruncated(v, budget));
  return false;
}

const SEP = '\u001f';
const ARRAY_PAGE = 100;
const STRING_PREVIEW = 400;
/** Nodes walked for search and "expand all"; beyond this the tree is too big to open at once. */
const WALK_LIMIT = 20_000;

type Mode = 'default' | 'all' | 'none';

interface TreeContext {
  isOpen: (path: string, depth: number) => boolean;
  toggle: (path: string, depth: number) => void;
  query: string;
  matches: Set<string>;
}

const Ctx = createContext<TreeContext | null>(null);

function useTree(): TreeContext {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('JSON tree nodes must be inside <JsonTree>');
  return ctx;
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

function primitiveText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return 'undefined';
  return String(v);
}

/** Paths whose key or value contains the query, and the branches that lead to them. */
function findMatches(value: unknown, query: string): { matches: Set<string>; ancestors: Set<string> } {
  const matches = new Set<string>();
  const ancestors = new Set<string>();
  if (!query) return { matches, ancestors };
  let budget = WALK_LIMIT;
  const walk = (v: unknown, path: string, key: string | null, parents: string[]): void => {
    if (budget-- <= 0) return;
    const keyHit = key !== null && key.toLowerCase().includes(query);
    const valueHit = !isContainer(v) && primitiveText(v).toLowerCase().includes(query);
    if (keyHit || valueHit) {
      matches.add(path);
      for (const p of parents) ancestors.add(p);
    }
    if (isContainer(v)) {
      const next = [...parents, path];
      for (const [k, child] of Object.entries(v)) walk(child, `${path}${SEP}${k}`, Array.isArray(v) ? null : k, next);
    }
  };
  walk(value, '$', null, []);
  return { matches, ancestors };
}

function Highlight({ text, className }: { text: string; className?: string }) {
  const { query } = useTree();
  if (!query) return <span className={className}>{text}</span>;
  const lower = text.toLowerCase();
  const parts: ReactNode[] = [];
  let at = 0;
  let i = lower.indexOf(query);
  while (i !== -1 && parts.length < 200) {
    if (i > at) parts.push(text.slice(at, i));
    parts.push(
      <mark key={i} className="rounded-sm bg-amber-200 text-inherit dark:bg-amber-500/40" data-testid="json-match">
        {text.slice(i, i + query.length)}
      </mark>,
    );
    at = i + query.length;
    i = lower.indexOf(query, at);
  }
  parts.push(text.slice(at));
  return <span className={className}>{parts}</span>;
}

function KeyLabel({ name }: { name: string | number | null }) {
  if (name === null) return null;
  if (typeof name === 'number') return <span className="text-slate-400 select-none dark:text-slate-500">{name}: </span>;
  return (
    <>
      <Highlight text={name} className="text-slate-700 dark:text-slate-300" />
      <span className="text-slate-400">: </span>
    </>
  );
}

function StringValue({ text }: { text: string }) {
  const [full, setFull] = useState(false);
  const long = text.length > STRING_PREVIEW;
  const shown = long && !full ? text.slice(0, STRING_PREVIEW) : text;
  return (
    <span className="break-words whitespace-pre-wrap text-emerald-700 dark:text-emerald-400">
      &quot;
      <Highlight text={shown} />
      {long && !full && '…'}
      &quot;
      {long && (
        <button type="button" onClick={() => setFull(!full)} className="ml-1.5 font-sans text-[11px] font-medium text-indigo-600 hover:underline dark:text-indigo-400">
          {full ? 'show less' : `show all ${formatNumber(text.length)} characters`}
        </button>
      )}
    </span>
  );
}

function PrimitiveValue({ value }: { value: unknown }) {
  if (typeof value === 'string') return <StringValue text={value} />;
  const cls =
    typeof value === 'number'
      ? 'text-sky-700 dark:text-sky-400'
      : typeof value === 'boolean'
        ? 'text-violet-700 dark:text-violet-400'
        : 'text-slate-500 italic';
  return <Highlight text={primitiveText(value)} className={cls} />;
}

/** A payload the retention policy replaced by its first characters. */
function TruncatedValue({ value }: { value: TruncatedMarker }) {
  return (
    <span className="inline-flex flex-col gap-1 rounded-md border border-dashed border-amber-300 bg-amber-50 px-2 py-1 font-sans text-xs text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200" data-testid="json-truncated">
      <span className="inline-flex items-center gap-1 font-medium">
        <Scissors className="h-3.5 w-3.5" aria-hidden />
        Cut to save space{typeof value.bytes === 'number' ? ` (it was ${formatBytes(value.bytes)})` : ''}
      </span>
      <span>The data retention policy keeps only the beginning of large data of successful runs:</span>
      {value.preview && <code className="font-mono break-all whitespace-pre-wrap text-amber-950 dark:text-amber-100">{value.preview}…</code>}
    </span>
  );
}

function ContainerNode({ name, value, path, depth }: { name: string | number | null; value: Record<string, unknown> | unknown[]; path: string; depth: number }) {
  const { isOpen, toggle, matches } = useTree();
  const [limit, setLimit] = useState(ARRAY_PAGE);
  const isArray = Array.isArray(value);
  const entries = isArray ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  const open = isOpen(path, depth);
  const count = entries.length;
  const summary = isArray ? `${formatNumber(count)} ${count === 1 ? 'item' : 'items'}` : `${formatNumber(count)} ${count === 1 ? 'field' : 'fields'}`;
  const [openBr, closeBr] = isArray ? ['[', ']'] : ['{', '}'];
  const shown = entries.slice(0, limit);
  const label = typeof name === 'string' ? name : typeof name === 'number' ? `item ${name}` : 'the whole value';

  if (count === 0) {
    return (
      <li className={cn(matches.has(path) && 'rounded bg-amber-50 dark:bg-amber-950/40')}>
        <span className="inline-block w-4" aria-hidden />
        <KeyLabel name={name} />
        <span className="text-slate-500">
          {openBr}
          {closeBr}
        </span>
      </li>
    );
  }
  return (
    <li>
      <div className="flex items-start">
        <button
          type="button"
          aria-expanded={open}
          onClick={() => toggle(path, depth)}
          className="-ml-0.5 flex items-center rounded text-left hover:bg-slate-200/70 dark:hover:bg-slate-800"
        >
          {open ? <ChevronDown className="h-3.5 w-3.5 shrink-0 text-slate-400" aria-hidden /> : <ChevronRight className="h-3.5 w-3.5 shrink-0 text-slate-400" aria-hidden />}
          <span className="sr-only">{open ? `Fold ${label}` : `Unfold ${label}`}</span>
          <span className="pl-0.5">
            <KeyLabel name={name} />
            <span className="text-slate-500">{openBr}</span>
            {!open && (
              <span className="text-slate-400">
                …{closeBr} <span className="font-sans text-[11px]">{summary}</span>
              </span>
            )}
          </span>
        </button>
      </div>
      {open && (
        <>
          <ul className="ml-1.5 border-l border-slate-200 pl-3 dark:border-slate-800">
            {shown.map(([k, v]) => (
              <JsonNode key={k} name={k} value={v} path={`${path}${SEP}${k}`} depth={depth + 1} />
            ))}
            {count > limit && (
              <li>
                <button type="button" onClick={() => setLimit(limit + ARRAY_PAGE)} className="font-sans text-xs font-medium text-indigo-600 hover:underline dark:text-indigo-400">
                  Show {Math.min(ARRAY_PAGE, count - limit)} more (of {formatNumber(count)})
                </button>
              </li>
            )}
          </ul>
          <span className="pl-4 text-slate-500">{closeBr}</span>
        </>
      )}
    </li>
  );
}

function JsonNode({ name, value, path, depth }: { name: string | number | null; value: unknown; path: string; depth: number }) {
  const { matches } = useTree();
  if (isTruncated(value)) {
    return (
      <li className="py-0.5">
        <span className="inline-block w-4" aria-hidden />
        <KeyLabel name={name} />
        <TruncatedValue value={value} />
      </li>
    );
  }
  if (isContainer(value)) return <ContainerNode name={name} value={value} path={path} depth={depth} />;
  return (
    <li className={cn(matches.has(path) && 'rounded bg-amber-50 dark:bg-amber-950/40')}>
      <span className="inline-block w-4" aria-hidden />
      <KeyLabel name={name} />
      <PrimitiveValue value={value} />
    </li>
  );
}

interface JsonTreeProps {
  value: unknown;
  /** Levels unfolded at first (the top level is 0). */
  expandDepth?: number;
  /** Shows the search box and the unfold/fold-all buttons. */
  toolbar?: boolean;
  /** What the data is, for labels: "the input of Fetch customer". */
  label?: string;
  className?: string;
}

/** The tree with its own search box and fold controls. */
export function JsonTree({ value, expandDepth = 2, toolbar = true, label = 'this data', className }: JsonTreeProps) {
  const [mode, setMode] = useState<Mode>('default');
  const [overrides, setOverrides] = useState<Map<string, boolean>>(() => new Map());
  const [search, setSearch] = useState('');
  const deferred = useDeferredValue(search.trim().toLowerCase());
  const { matches, ancestors } = useMemo(() => findMatches(value, deferred), [value, deferred]);
  const searchId = useId();

  const ctx = useMemo<TreeContext>(() => {
    const base = (depth: number) => (mode === 'all' ? true : mode === 'none' ? false : depth < expandDepth);
    // "Fold all" wins over the branches a search opened, until the search changes.
    const isOpen = (path: string, depth: number) => overrides.get(path) ?? ((mode !== 'none' && ancestors.has(path)) || base(depth));
    return {
      isOpen,
      toggle: (path, depth) => setOverrides((m) => new Map(m).set(path, !isOpen(path, depth))),
      query: deferred,
      matches,
    };
  }, [mode, overrides, ancestors, matches, deferred, expandDepth]);

  if (value === undefined) return <p className="px-3 py-2 text-xs text-slate-500 italic">Nothing here.</p>;

  const foldAll = (m: Mode) => {
    setMode(m);
    setOverrides(new Map());
  };

  return (
    <div className={className}>
      {toolbar && isContainer(value) && (
        <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-2 py-1.5 dark:border-slate-800">
          <label htmlFor={searchId} className="sr-only">
            Find in {label}
          </label>
          <div className="relative min-w-40 flex-1">
            <Search className="pointer-events-none absolute top-1/2 left-2 h-3.5 w-3.5 -translate-y-1/2 text-slate-400" aria-hidden />
            <input
              id={searchId}
              type="search"
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                setOverrides(new Map());
                if (mode === 'none') setMode('default');
              }}
              placeholder="Find a field or value…"
              data-testid="json-search"
              className="h-7 w-full rounded-md border border-slate-300 bg-white pr-2 pl-7 text-xs placeholder:text-slate-400 dark:border-slate-700 dark:bg-slate-900"
            />
          </div>
          {deferred && (
            <span className="text-xs text-slate-500" role="status" data-testid="json-match-count">
              {matches.size === 0 ? 'No match' : `${formatNumber(matches.size)} ${matches.size === 1 ? 'match' : 'matches'}`}
            </span>
          )}
          <button type="button" onClick={() => foldAll('all')} className="inline-flex items-center gap-1 rounded px-1.5 py-1 text-xs text-slate-600 hover:bg-slate-100 dark:text-slate-400 dark:hover:bg-slate-800">
            <ChevronsUpDown className="h-3.5 w-3.5" aria-hidden />
            Unfold all
          </button>
          <button type="button" onClick={() => foldAll('none')} className="inline-flex items-center gap-1 rounded px-1.5 py-1 text-xs text-slate-600 hover:bg-slate-100 dark:text-slate-400 dark:hover:bg-slate-800">
            <ChevronsDownUp className="h-3.5 w-3.5" aria-hidden />
            Fold all
          </button>
        </div>
      )}
      <Ctx.Provider value={ctx}>
        <ul className="max-h-96 overflow-auto px-3 py-2 font-mono text-xs leading-relaxed text-slate-800 dark:text-slate-200" data-testid="json-tree" aria-label={`Data of ${label}`}>
          <JsonNode name={null} value={value} path="$" depth={0} />
        </ul>
      </Ctx.Provider>
    </div>
  );
}
