'use client';

import { useCallback, useMemo, useRef } from 'react';
import { useReactFlow, useStoreApi } from '@xyflow/react';
import { plural } from '../ui/format';
import { useToast } from '../ui/toast';
import { copySelection, PASTE_OFFSET } from './clipboard';
import { NODE_HEIGHT, NODE_WIDTH, NOTE_HEIGHT, NOTE_WIDTH } from './graph';
import { BIG_LAYOUT } from './layout';
import { useEditorStoreApi } from './store-context';
import type { EditorNode, FlowEdge } from './types';

/**
 * The editing commands behind the toolbar, the shortcuts and the clipboard events: undo/redo,
 * tidy up, notes, copy/cut/paste/duplicate.
 */
export function useEditorCommands() {
  const store = useEditorStoreApi();
  const flow = useReactFlow<EditorNode, FlowEdge>();
  const rf = useStoreApi<EditorNode, FlowEdge>();
  const toast = useToast();
  /** The last text copied or pasted here, and how many times it was pasted: each paste lands a bit further. */
  const lastPaste = useRef<{ text: string; count: number } | null>(null);
  /** What was copied last in this tab, for browsers that refuse clipboard access. */
  const copied = useRef<string | null>(null);
  const tidying = useRef(false);

  /** Pans to steps that landed outside the visible part of the canvas, keeping the zoom. */
  const reveal = useCallback(
    (ids: string[]) => {
      window.requestAnimationFrame(() => {
        if (ids.length === 0) return;
        // Fresh nodes may not be measured yet: count them at their usual size.
        const wanted = new Set(ids);
        const boxes = store
          .getState()
          .nodes.filter((n) => wanted.has(n.id))
          .map((n) => ({ x: n.position.x, y: n.position.y, w: n.measured?.width ?? n.width ?? NODE_WIDTH, h: n.measured?.height ?? n.height ?? NODE_HEIGHT }));
        if (boxes.length === 0) return;
        const minX = Math.min(...boxes.map((b) => b.x));
        const minY = Math.min(...boxes.map((b) => b.y));
        const bounds = { x: minX, y: minY, width: Math.max(...boxes.map((b) => b.x + b.w)) - minX, height: Math.max(...boxes.map((b) => b.y + b.h)) - minY };
        const { width, height } = rf.getState();
        const { x, y, zoom } = flow.getViewport();
        const left = -x / zoom;
        const top = -y / zoom;
        const visible = bounds.x >= left && bounds.y >= top && bounds.x + bounds.width <= left + width / zoom && bounds.y + bounds.height <= top + height / zoom;
        if (!visible) void flow.setCenter(bounds.x + bounds.width / 2, bounds.y + bounds.height / 2, { zoom: Math.max(zoom, 0.5), duration: 200 });
      });
    },
    [flow, rf, store],
  );

  const undo = useCallback(() => {
    if (!store.getState().undo()) toast.show({ message: 'Nothing to undo.' });
  }, [store, toast]);

  const redo = useCallback(() => {
    if (!store.getState().redo()) toast.show({ message: 'Nothing to redo.' });
  }, [store, toast]);

  const tidyNow = useCallback(() => {
    const moved = store.getState().tidyUp();
    if (moved === 0) {
      toast.show({ message: store.getState().nodes.length ? 'The steps are already tidy.' : 'Add some steps first.' });
      return;
    }
    window.requestAnimationFrame(() => void flow.fitView({ maxZoom: 1, padding: 0.2, duration: 300 }));
    toast.show({ message: `Tidied up: ${plural(moved, 'step')} moved.`, action: { label: 'Undo', onClick: () => store.getState().undo() } });
  }, [flow, store, toast]);

  const tidyUp = useCallback(() => {
    if (tidying.current) return;
    const steps = store.getState().nodes.filter((n) => n.type === 'agent').length;
    if (steps <= BIG_LAYOUT) return tidyNow();
    // Laying out hundreds of steps takes a moment: say so, and let the message appear first.
    tidying.current = true;
    const id = toast.show({ message: `Tidying up ${steps.toLocaleString('en')} steps…`, duration: 20_000 });
    window.setTimeout(() => {
      try {
        tidyNow();
      } finally {
        toast.dismiss(id);
        tidying.current = false;
      }
    }, 50);
  }, [store, tidyNow, toast]);

  const addNote = useCallback(() => {
    const { width, height } = rf.getState();
    const dom = rf.getState().domNode?.getBoundingClientRect();
    const centre = flow.screenToFlowPosition({ x: (dom?.left ?? 0) + width / 2, y: (dom?.top ?? 0) + height / 2 });
    store.getState().addNote({ x: Math.round(centre.x - NOTE_WIDTH / 2), y: Math.round(centre.y - NOTE_HEIGHT / 2) });
  }, [flow, rf, store]);

  /** The selection as portable-flow JSON, or null (with a hint) when nothing is selected. */
  const copyText = useCallback((): string | null => {
    const { nodes, edges } = store.getState();
    const text = copySelection(nodes, edges);
    if (!text) {
      toast.show({ message: 'Select the steps to copy first (click one, or Shift-drag around several).' });
      return null;
    }
    copied.current = text;
    lastPaste.current = { text, count: 0 };
    return text;
  }, [store, toast]);

  const pasteText = useCallback(
    (text: string) => {
      const count = lastPaste.current?.text === text ? lastPaste.current.count + 1 : 1;
      const ids = store.getState().paste(text, { x: PASTE_OFFSET * count, y: PASTE_OFFSET * count });
      if (!ids) {
        toast.show({ tone: 'error', message: 'The clipboard holds no Muninn steps. Copy steps in a flow (Ctrl+C), or an exported .muninn.json file, then paste again.' });
        return;
      }
      lastPaste.current = { text, count };
      reveal(ids);
    },
    [reveal, store, toast],
  );

  const duplicate = useCallback(() => {
    const text = copyText();
    if (text) pasteText(text);
  }, [copyText, pasteText]);

  /** For the clipboard events: the text copied, put on the system clipboard by the caller. */
  const cut = useCallback((): string | null => {
    const text = copyText();
    if (!text) return null;
    const { nodes, edges } = store.getState();
    void flow.deleteElements({ nodes: nodes.filter((n) => n.selected), edges: edges.filter((e) => e.selected) });
    return text;
  }, [copyText, flow, store]);

  const selectAll = useCallback(() => store.getState().selectAll(), [store]);

  return useMemo(
    () => ({ undo, redo, tidyUp, addNote, copyText, pasteText, duplicate, cut, selectAll, lastCopied: () => copied.current }),
    [undo, redo, tidyUp, addNote, copyText, pasteText, duplicate, cut, selectAll],
  );
}

export type EditorCommands = ReturnType<typeof useEditorCommands>;
