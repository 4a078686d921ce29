'use client';

import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Check, ChevronDown } from 'lucide-react';
import { cn } from '../ui/cn';

interface FilterPopoverProps {
  /** What is filtered: "Flows". */
  label: string;
  /** The current choice in words: "All flows", "2 flows". */
  summary: string;
  active: boolean;
  children: ReactNode;
  testId?: string;
  /** Panel width class. */
  width?: string;
}

/** A filter button that opens a small panel; Escape or a click outside closes it. */
export function FilterPopover({ label, summary, active, children, testId, width = 'w-72' }: FilterPopoverProps) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    const onPointer = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div ref={root} className="relative" data-testid={testId}>
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen(!open)}
        className={cn(
          'inline-flex h-9 items-center gap-1.5 rounded-lg border px-3 text-sm shadow-xs',
          active
            ? 'border-indigo-300 bg-indigo-50 text-indigo-800 dark:border-indigo-800 dark:bg-indigo-950 dark:text-indigo-200'
            : 'border-slate-300 bg-white text-slate-700 hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800',
        )}
      >
        <span className="text-slate-500 dark:text-slate-400">{label}:</span>
        <span className="max-w-48 truncate font-medium">{summary}</span>
        <ChevronDown className="h-4 w-4 text-slate-400" aria-hidden />
      </button>
      {open && (
        <div
          id={panelId}
          role="group"
          aria-label={label}
          className={cn(
            'absolute top-full left-0 z-30 mt-1 rounded-xl border border-slate-200 bg-white p-2 shadow-lg dark:border-slate-700 dark:bg-slate-900',
            width,
          )}
        >
          {children}
        </div>
      )}
    </div>
  );
}

interface CheckListProps {
  options: Array<{ value: string; label: ReactNode; hint?: string }>;
  selected: string[];
  onChange: (next: string[]) => void;
  /** Shown above a long list to narrow it. */
  searchable?: boolean;
  emptyText?: string;
}

/** Checkboxes for a multi-select filter, with "clear" and an optional search. */
export function CheckList({ options, selected, onChange, searchable, emptyText = 'Nothing to choose from yet.' }: CheckListProps) {
  const [find, setFind] = useState('');
  const shown = find ? options.filter((o) => String(o.hint ?? o.label).toLowerCase().includes(find.toLowerCase())) : options;
  const toggle = (v: string) => onChange(selected.includes(v) ? selected.filter((s) => s !== v) : [...selected, v]);
  return (
    <div>
      {searchable && options.length > 6 && (
        <input
          type="search"
          value={find}
          onChange={(e) => setFind(e.target.value)}
          placeholder="Find…"
          aria-label="Find in the list"
          className="mb-2 h-8 w-full rounded-md border border-slate-300 bg-white px-2 text-sm dark:border-slate-700 dark:bg-slate-900"
        />
      )}
      {options.length === 0 && <p className="p-2 text-sm text-slate-500">{emptyText}</p>}
      <ul className="max-h-64 overflow-y-auto">
        {shown.map((o) => {
          const on = selected.includes(o.value);
          return (
            <li key={o.value}>
              <label className="flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-slate-100 dark:hover:bg-slate-800">
                <input type="checkbox" checked={on} onChange={() => toggle(o.value)} className="h-4 w-4 accent-indigo-600" />
                <span className="min-w-0 flex-1 truncate">{o.label}</span>
                {on && <Check className="h-3.5 w-3.5 text-indigo-600" aria-hidden />}
              </label>
            </li>
          );
        })}
      </ul>
      {selected.length > 0 && (
        <button type="button" onClick={() => onChange([])} className="mt-1 w-full rounded-md px-2 py-1.5 text-left text-sm text-indigo-600 hover:bg-slate-100 dark:text-indigo-400 dark:hover:bg-slate-800">
          Clear this filter
        </button>
      )}
    </div>
  );
}
