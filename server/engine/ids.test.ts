import { describe, expect, it } from 'vitest';
import { uuidv7 } from './ids';

describe('uuidv7', () => {
  it('is a version 7, RFC 9562 variant UUID that carries its millisecond', () => {
    const id = uuidv7(Date.UTC(2026, 10, 26, 12, 0, 0, 5));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.UTC(2026, 10, 26, 12, 0, 0, 5));
  });

  it('sorts in the order ids were made, within one millisecond and when the clock steps back', () => {
    const t = Date.UTC(2027, 0, 1);
    const ids = [uuidv7(t), uuidv7(t), uuidv7(t), uuidv7(t - 50), uuidv7(t + 1)];
    for (let i = 0; i < 5_000; i++) ids.push(uuidv7(t + 1));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
