import type { Queue } from 'bullmq';
import { STEP_QUEUE, stepQueue } from '../../queue/queues';
import { SCHEDULE_QUEUE, scheduleQueue } from '../schedules';

export interface QueueDepth {
  queue: string;
  /** Ready to run (BullMQ's wait, paused and prioritized lists). */
  waiting: number;
  active: number;
  /** Waiting for their time: retry backoff, delay nodes, Retry-After. */
  delayed: number;
  /** Kept failed jobs (BullMQ keeps the last 5,000; the run records are the real history). */
  failed: number;
  /** Age of the job that has waited longest to start, in seconds; null when none waits. */
  oldestWaitingSeconds: number | null;
}

function queues(): Array<[string, Queue]> {
  return [
    [STEP_QUEUE, stepQueue() as unknown as Queue],
    [SCHEDULE_QUEUE, scheduleQueue() as unknown as Queue],
  ];
}

/**
 * Depth of every Muninn queue. Instance-wide: the queues are shared by all workspaces (a busy
 * neighbour shows here), which is what operators and the autoscaler need.
 */
export async function queueDepths(now = Date.now()): Promise<QueueDepth[]> {
  return Promise.all(
    queues().map(async ([name, queue]) => {
      const counts = await queue.getJobCounts('wait', 'paused', 'prioritized', 'active', 'delayed', 'failed');
      // BullMQ pushes new jobs at the head of the wait list: the oldest is at the tail (asc = true).
      const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
      // A delayed job (retry, delay node) only started waiting when its delay ran out.
      const since = oldest ? oldest.timestamp + (oldest.delay ?? 0) : null;
      return {
        queue: name,
        waiting: (counts.wait ?? 0) + (counts.paused ?? 0) + (counts.prioritized ?? 0),
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
        oldestWaitingSeconds: since === null ? null : Math.max(0, (now - since) / 1000),
      };
    }),
  );
}
