import { describe, expect, it } from 'vitest';
import { retryPolicyInfo } from '@/server/services/catalog';
import { flowNodeSchema } from '@/server/engine/graph';
import { boundsFromSchema, compactPolicy, describeRetry, effectivePolicy, parseRetryText, waits } from './retry-policy';

// The same payload the editor gets from agents.retryPolicy.
const { defaults, schema } = retryPolicyInfo();
const bounds = boundsFromSchema(schema);

describe('retry policy editing', () => {
  it('reads the engine’s bounds from the schema', () => {
    expect(bounds.attempts).toEqual({ min: 1, max: 10 });
    expect(bounds.backoffMs).toEqual({ min: 100, max: 3_600_000 });
  });

  it('turns typed text into stored values, seconds into milliseconds, empty into the default', () => {
    expect(parseRetryText('attempts', '5', bounds)).toEqual({ ok: true, value: 5 });
    expect(parseRetryText('backoffMs', '2.5', bounds)).toEqual({ ok: true, value: 2_500 });
    expect(parseRetryText('maxDelayMs', ' 60 ', bounds)).toEqual({ ok: true, value: 60_000 });
    expect(parseRetryText('attempts', '', bounds)).toEqual({ ok: true, value: undefined });
  });

  it('refuses what a save would refuse, saying the allowed range', () => {
    expect(parseRetryText('attempts', '11', bounds)).toEqual({ ok: false, message: 'Enter a whole number of tries from 1 to 10.' });
    expect(parseRetryText('attempts', '2.5', bounds)).toMatchObject({ ok: false });
    expect(parseRetryText('backoffMs', '0.05', bounds)).toMatchObject({ ok: false, message: expect.stringContaining('from 0.1 to 3,600') });
    expect(parseRetryText('maxDelayMs', 'soon', bounds)).toMatchObject({ ok: false, message: expect.stringContaining('(24 hours)') });
    // Whatever the form accepts, the flow format accepts.
    for (const [field, text] of [['attempts', '10'], ['backoffMs', '0.1'], ['maxDelayMs', '86400']] as const) {
      const parsed = parseRetryText(field, text, bounds);
      expect(parsed.ok && flowNodeSchema.shape.retry.safeParse({ [field]: parsed.value }).success).toBe(true);
    }
  });

  it('fills unset fields from the defaults and describes the waits', () => {
    const policy = effectivePolicy({ attempts: 5 }, defaults);
    expect(policy).toEqual({ ...defaults, attempts: 5 });
    expect(waits({ attempts: 6, backoffMs: 1_000, maxDelayMs: 5_000 })).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(describeRetry({ attempts: 1, backoffMs: 1_000, maxDelayMs: 5_000 })).toMatch(/not tried again/);
    expect(describeRetry({ attempts: 3, backoffMs: 1_000, maxDelayMs: 300_000 })).toMatch(/up to 2 more times, waiting about 1\.0 s, 2\.0 s between tries/);
  });

  it('drops the policy entirely when every field is back to the default', () => {
    expect(compactPolicy({ attempts: undefined, backoffMs: undefined })).toBeUndefined();
    expect(compactPolicy({ attempts: 4, backoffMs: undefined })).toEqual({ attempts: 4 });
  });
});
