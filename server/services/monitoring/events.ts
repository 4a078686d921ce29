import type { Redis } from 'ioredis';
import { db } from '../../db';
import { createRedis } from '../../queue/connection';
import type { NodeRunStatus, RunStatus } from '../../generated/prisma/client';
import { countingPipeline, pipelineCounts } from './counters';
import { monitoringKey, monitoringRedis, runEventsChannel } from './redis';

/**
 * Live run updates. After a commit that changes a run or one of its steps, the process that made
 * the change calls `publishRunChange`; it reads the committed state and publishes a small
 * notification on Redis pub/sub. Browsers never poll: each web process keeps ONE subscriber
 * connection and fans notifications out to its server-sent-event streams (run-stream.ts).
 *
 * Notifications carry ids and statuses only — never payloads — so a client refetches what it
 * shows (monitoring.runs, runs.get) when it hears about a change.
 */
export interface RunChange {
  runId: string;
  flowId: string;
  workspaceId: string;
  /** The run's status after the change. */
  status: RunStatus;
  /** Set when a step changed: its node … */
  nodeId?: string;
  /** … and the step's status. */
  stepStatus?: NodeRunStatus;
}

const TERMINAL_RUN: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled']);
const COUNTED_STEP: ReadonlySet<NodeRunStatus> = new Set(['succeeded', 'failed', 'retrying']);

/** Flows whose runs finished since the alert evaluator last looked (worker/maintenance.ts). */
export function alertsDirtyKey(): string {
  return monitoringKey('alerts', 'dirty-flows');
}

/** What an announcement needs to know about a run, as committed. */
export interface RunSnapshot {
  id: string;
  flowId: string;
  workspaceId: string;
  status: RunStatus;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** A step's NodeRun as committed. */
export interface StepSnapshot {
  id: string;
  nodeId: string;
  status: NodeRunStatus;
  attempt: number;
  agentType: string;
  durationMs: number | null;
}

/**
 * Announces that run `runId` (and, with `step`, the step of `step.nodeId` on input event
 * `step.eventId`) changed, reading the committed state first. Call it after the transaction
 * commits. Never throws: live updates and counters are best effort and must not fail a step or a
 * request. Callers that already know the committed state use `announceRunChange` (no reads).
 */
export async function publishRunChange(runId: string, step?: { nodeId: string; eventId: string }): Promise<void> {
  try {
    const run = await db().run.findUnique({
      where: { id: runId },
      select: { id: true, flowId: true, workspaceId: true, status: true, startedAt: true, finishedAt: true },
    });
    if (!run) return;
    const nodeRun = step
      ? await db().nodeRun.findUnique({
          where: { runId_nodeId_inputEventId: { runId, nodeId: step.nodeId, inputEventId: step.eventId } },
          select: { id: true, nodeId: true, status: true, attempt: true, agentType: true, durationMs: true },
        })
      : null;
    await announceRunChange(run, nodeRun ? [nodeRun] : step ? [{ nodeId: step.nodeId }] : []);
  } catch (e) {
    console.warn(`[monitoring] run ${runId}: change not announced: ${(e as Error).message}`);
  }
}

/**
 * Publishes one notification per step (or one for the run), counts finished runs and step
 * outcomes for /api/metrics (counters.ts, idempotent per transition) and marks the flow for alert
 * evaluation when the run ended. Never throws.
 */
export async function announceRunChange(run: RunSnapshot, steps: Array<StepSnapshot | { nodeId: string }> = []): Promise<void> {
  try {
    const redis = monitoringRedis();
    const base = { runId: run.id, flowId: run.flowId, workspaceId: run.workspaceId, status: run.status };
    const changes: RunChange[] = steps.length
      ? steps.map((s) => ({ ...base, nodeId: s.nodeId, ...('status' in s ? { stepStatus: s.status } : {}) }))
      : [base];
    const ended = TERMINAL_RUN.has(run.status) && run.finishedAt ? run.finishedAt : null;
    // One round trip for all of it: a busy worker announces thousands of changes a second.
    const pipeline = countingPipeline(redis);
    for (const change of changes) pipeline.publish(runEventsChannel(), JSON.stringify(change));
    pipelineCounts(pipeline, {
      steps: steps.filter((s): s is StepSnapshot => 'status' in s && COUNTED_STEP.has(s.status)),
      ...(ended ? { run: { id: run.id, status: run.status, finishedAt: ended, durationMs: run.startedAt ? ended.getTime() - run.startedAt.getTime() : null } } : {}),
    });
    if (ended) pipeline.sadd(alertsDirtyKey(), run.flowId);
    await pipeline.exec();
  } catch (e) {
    console.warn(`[monitoring] run ${run.id}: change not announced: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The per-process subscriber

type Listener = (change: RunChange) => void;

interface Hub {
  listeners: Map<string, Set<Listener>>;
  subscriber?: Redis;
  ready?: Promise<void>;
}

const g = globalThis as unknown as { __muninnRunEventHub?: Hub };
const hub: Hub = (g.__muninnRunEventHub ??= { listeners: new Map<string, Set<Listener>>() });

function dispatch(channel: string, message: string): void {
  if (channel !== runEventsChannel()) return;
  let change: RunChange;
  try {
    change = JSON.parse(message) as RunChange;
  } catch {
    return;
  }
  for (const listener of hub.listeners.get(change.workspaceId) ?? []) {
    try {
      listener(change);
    } catch (e) {
      console.warn(`[monitoring] run event listener: ${(e as Error).message}`);
    }
  }
}

function ensureSubscribed(): Promise<void> {
  if (!hub.ready) {
    const subscriber = createRedis('worker');
    subscriber.on('message', dispatch);
    hub.subscriber = subscriber;
    // ioredis subscribes again by itself after a reconnect.
    hub.ready = subscriber.subscribe(runEventsChannel()).then(
      () => undefined,
      (e: unknown) => {
        hub.ready = undefined;
        hub.subscriber = undefined;
        subscriber.disconnect();
        throw e;
      },
    );
  }
  return hub.ready;
}

/**
 * Calls `listener` for every change of a run of `workspaceId`, in this process, until the
 * returned function is called. Resolves once the subscription is active, so a caller that then
 * reads the current state misses nothing.
 */
export async function subscribeRunChanges(workspaceId: string, listener: Listener): Promise<() => void> {
  let set = hub.listeners.get(workspaceId);
  if (!set) hub.listeners.set(workspaceId, (set = new Set()));
  set.add(listener);
  try {
    await ensureSubscribed();
  } catch (e) {
    set.delete(listener);
    throw e;
  }
  return () => {
    const current = hub.listeners.get(workspaceId);
    current?.delete(listener);
    if (current?.size === 0) hub.listeners.delete(workspaceId);
  };
}

/** Number of live listeners in this process (tests, diagnostics). */
export function runChangeListenerCount(): number {
  let n = 0;
  for (const set of hub.listeners.values()) n += set.size;
  return n;
}

/** Closes the subscriber (shutdown, tests). Listeners stay registered for a later subscription. */
export async function closeRunEvents(): Promise<void> {
  const subscriber = hub.subscriber;
  hub.subscriber = undefined;
  hub.ready = undefined;
  if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
}
