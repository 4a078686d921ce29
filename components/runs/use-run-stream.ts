'use client';

import { useEffect, useRef, useState } from 'react';

/** One message of GET /api/runs/stream (docs/monitoring.md): which run changed, and to what. */
export interface RunChange {
  runId: string;
  flowId: string;
  status: string;
  nodeId?: string;
  stepStatus?: string;
}

/**
 * - connecting: opening (or re-opening) the stream;
 * - live: the server pushes every change, nothing needs to poll;
 * - offline: the stream could not be kept open; callers fall back to slow polling.
 */
export type StreamState = 'connecting' | 'live' | 'offline';

/** How often pages poll when the stream is not available (only while something is still going). */
export const SLOW_POLL_MS = 15_000;

/** Errors in a row (without a successful `ready` between them) before we stop and poll instead. */
const MAX_ERRORS = 3;
/** After giving up, try the stream again this much later. */
const REOPEN_AFTER_MS = 60_000;

interface Listener {
  /** null: (re)connected, anything may have changed. */
  onChange: (change: RunChange | null) => void;
  onState: (state: StreamState) => void;
}

/** One EventSource per address, shared by every component of the page that watches it. */
interface Hub {
  listeners: Set<Listener>;
  state: StreamState;
  source: EventSource | null;
  errors: number;
  reopenTimer?: number;
}

const hubs = new Map<string, Hub>();

function setHubState(hub: Hub, state: StreamState) {
  hub.state = state;
  for (const l of hub.listeners) l.onState(state);
}

function openHub(url: string, hub: Hub) {
  const source = new EventSource(url);
  hub.source = source;
  source.addEventListener('ready', () => {
    hub.errors = 0;
    setHubState(hub, 'live');
    for (const l of hub.listeners) l.onChange(null);
  });
  source.addEventListener('run', (e) => {
    let change: RunChange | null = null;
    try {
      change = JSON.parse((e as MessageEvent<string>).data) as RunChange;
    } catch {
      // A message we cannot read: treat it as "something changed".
    }
    for (const l of hub.listeners) l.onChange(change);
  });
  source.onerror = () => {
    hub.errors += 1;
    // CLOSED: the server refused (signed out, not found), and the browser will not retry by itself.
    if (source.readyState === EventSource.CLOSED || hub.errors >= MAX_ERRORS) {
      source.close();
      hub.source = null;
      setHubState(hub, 'offline');
      hub.reopenTimer = window.setTimeout(() => {
        hub.errors = 0;
        setHubState(hub, 'connecting');
        openHub(url, hub);
      }, REOPEN_AFTER_MS);
    } else {
      setHubState(hub, 'connecting');
    }
  };
}

function subscribe(url: string, listener: Listener): () => void {
  let hub = hubs.get(url);
  if (!hub) {
    hub = { listeners: new Set(), state: 'connecting', source: null, errors: 0 };
    hubs.set(url, hub);
    openHub(url, hub);
  }
  hub.listeners.add(listener);
  listener.onState(hub.state);
  const h = hub;
  return () => {
    h.listeners.delete(listener);
    if (h.listeners.size === 0) {
      h.source?.close();
      window.clearTimeout(h.reopenTimer);
      hubs.delete(url);
    }
  };
}

interface Options {
  /** Watch one run, one flow, or (an empty object) every run of the workspace. Null: do not connect. */
  target: { runId?: string; flowId?: string } | null;
  /**
   * Called with the changes that arrived since the last call, at most once per `throttleMs`;
   * with an empty list after (re)connecting, when anything may have been missed.
   */
  onChanges: (changes: RunChange[]) => void;
  throttleMs?: number;
}

function streamUrl(target: { runId?: string; flowId?: string }): string {
  if (target.runId) return `/api/runs/stream?runId=${encodeURIComponent(target.runId)}`;
  if (target.flowId) return `/api/runs/stream?flowId=${encodeURIComponent(target.flowId)}`;
  return '/api/runs/stream';
}

/**
 * Live run updates over server-sent events (GET /api/runs/stream). Messages carry no data, only
 * "this run changed", so callers refetch; bursts are coalesced (throttleMs) so a busy workspace
 * cannot cause a refetch storm. When the stream fails the state turns 'offline' and callers poll
 * slowly (SLOW_POLL_MS) instead; the stream is tried again a minute later.
 */
export function useRunStream({ target, onChanges, throttleMs = 300 }: Options): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const callback = useRef(onChanges);
  useEffect(() => {
    callback.current = onChanges;
  });
  const url = target ? streamUrl(target) : null;

  useEffect(() => {
    if (!url || typeof EventSource === 'undefined') return;
    let pending: RunChange[] | null = null;
    let timer: number | undefined;
    let lastFlush = 0;
    const flush = () => {
      timer = undefined;
      if (!pending) return;
      const batch = pending;
      pending = null;
      lastFlush = Date.now();
      callback.current(batch);
    };
    const unsubscribe = subscribe(url, {
      onState: setState,
      onChange: (change) => {
        pending = [...(pending ?? []), ...(change ? [change] : [])];
        if (timer === undefined) timer = window.setTimeout(flush, Math.max(50, lastFlush + throttleMs - Date.now()));
      },
    });
    return () => {
      unsubscribe();
      window.clearTimeout(timer);
    };
  }, [url, throttleMs]);

  return url ? state : 'offline';
}
