'use client';

import { useEffect, useMemo, useState } from 'react';
import { Eye } from 'lucide-react';
import { containsLiquid, previewValue } from '../liquid-preview';
import { sampleLabels } from '../sample-event';
import type { JsonObject } from '@/server/agents/define-agent';
import { testIdOf, useFormContext } from './form-context';

const DEBOUNCE_MS = 250;

/** Waits until typing pauses, so a half-typed `{{` does not flash an error on every key. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Under a setting that holds Liquid: what it becomes for the sample event, or what is wrong with it. */
export function LiquidPreview({ path, value }: { path: string; value: unknown }) {
  const { preview } = useFormContext();
  const settled = useDebounced(value, DEBOUNCE_MS);
  const topKey = path.split('.')[0] ?? '';
  const active = Boolean(preview) && !preview!.rawOptions.includes(topKey) && containsLiquid(settled);
  const event = preview?.sample.event;
  const result = useMemo(() => (active && event ? previewValue(settled, event as JsonObject) : null), [active, settled, event]);
  if (!result || !preview) return null;

  return (
    <div
      className="space-y-1 rounded-md border border-dashed border-slate-300 bg-slate-50 px-2 py-1.5 text-xs dark:border-slate-700 dark:bg-slate-950"
      data-testid={`${testIdOf(path)}-preview`}
      data-ok={result.ok}
      aria-live="polite"
    >
      <p className="flex items-center gap-1 text-slate-500 dark:text-slate-400">
        <Eye className="h-3 w-3 shrink-0" aria-hidden />
        {sampleLabels[preview.sample.source]}
      </p>
      {!result.ok ? (
        <p className="text-rose-700 dark:text-rose-300" data-testid="liquid-preview-error">
          {result.message}
        </p>
      ) : result.empty ? (
        <p className="text-amber-700 dark:text-amber-300" data-testid="liquid-preview-value">
          Empty: this event has no such field, so the setting would be left out.
        </p>
      ) : (
        <pre className="max-h-40 overflow-auto font-mono break-words whitespace-pre-wrap text-slate-800 dark:text-slate-200" data-testid="liquid-preview-value">
          {result.text}
        </pre>
      )}
    </div>
  );
}
