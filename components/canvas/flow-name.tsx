'use client';

import { useState } from 'react';
import { Pencil } from 'lucide-react';
import { useRenameFlow } from '../flows/use-flow-mutations';

/** The flow's name; click to rename. Enter or leaving the field saves, Escape cancels. */
export function FlowName({ flowId, name }: { flowId: string; name: string }) {
  const rename = useRenameFlow();
  const [draft, setDraft] = useState<string | null>(null);

  function commit() {
    const next = draft?.trim();
    setDraft(null);
    if (next && next !== name) rename.mutate({ id: flowId, name: next });
  }

  if (draft !== null) {
    return (
      <input
        aria-label="Flow name"
        autoFocus
        maxLength={200}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setDraft(null);
        }}
        data-testid="flow-name-edit"
        className="h-8 w-64 rounded-md border border-indigo-400 bg-white px-2 text-base font-semibold dark:bg-slate-900"
      />
    );
  }
  const shown = rename.isPending ? (rename.variables?.name ?? name) : name;
  return (
    <button
      type="button"
      onClick={() => setDraft(shown)}
      title="Rename"
      data-testid="flow-name"
      className="group flex max-w-72 items-center gap-1.5 rounded-md px-2 py-1 text-base font-semibold hover:bg-slate-100 dark:hover:bg-slate-800"
    >
      <span className="truncate">{shown}</span>
      <Pencil className="h-3.5 w-3.5 shrink-0 text-slate-400 opacity-0 group-hover:opacity-100 group-focus-visible:opacity-100" aria-hidden />
      <span className="sr-only">(rename)</span>
    </button>
  );
}
