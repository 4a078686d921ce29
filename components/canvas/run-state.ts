import type { RunDetail, StepStatus } from '../trpc/types';

/** A node's part in one run: how its steps went, and how many events it sent on. */
export interface NodeRunState {
  status: StepStatus;
  /** Events the node emitted in the run (all of its steps together). */
  events: number;
  /** How many times it ran (once per event it received). */
  steps: number;
}

/** When one node ran several times, the most telling status wins: still working, then trouble, then done. */
const rank: Record<StepStatus, number> = { running: 5, retrying: 4, failed: 3, cancelled: 2, succeeded: 1 };

export function runStateOf(run: RunDetail | undefined): Record<string, NodeRunState> {
  const state: Record<string, NodeRunState> = {};
  for (const step of run?.steps ?? []) {
    const current = state[step.nodeId];
    if (!current) {
      state[step.nodeId] = { status: step.status, events: step.outputs.length, steps: 1 };
      continue;
    }
    current.steps += 1;
    current.events += step.outputs.length;
    if (rank[step.status] > rank[current.status]) current.status = step.status;
  }
  return state;
}
