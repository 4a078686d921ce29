import { createStore } from 'zustand/vanilla';

export type SampleSource = 'edited' | 'last-run' | 'upstream' | 'none';

export interface Sample {
  event: Record<string, unknown>;
  source: SampleSource;
}

/** One shared empty event, so choosing "nothing" twice gives the same object and memoised previews hold. */
const NO_EVENT: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The sample text typed into the Test tab, if it is a JSON object; anything else is no choice. */
export function parseSampleText(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The event to try a step's settings on. A sample the person edited in the Test tab is the one
 * they chose on purpose; otherwise what the step really received last; otherwise an example of
 * what the step before it sends; otherwise nothing (an empty event).
 */
export function chooseSample(input: { edited?: Record<string, unknown>; lastInput?: unknown; upstreamExample?: unknown }): Sample {
  if (input.edited) return { event: input.edited, source: 'edited' };
  if (isObject(input.lastInput)) return { event: input.lastInput, source: 'last-run' };
  if (isObject(input.upstreamExample)) return { event: input.upstreamExample, source: 'upstream' };
  return { event: NO_EVENT, source: 'none' };
}

export const sampleLabels: Record<SampleSource, string> = {
  edited: 'Preview with the sample event from the Test tab',
  'last-run': 'Preview with the last event this step received',
  upstream: 'Preview with an example of what the step before sends',
  none: 'Preview with an empty event: this step has not run yet and nothing comes before it',
};

/**
 * Sample events typed into the Test tab, per flow and step, for this browser tab only: they are
 * scratch data, never saved, but they survive switching steps and tabs.
 */
export const editedSamples = createStore<{ texts: Record<string, string>; set: (key: string, text: string) => void }>()((set) => ({
  texts: {},
  set: (key, text) => set((s) => ({ texts: { ...s.texts, [key]: text } })),
}));

export const sampleKey = (flowId: string, nodeId: string) => `${flowId} ${nodeId}`;
