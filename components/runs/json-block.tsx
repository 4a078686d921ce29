'use client';

import { useMemo, useState } from 'react';
import { Check, ChevronRight, Copy } from 'lucide-react';
import { containsTruncated, JsonTree } from './json-viewer';
import { formatBytes, jsonBytes } from './format';

interface JsonBlockProps {
  title: string;
  value: unknown;
  defaultOpen?: boolean;
  testId?: string;
  /** Levels of the tree unfolded at first. */
  expandDepth?: number;
}

function stringify(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

/** A collapsible, searchable, copyable JSON viewer with the size of the data in its title. */
export function JsonBlock({ title, value, defaultOpen = false, testId, expandDepth }: JsonBlockProps) {
  const [copied, setCopied] = useState(false);
  const [open, setOpen] = useState(defaultOpen);
  const { size, truncated } = useMemo(() => ({ size: jsonBytes(value), truncated: containsTruncated(value) }), [value]);
  const sizeText = value === undefined ? 'empty' : `${formatBytes(size)}${truncated ? ', truncated' : ''}`;

  return (
    <div className="relative">
      <details
        open={open}
        onToggle={(e) => setOpen(e.currentTarget.open)}
        className="group rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900"
        data-testid={testId}
      >
        <summary className="flex cursor-pointer list-none items-center gap-1.5 rounded-lg py-2 pr-24 pl-2 text-sm font-medium select-none hover:bg-slate-50 dark:hover:bg-slate-800/60 [&::-webkit-details-marker]:hidden">
          <ChevronRight className="h-4 w-4 shrink-0 text-slate-400 transition-transform group-open:rotate-90" aria-hidden />
          <span className="min-w-0 truncate">{title}</span>
          <span className="shrink-0 text-xs font-normal text-slate-500 dark:text-slate-400" data-testid="json-size">
            ({sizeText})
          </span>
        </summary>
        <div className="border-t border-slate-200 bg-slate-50 dark:border-slate-800 dark:bg-slate-950">
          {open && <JsonTree value={value} label={title} expandDepth={expandDepth} />}
        </div>
      </details>
      {/* Outside <summary>: a button inside it would also toggle the block. */}
      {value !== undefined && (
        <button
          type="button"
          onClick={() =>
            void navigator.clipboard?.writeText(stringify(value)).then(() => {
              setCopied(true);
              window.setTimeout(() => setCopied(false), 1500);
            })
          }
          className="absolute top-1.5 right-2 inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs text-slate-500 hover:bg-slate-100 hover:text-slate-800 dark:hover:bg-slate-700 dark:hover:text-slate-100"
        >
          {copied ? <Check className="h-3.5 w-3.5" aria-hidden /> : <Copy className="h-3.5 w-3.5" aria-hidden />}
          {copied ? 'Copied' : 'Copy'}
          <span className="sr-only"> {title} as JSON</span>
        </button>
      )}
    </div>
  );
}
