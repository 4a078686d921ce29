'use client';

import { LayoutDashboard, Redo2, StickyNote, Undo2 } from 'lucide-react';
import type { ReactNode } from 'react';
import { cn } from '../ui/cn';
import { useEditorStore } from './store-context';
import type { EditorCommands } from './use-editor-commands';

function ToolButton({ label, title, onClick, disabled, testId, children }: { label: string; title: string; onClick: () => void; disabled?: boolean; testId: string; children: ReactNode }) {
  return (
    <button
      type="button"
      aria-label={label}
      title={title}
      onClick={onClick}
      disabled={disabled}
      data-testid={testId}
      className={cn(
        'flex h-8 items-center gap-1.5 rounded-md px-2 text-sm font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-500 disabled:cursor-not-allowed disabled:opacity-40 dark:text-slate-200 dark:hover:bg-slate-800',
      )}
    >
      {children}
    </button>
  );
}

/** Top-left of the canvas: undo and redo, tidy up, add a note. */
export function CanvasToolbar({ commands }: { commands: EditorCommands }) {
  const canUndo = useEditorStore((s) => s.past.length > 0);
  const canRedo = useEditorStore((s) => s.future.length > 0);
  return (
    <div role="toolbar" aria-label="Canvas tools" className="flex items-center gap-0.5 rounded-lg border border-slate-200 bg-white/95 p-1 shadow-sm dark:border-slate-700 dark:bg-slate-900/95">
      <ToolButton label="Undo" title="Undo (Ctrl+Z)" onClick={commands.undo} disabled={!canUndo} testId="undo-button">
        <Undo2 className="h-4 w-4" aria-hidden />
      </ToolButton>
      <ToolButton label="Redo" title="Redo (Ctrl+Shift+Z)" onClick={commands.redo} disabled={!canRedo} testId="redo-button">
        <Redo2 className="h-4 w-4" aria-hidden />
      </ToolButton>
      <span className="mx-1 h-5 w-px bg-slate-200 dark:bg-slate-700" aria-hidden />
      <ToolButton label="Tidy up" title="Tidy up: lay the steps out left to right" onClick={commands.tidyUp} testId="tidy-button">
        <LayoutDashboard className="h-4 w-4" aria-hidden />
        Tidy up
      </ToolButton>
      <ToolButton label="Add a note" title="Add a sticky note in the middle of the view" onClick={commands.addNote} testId="add-note-button">
        <StickyNote className="h-4 w-4" aria-hidden />
        Note
      </ToolButton>
    </div>
  );
}
