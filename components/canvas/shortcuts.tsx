'use client';

import { useEffect, useRef } from 'react';
import { Dialog } from '../ui/dialog';
import type { EditorCommands } from './use-editor-commands';

const isMac = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/** Keys meant for a dialog or a field stay there. */
function busyElsewhere(target: EventTarget | null): boolean {
  return isTyping(target) || document.querySelector('dialog[open]') !== null;
}

function hasTextSelection(): boolean {
  const selection = window.getSelection();
  return Boolean(selection && !selection.isCollapsed && selection.toString().trim());
}

interface ShortcutActions {
  save: () => void;
  run: () => void;
  help: () => void;
  commands: EditorCommands;
  /** Whether the canvas takes editing keys (not while comparing versions, not for viewers). */
  canEdit: boolean;
  /** Whether any step or note is selected (copy, cut). */
  hasSelection: () => boolean;
}

/**
 * Editor keyboard shortcuts (see `rows` below). Copy, cut and paste go through the browser's
 * clipboard events, so the system clipboard carries the steps to other flows and tabs without
 * asking for clipboard permissions.
 */
export function useEditorShortcuts(actions: ShortcutActions) {
  const ref = useRef(actions);
  useEffect(() => {
    ref.current = actions;
  });

  useEffect(() => {
    let pasteHandled = false;

    function onKeyDown(e: KeyboardEvent) {
      const { save, run, help, commands, canEdit } = ref.current;
      const mod = isMac() ? e.metaKey : e.ctrlKey;
      const key = e.key.toLowerCase();
      if (mod && key === 's') {
        e.preventDefault();
        if (canEdit) save();
        return;
      }
      if (mod && e.key === 'Enter') {
        e.preventDefault();
        if (canEdit) run();
        return;
      }
      if (busyElsewhere(e.target)) return;
      if (e.key === '?') {
        e.preventDefault();
        help();
        return;
      }
      if (!canEdit || !mod || e.altKey) return;
      if ((key === 'z' && e.shiftKey) || (key === 'y' && !isMac())) {
        e.preventDefault();
        commands.redo();
      } else if (key === 'z') {
        e.preventDefault();
        commands.undo();
      } else if (key === 'd') {
        e.preventDefault();
        commands.duplicate();
      } else if (key === 'a') {
        e.preventDefault();
        commands.selectAll();
      } else if (key === 'v') {
        // Browsers that do not send a paste event here still get what was copied in this tab.
        pasteHandled = false;
        window.setTimeout(() => {
          const fallback = commands.lastCopied();
          if (!pasteHandled && fallback) commands.pasteText(fallback);
        }, 100);
      }
    }

    const editable = (e: Event) => ref.current.canEdit && !busyElsewhere(e.target) && !hasTextSelection();
    // Cancelling before* tells the browser the page handles copy/cut/paste even with no text selected.
    function onBeforeCopy(e: Event) {
      if (editable(e) && ref.current.hasSelection()) e.preventDefault();
    }
    function onBeforePaste(e: Event) {
      if (editable(e)) e.preventDefault();
    }
    function onCopy(e: ClipboardEvent) {
      if (!editable(e) || !ref.current.hasSelection()) return;
      const text = ref.current.commands.copyText();
      if (!text) return;
      e.preventDefault();
      e.clipboardData?.setData('text/plain', text);
    }
    function onCut(e: ClipboardEvent) {
      if (!editable(e) || !ref.current.hasSelection()) return;
      const text = ref.current.commands.cut();
      if (!text) return;
      e.preventDefault();
      e.clipboardData?.setData('text/plain', text);
    }
    function onPaste(e: ClipboardEvent) {
      if (!editable(e)) return;
      const text = e.clipboardData?.getData('text/plain');
      if (!text) return;
      pasteHandled = true;
      e.preventDefault();
      ref.current.commands.pasteText(text);
    }

    window.addEventListener('keydown', onKeyDown);
    document.addEventListener('beforecopy', onBeforeCopy);
    document.addEventListener('beforecut', onBeforeCopy);
    document.addEventListener('beforepaste', onBeforePaste);
    document.addEventListener('copy', onCopy);
    document.addEventListener('cut', onCut);
    document.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      document.removeEventListener('beforecopy', onBeforeCopy);
      document.removeEventListener('beforecut', onBeforeCopy);
      document.removeEventListener('beforepaste', onBeforePaste);
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('cut', onCut);
      document.removeEventListener('paste', onPaste);
    };
  }, []);
}

const rows: Array<[string, string]> = [
  ['Ctrl + S', 'Save now (changes also save by themselves)'],
  ['Ctrl + Enter', 'Save, then run the flow'],
  ['Ctrl + Z', 'Undo'],
  ['Ctrl + Shift + Z', 'Redo (Ctrl + Y works too)'],
  ['Ctrl + C / Ctrl + X', 'Copy or cut the selected steps'],
  ['Ctrl + V', 'Paste steps — also into another flow or tab'],
  ['Ctrl + D', 'Duplicate the selected steps'],
  ['Ctrl + A', 'Select everything'],
  ['Delete or Backspace', 'Remove the selected steps and connections'],
  ['Shift + drag', 'Draw a box to select several steps'],
  ['Ctrl + click', 'Add a step to the selection'],
  ['Arrow keys', 'Move the selected steps a little'],
  ['?', 'Show this list'],
];

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const mac = isMac();
  return (
    <Dialog open={open} onClose={onClose} title="Keyboard shortcuts" testId="shortcuts-dialog" description={mac ? 'On a Mac, use ⌘ instead of Ctrl.' : undefined}>
      <dl className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
        {rows.map(([keys, what]) => (
          <div key={keys} className="flex justify-between gap-4 py-1.5">
            <dt>
              <kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 font-mono text-xs whitespace-nowrap dark:border-slate-700 dark:bg-slate-800">{keys}</kbd>
            </dt>
            <dd className="text-right text-slate-600 dark:text-slate-400">{what}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
