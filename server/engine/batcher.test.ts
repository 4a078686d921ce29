import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher';

describe('createBatcher', () => {
  it('serves a lone call at once and groups calls that arrive while a batch is in flight', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const call = createBatcher(async (items: number[]) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items.map((i) => i * 10);
    });
    const first = call(1);
    const rest = [call(2), call(3), call(4)];
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('retries each item alone when a batch fails, so one bad item fails only its own caller', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const call = createBatcher(async (items: number[]) => {
      calls++;
      if (calls === 1) await gate;
      if (items.includes(13)) throw new Error('unlucky');
      return items;
    });
    const first = call(1);
    const good = call(2);
    const bad = call(13);
    release();
    await first;
    expect(await good).toBe(2);
    await expect(bad).rejects.toThrow('unlucky');
  });

  it('caps the batch size', async () => {
    const sizes: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const call = createBatcher(async (items: number[]) => {
      sizes.push(items.length);
      if (sizes.length === 1) await gate;
      return items;
    }, 2);
    const all = [call(0), call(1), call(2), call(3), call(4)];
    release();
    await Promise.all(all);
    expect(sizes).toEqual([1, 2, 2]);
  });
});
