import { db } from '@/server/db';
import { stepQueue } from '@/server/queue/queues';

export const dynamic = 'force-dynamic';

/** Readiness of the web app: Postgres and Redis both answer. */
export async function GET(): Promise<Response> {
  const checks: Record<string, string> = {};
  await Promise.all([
    db()
      .$queryRaw`SELECT 1`.then(() => (checks.database = 'ok'))
      .catch((e: Error) => (checks.database = e.message)),
    stepQueue()
      .client.then((c) => (c as unknown as { ping(): Promise<string> }).ping())
      .then(() => (checks.redis = 'ok'))
      .catch((e: Error) => (checks.redis = e.message)),
  ]);
  const ok = Object.values(checks).every((v) => v === 'ok');
  return Response.json({ status: ok ? 'ok' : 'degraded', checks }, { status: ok ? 200 : 503 });
}
