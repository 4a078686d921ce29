import { randomFillSync } from 'node:crypto';

/**
 * UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then a counter and random bits. Ids
 * made by one process sort in the order they were made, even within one millisecond (a 12-bit
 * sequence in `rand_a`, and the clock is not allowed to go backwards). We use them for runs,
 * steps and events: "the order a step emitted its events" is then simply the order of their ids,
 * and new rows land at the right edge of the primary-key index instead of on random pages.
 */
let lastMs = 0;
let seq = 0;
const random = Buffer.alloc(10);

export function uuidv7(now = Date.now()): string {
  let ms = Math.max(now, lastMs);
  if (ms === lastMs) {
    seq++;
    if (seq > 0xfff) {
      // 4,096 ids in one millisecond: borrow the next millisecond rather than repeat an order.
      ms++;
      seq = 0;
    }
  } else {
    seq = 0;
  }
  lastMs = ms;
  randomFillSync(random);
  const hex = ms.toString(16).padStart(12, '0');
  const randA = (0x7000 | seq).toString(16);
  const variant = ((random[0]! & 0x3f) | 0x80).toString(16).padStart(2, '0');
  const rest = random.subarray(1, 8).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${randA}-${variant}${rest.slice(0, 2)}-${rest.slice(2, 14)}`;
}
