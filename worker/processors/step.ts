import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { executeStep } from '../../server/services/steps';
import type { StepJob } from '../../server/queue/queues';

/**
 * BullMQ processor for one step. Retryable failures throw so BullMQ backs off and retries;
 * failures that cannot succeed (or the last attempt) are recorded by executeStep and end the job.
 */
export async function processStep(job: Job<StepJob>, token?: string): Promise<string> {
  const maxAttempts = job.opts.attempts ?? 1;
  const outcome = await executeStep(job.data, { attempt: job.attemptsMade + 1, maxAttempts });
  switch (outcome.kind) {
    case 'succeeded':
      return `emitted ${outcome.emitted}, queued ${outcome.children}`;
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
