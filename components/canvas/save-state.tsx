'use client';

import { CircleAlert, CircleCheck, CircleDot, LoaderCircle } from 'lucide-react';
import { cn } from '../ui/cn';
import { saveStateOf } from './store';
import { useEditorStore, useEditorStoreApi } from './store-context';
import { localProblemCount } from './use-autosave';

const states = {
  saved: { label: 'Saved', icon: CircleCheck, className: 'text-emerald-700 dark:text-emerald-400' },
  saving: { label: 'Saving…', icon: LoaderCircle, className: 'text-slate-500' },
  unsaved: { label: 'Unsaved changes', icon: CircleDot, className: 'text-amber-700 dark:text-amber-400' },
  conflict: { label: 'Not saved: changed elsewhere', icon: CircleAlert, className: 'text-rose-700 dark:text-rose-400' },
} as const;

/** "Saved", "Saving…", "Unsaved changes" — and why an unsaved change is waiting. */
export function SaveState() {
  const store = useEditorStoreApi();
  const state = useEditorStore(saveStateOf);
  const problems = useEditorStore((s) => (saveStateOf(s) === 'unsaved' ? localProblemCount(s) : 0));
  const s = states[state];
  const Icon = s.icon;
  const hint =
    state === 'unsaved'
      ? problems > 0
        ? 'Fix the steps marked in red; then changes save by themselves.'
        : 'Changes save by themselves a moment after you stop editing.'
      : state === 'conflict'
        ? 'Someone else saved this flow. Click to choose what to do with your changes.'
        : undefined;

  const content = (
    <>
      <Icon className={cn('h-4 w-4 shrink-0', state === 'saving' && 'animate-spin')} aria-hidden />
      <span className="truncate">{s.label}</span>
      {state === 'unsaved' && problems > 0 && <span className="truncate text-xs text-slate-500">— fix the steps in red to save</span>}
    </>
  );
  if (state === 'conflict') {
    return (
      <button
        type="button"
        onClick={() => store.getState().setConflict(true)}
        title={hint}
        data-testid="save-state"
        data-state={state}
        className={cn('inline-flex min-w-0 items-center gap-1.5 rounded-md px-1.5 py-1 text-sm underline-offset-2 hover:underline', s.className)}
      >
        {content}
      </button>
    );
  }
  return (
    <span role="status" title={hint} data-testid="save-state" data-state={state} className={cn('inline-flex min-w-0 items-center gap-1.5 text-sm', s.className)}>
      {content}
    </span>
  );
}
