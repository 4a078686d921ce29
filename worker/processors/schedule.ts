import type { Job } from 'bullmq';
import { AppError } from '../../server/errors';
import { startRun } from '../../server/services/runs';
import type { ScheduleTick } from '../../server/services/schedules';

/**
 * One schedule tick → at most one run. BullMQ gives each tick one job; the job id is also the
 * run's dedup key, so a redelivered tick (worker crash) finds its run instead of starting another.
 */
export async function processScheduleTick(job: Job<ScheduleTick>): Promise<string> {
  const { workspaceId, flowId, nodeId } = job.data;
  const scheduledAt = new Date(job.opts.prevMillis ?? job.timestamp).toISOString();
  try {
    const { runId, duplicate } = await startRun(workspaceId, {
      flowId,
      triggerKind: 'schedule',
      nodeId,
      payload: { scheduledAt },
      requireActive: true,
      dedupKey: `tick:${job.id}`,
    });
    return duplicate ? `already started ${runId}` : `started ${runId}`;
  } catch (e) {
    // The flow was deleted, deactivated or lost its schedule node: nothing to run.
    if (e instanceof AppError && e.code === 'NOT_FOUND') return `skipped: ${e.message}`;
    throw e;
  }
}
