import os from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { closeSandbox, runInSandbox, sandboxThreadCount } from './sandbox';

afterAll(() => closeSandbox());

describe('sandbox thread pool', () => {
  it('starts no thread before the first code runs', () => {
    expect(sandboxThreadCount()).toBe(0);
  });

  it('a burst of code steps shares a bounded number of threads', async () => {
    const limit = Math.max(1, Math.min(4, os.availableParallelism()));
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, sandboxThreadCount())), 5);
    try {
      // More tasks than threads, all started at once (each used to start its own thread).
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => runInSandbox({ code: 'return { n: event.n * 2 };', input: { n: i }, limits: { timeoutMs: 20_000 } })),
      );
      expect(results).toEqual(Array.from({ length: 12 }, (_, i) => ({ n: i * 2 })));
    } finally {
      clearInterval(watch);
    }
    peak = Math.max(peak, sandboxThreadCount());
    expect(peak).toBeGreaterThanOrEqual(1);
    expect(peak).toBeLessThanOrEqual(limit);
  }, 60_000);
});
