import { DelayedError, UnrecoverableError, type Job, type MinimalJob } from 'bullmq';
import { executeStep } from '../../server/services/steps';
import { publishRunChange } from '../../server/services/monitoring/events';
import { stepBackoff, type StepJobData } from '../../server/queue/queues';

/**
 * BullMQ processor for one step. Retryable failures throw so BullMQ backs off and retries;
 * failures that cannot succeed (or the last attempt) are recorded by executeStep and end the job.
 */
export async function processStep(job: Job<StepJobData>, token?: string): Promise<string> {
  const maxAttempts = job.opts.attempts ?? 1;
  const { runId, nodeId, eventId } = job.data;
  const outcome = await executeStep({ runId, nodeId, eventId }, { attempt: job.attemptsMade + 1, maxAttempts });
  // Live updates, metrics counters and alert evaluation learn about the committed step (and run).
  // (A step recorded on the fast path has announced itself from what its statement returned.)
  if (outcome.kind !== 'skipped' && !(outcome.kind === 'succeeded' && outcome.announced)) await publishRunChange(runId, { nodeId, eventId });
  switch (outcome.kind) {
    case 'succeeded':
      return `emitted ${outcome.emitted}, queued ${outcome.children}${outcome.inline ? `, ran ${outcome.inline} inline` : ''}`;
    case 'skipped':
      return `skipped: ${outcome.reason}`;
    case 'failed':
      throw new UnrecoverableError(outcome.error);
    case 'retry':
      if (outcome.retryAfterMs && token) {
        // Honour the server's Retry-After instead of our own backoff.
        await job.moveToDelayed(Date.now() + outcome.retryAfterMs, token);
        throw new DelayedError();
      }
      throw new Error(outcome.error);
  }
}

/** BullMQ custom backoff: our jittered exponential, capped by the node's max delay. */
export function backoffStrategy(attemptsMade: number, type?: string, _err?: Error, job?: MinimalJob<StepJobData>): number {
  const base = typeof job?.opts.backoff === 'object' ? (job.opts.backoff.delay ?? 1_000) : 1_000;
  if (type !== 'muninn') return base;
  return stepBackoff(attemptsMade, base, job?.data.maxDelayMs);
}
