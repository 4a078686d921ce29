'use client';

import { MousePointer2 } from 'lucide-react';
import { plural } from '../ui/format';
import { NodeInspector } from './node-inspector';
import { useEditorStore } from './store-context';
import { isAgentNode } from './types';

/** Right panel: the selected node's settings, or a hint when nothing (or several) is selected. */
export function Inspector() {
  const selectedCount = useEditorStore((s) => s.nodes.reduce((count, n) => (n.selected ? count + 1 : count), 0));
  // Notes are edited on the canvas itself; the inspector is for steps.
  const selectedId = useEditorStore((s) => {
    if (selectedCount !== 1) return null;
    const node = s.nodes.find((n) => n.selected);
    return isAgentNode(node) ? node.id : null;
  });
  const noteSelected = useEditorStore((s) => selectedCount === 1 && s.nodes.some((n) => n.selected && n.type === 'note'));

  return (
    <aside aria-label="Inspector" data-testid="inspector" className="flex h-full w-[22rem] shrink-0 flex-col border-l border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      {selectedId ? (
        <NodeInspector key={selectedId} nodeId={selectedId} />
      ) : (
        <div className="flex flex-1 flex-col items-center justify-center p-8 text-center text-sm text-slate-500 dark:text-slate-400">
          <MousePointer2 className="mb-3 h-6 w-6 text-slate-400" aria-hidden />
          {noteSelected ? (
            <p>Type into the note on the canvas. Drag it by its top strip; pull its corners to resize it.</p>
          ) : selectedCount > 1 ? (
            <p>
              {plural(selectedCount, 'item')} selected. Drag one to move them together, press{' '}
              <kbd className="rounded border px-1 font-mono text-xs">Ctrl+D</kbd> to duplicate or <kbd className="rounded border px-1 font-mono text-xs">Delete</kbd> to
              remove them, or pick one to see its settings.
            </p>
          ) : (
            <p>Select a step on the canvas to see and change its settings, test it, and see what it did in the latest run.</p>
          )}
        </div>
      )}
    </aside>
  );
}
