import { z } from 'zod';

/**
 * Settings, validated once. A bad value fails loudly at start-up with the variable's name.
 * Read lazily so that tests and scripts can set process.env before first use.
 */
const schema = z.object({
  DATABASE_URL: z.string().url().default('postgresql://postgres@127.0.0.1:5432/muninn'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** Prefix for every Redis key, so several installations (or test files) can share one Redis. */
  MUNINN_QUEUE_PREFIX: z.string().default('muninn'),
  MUNINN_API_TOKEN: z.string().min(16).optional(),
  /** When set, GET /api/metrics requires `Authorization: Bearer <this>`. */
  MUNINN_METRICS_TOKEN: z.string().min(1).optional(),
  MUNINN_PUBLIC_URL: z.string().optional(),
  /** Mail sent by Muninn itself (password resets, invitations); unset: printed to the server log. */
  MUNINN_SMTP_URL: z.string().url().optional(),
  MUNINN_MAIL_FROM: z.string().default('Muninn <no-reply@localhost>'),
  /** "false": only the first account and invited people can sign up. */
  MUNINN_ALLOW_SIGNUP: z.enum(['true', 'false']).default('true'),
  /** Comma-separated hosts or CIDRs that agents may reach even though they are private/loopback. */
  MUNINN_ALLOWED_HOSTS: z.string().default(''),
  MUNINN_MAX_PAYLOAD_BYTES: z.coerce.number().int().positive().default(1_000_000),
  MUNINN_MAX_EVENTS_PER_STEP: z.coerce.number().int().positive().default(1_000),
  MUNINN_MAX_STEPS_PER_RUN: z.coerce.number().int().positive().default(10_000),
  MUNINN_STEP_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(8),
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
});

export type Env = z.infer<typeof schema>;
let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid settings in the environment:\n${lines.join('\n')}`);
  }
  cached = parsed.data;
  return cached;
}

/** For tests that change process.env between cases. */
export function resetEnvCache(): void {
  cached = undefined;
}
