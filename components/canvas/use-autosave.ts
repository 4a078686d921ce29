'use client';

import { useEffect } from 'react';
import { validateOptions } from './schema/validate';
import { isClean, type EditorState } from './store';
import { useEditorStoreApi } from './store-context';
import { isAgentNode } from './types';
import type { SaveFn } from './use-flow-actions';

/** Changes are saved this long after the last one. */
export const AUTOSAVE_DELAY_MS = 2_000;

/** Options objects are replaced on every change, so a verdict per object stays true. */
const verdicts = new WeakMap<object, boolean>();
let lastNodes: EditorState['nodes'] | null = null;
let lastCount = 0;

/**
 * How many steps have problems the editor can see without asking the server (unknown agent,
 * settings that do not fit the agent's schema, JSON still being typed). Cheap to call often:
 * verdicts are cached per options object.
 */
export function localProblemCount(s: Pick<EditorState, 'nodes' | 'catalog' | 'jsonDrafts'>): number {
  const drafts = Object.keys(s.jsonDrafts).length;
  if (s.nodes === lastNodes) return lastCount + drafts;
  let count = 0;
  for (const n of s.nodes) {
    if (!isAgentNode(n)) continue;
    const agent = s.catalog.get(n.data.agentType);
    if (!agent) {
      count++;
      continue;
    }
    let ok = verdicts.get(n.data.options);
    if (ok === undefined) {
      ok = validateOptions(n.data.options, agent.optionsSchema).length === 0;
      verdicts.set(n.data.options, ok);
    }
    if (!ok) count++;
  }
  lastNodes = s.nodes;
  lastCount = count;
  return count + drafts;
}

/**
 * Saves by itself ~2 s after the last change, when the steps look valid. Never over a conflict:
 * once a save was refused because someone else saved, it waits for the person to choose.
 */
export function useAutosave(save: SaveFn, enabled: boolean) {
  const store = useEditorStoreApi();
  useEffect(() => {
    if (!enabled) return;
    let timer: number | undefined;
    const schedule = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(attempt, AUTOSAVE_DELAY_MS);
    };
    function attempt() {
      const s = store.getState();
      if (isClean(s) || s.stale || s.conflict) return;
      if (s.saving || s.dragging) return schedule();
      if (localProblemCount(s) > 0) return; // the next change tries again
      void save({ quiet: true });
    }
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.revision !== prev.revision) schedule();
      // Unfinished JSON fixed without another change: try again.
      else if (s.jsonDrafts !== prev.jsonDrafts && Object.keys(s.jsonDrafts).length === 0) schedule();
    });
    return () => {
      unsubscribe();
      window.clearTimeout(timer);
    };
  }, [enabled, save, store]);
}
