'use client';

import { useState } from 'react';
import { Check, Copy } from 'lucide-react';
import { Button } from '../ui/button';

/** A secret or link shown once, with a copy button and a clear "you will not see this again". */
export function CopyOnce({ label, value, note, testId }: { label: string; value: string; note: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="rounded-xl border border-emerald-200 bg-emerald-50 p-4 text-sm dark:border-emerald-900 dark:bg-emerald-950" role="status">
      <p className="font-medium text-emerald-900 dark:text-emerald-200">{label}</p>
      <div className="mt-2 flex items-center gap-2">
        <code data-testid={testId} className="min-w-0 flex-1 overflow-x-auto rounded-md bg-white px-2 py-1.5 font-mono text-xs whitespace-nowrap text-slate-900 dark:bg-slate-900 dark:text-slate-100">
          {value}
        </code>
        <Button
          size="sm"
          onClick={() => {
            void navigator.clipboard?.writeText(value).then(() => setCopied(true));
          }}
        >
          {copied ? <Check className="h-4 w-4" aria-hidden /> : <Copy className="h-4 w-4" aria-hidden />}
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <p className="mt-2 text-xs text-emerald-900/80 dark:text-emerald-200/80">{note}</p>
    </div>
  );
}
