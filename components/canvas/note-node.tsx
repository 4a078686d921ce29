'use client';

import { memo } from 'react';
import { NodeResizer, type NodeProps } from '@xyflow/react';
import { StickyNote } from 'lucide-react';
import { useCan } from '../auth/account-context';
import { cn } from '../ui/cn';
import { useEditorStoreApi } from './store-context';
import type { NoteNode } from './types';

/** A sticky note: drag it by its top strip, type into it, resize it from its corners when selected. */
function NoteNodeView({ id, data, selected }: NodeProps<NoteNode>) {
  const store = useEditorStoreApi();
  const canEdit = useCan('edit');
  return (
    <div
      data-testid={`canvas-note-${id}`}
      className={cn(
        'flex h-full w-full flex-col rounded-lg border bg-amber-50 shadow-sm dark:bg-amber-950/60',
        selected ? 'border-amber-500 ring-2 ring-amber-400/40' : 'border-amber-200 dark:border-amber-800',
      )}
    >
      <NodeResizer isVisible={selected && canEdit} minWidth={140} minHeight={80} color="#f59e0b" />
      <div className="flex cursor-grab items-center gap-1.5 px-2.5 pt-1.5 text-[11px] font-medium text-amber-700 dark:text-amber-300">
        <StickyNote className="h-3.5 w-3.5" aria-hidden />
        Note
      </div>
      <textarea
        value={data.text}
        readOnly={!canEdit}
        placeholder={canEdit ? 'Write a note for the people who read this flow…' : ''}
        aria-label="Note text"
        onChange={(e) => store.getState().updateNoteText(id, e.target.value)}
        data-testid="note-text"
        className="nodrag nowheel min-h-0 flex-1 resize-none bg-transparent px-2.5 pt-1 pb-2 text-sm leading-snug text-slate-800 outline-none placeholder:text-amber-700/50 dark:text-amber-50"
      />
    </div>
  );
}

export const NoteNodeComponent = memo(NoteNodeView);
