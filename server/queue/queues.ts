import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { env } from '../env';
import { createRedis } from './connection';

/** Name of the queue that carries one job per step. */
export const STEP_QUEUE = 'steps';

/** Job payload: identifiers only. Secrets and event payloads stay in Postgres. */
export interface StepJob {
  runId: string;
  nodeId: string;
  eventId: string;
}

export interface StepJobData extends StepJob {
  /** Upper bound of the retry delay for this node. */
  maxDelayMs?: number;
}

/**
 * Exponential backoff with jitter (between half and all of the exponential bound, capped), so
 * that many steps failing together against one API do not all retry at the same instant.
 */
export function stepBackoff(attemptsMade: number, baseMs: number, maxDelayMs = 300_000, random = Math.random): number {
  const bound = Math.min(maxDelayMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.max(Math.round(baseMs / 2), Math.round(bound * (0.5 + random() / 2)));
}

/** The prefix is hash-tagged ({…}) so every key of a queue lands in one Redis Cluster slot. */
export function queuePrefix(): string {
  return `{${env().MUNINN_QUEUE_PREFIX}}`;
}

/** Deterministic job id: the same step can never be queued twice at once. */
export function stepJobId(step: StepJob): string {
  return `${step.runId}:${step.nodeId}:${step.eventId}`;
}

export const defaultStepJobOptions: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { count: 1_000 },
  removeOnFail: { count: 5_000 },
};

const g = globalThis as unknown as { __muninnStepQueue?: Queue<StepJobData>; __muninnProducerRedis?: Redis };

export function stepQueue(): Queue<StepJobData> {
  if (!g.__muninnStepQueue) {
    g.__muninnProducerRedis ??= createRedis('producer');
    g.__muninnStepQueue = new Queue<StepJobData>(STEP_QUEUE, {
      connection: g.__muninnProducerRedis,
      prefix: queuePrefix(),
      defaultJobOptions: defaultStepJobOptions,
    });
    g.__muninnStepQueue.on('error', (err) => console.error(`[queue] ${err.message}`));
  }
  return g.__muninnStepQueue;
}

export async function closeQueues(): Promise<void> {
  await g.__muninnStepQueue?.close();
  g.__muninnProducerRedis?.disconnect();
  g.__muninnStepQueue = undefined;
  g.__muninnProducerRedis = undefined;
}
