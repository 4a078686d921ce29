import { timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Registry } from 'prom-client';
import { db } from '../../db';
import { env } from '../../env';
import { AppError } from '../../errors';
import { DURATION_BUCKETS, readCounters, type HistogramSnapshot } from './counters';
import { readHeartbeats } from './heartbeat';
import { queueDepths } from './queue-depth';
import { monitoringRedis } from './redis';

/**
 * GET /api/metrics in Prometheus text format. A fresh Registry per scrape (never prom-client's
 * global one), filled from shared state, so every web replica answers the same numbers:
 *
 * - queue gauges from BullMQ (muninn_queue_jobs, muninn_queue_oldest_waiting_seconds, and
 *   muninn_queue_waiting, which KEDA's prometheus trigger in the Helm chart scales workers on);
 * - run and step counters and duration histograms from Redis counters written by the processes
 *   that finish runs and steps (counters.ts explains why Redis);
 * - worker heartbeats from Redis (heartbeat.ts);
 * - runs in progress from Postgres (an index-only count on Run.status).
 *
 * A source that cannot be read leaves its metrics out and sets muninn_monitoring_source_up to 0,
 * so a Redis outage shows as such instead of as a failed scrape.
 */

export function checkMetricsAuth(authorization: string | null): void {
  const token = env().MUNINN_METRICS_TOKEN;
  if (!token) return;
  const given = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim() ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new AppError('UNAUTHORIZED', 'Send the metrics token: "Authorization: Bearer <MUNINN_METRICS_TOKEN>".');
  }
}

/** A histogram whose buckets were counted elsewhere (prom-client's Histogram only observes). */
interface SeriesValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

function externalHistogram(name: string, help: string, labelName: string, series: Record<string, HistogramSnapshot>) {
  const type = 'histogram';
  return {
    name,
    help,
    type,
    aggregator: 'sum' as const,
    get: async () => {
      const values: SeriesValue[] = [];
      for (const [label, h] of Object.entries(series).sort(([a], [b]) => a.localeCompare(b))) {
        let cumulative = 0;
        DURATION_BUCKETS.forEach((le, i) => {
          cumulative += h.buckets[i] ?? 0;
          values.push({ metricName: `${name}_bucket`, labels: { [labelName]: label, le }, value: cumulative });
        });
        cumulative += h.buckets[DURATION_BUCKETS.length] ?? 0;
        values.push({ metricName: `${name}_bucket`, labels: { [labelName]: label, le: '+Inf' }, value: cumulative });
        values.push({ metricName: `${name}_sum`, labels: { [labelName]: label }, value: h.sum });
        values.push({ metricName: `${name}_count`, labels: { [labelName]: label }, value: h.count });
      }
      return { name, help, type, aggregator: 'sum', values };
    },
  };
}

async function settle<T>(work: Promise<T>, source: string, up: Gauge<'source'>): Promise<T | undefined> {
  try {
    const value = await work;
    up.set({ source }, 1);
    return value;
  } catch (e) {
    console.warn(`[metrics] ${source}: ${(e as Error).message}`);
    up.set({ source }, 0);
    return undefined;
  }
}

export async function renderMetrics(now = Date.now()): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  const up = new Gauge({ name: 'muninn_monitoring_source_up', help: 'Whether a source of these metrics could be read (1) or not (0).', labelNames: ['source'], registers: [registry] });

  const [queues, counters, workers, inProgress] = await Promise.all([
    settle(queueDepths(now), 'queues', up),
    settle(readCounters(monitoringRedis()), 'counters', up),
    settle(readHeartbeats(now), 'heartbeats', up),
    settle(
      db().$queryRaw<Array<{ status: string; n: number }>>`
        SELECT status::text AS status, count(*)::int AS n FROM "Run" WHERE status IN ('queued', 'running') GROUP BY status`,
      'database',
      up,
    ),
  ]);

  if (queues) {
    const jobs = new Gauge({ name: 'muninn_queue_jobs', help: 'Jobs in a queue by state.', labelNames: ['queue', 'state'], registers: [registry] });
    const oldest = new Gauge({
      name: 'muninn_queue_oldest_waiting_seconds',
      help: 'Age of the job that has waited longest to start (0 when none waits).',
      labelNames: ['queue'],
      registers: [registry],
    });
    // The Helm chart's KEDA prometheus trigger scales workers on this one (deploy/helm/muninn).
    const waiting = new Gauge({
      name: 'muninn_queue_waiting',
      help: 'Jobs ready to run and waiting for a worker (same as muninn_queue_jobs{state="waiting"}).',
      labelNames: ['queue'],
      registers: [registry],
    });
    for (const q of queues) {
      for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) jobs.set({ queue: q.queue, state }, q[state]);
      oldest.set({ queue: q.queue }, q.oldestWaitingSeconds ?? 0);
      waiting.set({ queue: q.queue }, q.waiting);
    }
  }

  if (counters) {
    const runs = new Counter({ name: 'muninn_runs_total', help: 'Runs that ended, by final status.', labelNames: ['status'], registers: [registry] });
    for (const status of ['succeeded', 'failed', 'cancelled']) runs.inc({ status }, counters.runs[status] ?? 0);
    const steps = new Counter({
      name: 'muninn_steps_total',
      help: 'Step attempts that ended, by outcome (succeeded, failed for good, retrying) and agent type.',
      labelNames: ['status', 'agent'],
      registers: [registry],
    });
    for (const [key, n] of Object.entries(counters.steps)) {
      const [status = '', agent = ''] = key.split('|');
      steps.inc({ status, agent }, n);
    }
    registry.registerMetric(
      externalHistogram('muninn_run_duration_seconds', 'Duration of runs that ended (started → finished).', 'status', counters.runDuration) as never,
    );
    registry.registerMetric(externalHistogram('muninn_step_duration_seconds', 'Duration of step attempts.', 'status', counters.stepDuration) as never);
  }

  if (workers) {
    const beat = new Gauge({
      name: 'muninn_worker_last_heartbeat_seconds',
      help: 'Unix time of the last heartbeat of each worker seen in the last hour.',
      labelNames: ['worker'],
      registers: [registry],
    });
    for (const w of workers) beat.set({ worker: w.worker }, w.lastSeen.getTime() / 1000);
    new Gauge({ name: 'muninn_workers_alive', help: 'Workers whose heartbeat has not expired.', registers: [registry] }).set(workers.filter((w) => w.alive).length);
  }

  if (inProgress) {
    const g = new Gauge({ name: 'muninn_runs_in_progress', help: 'Runs queued or running now.', labelNames: ['status'], registers: [registry] });
    for (const status of ['queued', 'running']) g.set({ status }, inProgress.find((r) => r.status === status)?.n ?? 0);
  }

  return { contentType: registry.contentType, body: await registry.metrics() };
}
