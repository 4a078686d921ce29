import { z } from 'zod';

/** "30s", "10m", "2h", "7d". Used by dedup, merge and delay. */
export const durationSchema = z
  .string()
  .trim()
  .regex(/^\d{1,6}\s*[smhd]$/, 'Write a duration like 30s, 10m, 2h or 7d');

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseDuration(text: string): number {
  const m = /^(\d{1,6})\s*([smhd])$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration like 10m, 2h or 7d`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

