import type { Redis } from 'ioredis';
import { monitoringKey } from './redis';

/**
 * Run and step counters for /api/metrics, kept in Redis by the processes that change runs.
 *
 * Why Redis and not the database: Prometheus counters must only go up and must add up across
 * processes. Counting rows in Postgres at scrape time goes down when retention deletes runs and
 * costs a scan of the Run table every 15 s; counters maintained in Postgres would add a hot row to
 * every step's transaction. A Redis HINCRBY per finished run or step costs nothing, is shared by
 * every web and worker process, and survives their restarts.
 *
 * Each increment is guarded by a short-lived "seen" key of the transition it counts (run id +
 * status + finish time, NodeRun id + attempt + status), so announcing the same change twice counts
 * it once. A process that dies between its commit and the increment loses that one count; the
 * counters are for dashboards and alerts on rates, not for billing.
 */

/** Upper bounds (seconds) of the duration histogram buckets; +Inf is implied. */
export const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600] as const;

/** How long a counted transition is remembered; duplicates arrive within milliseconds. */
const SEEN_TTL_SECONDS = 900;

const COUNT_SCRIPT = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[5]) then
  redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
  if ARGV[2] ~= '' then
    redis.call('HINCRBY', KEYS[3], ARGV[4] .. '|' .. ARGV[2], 1)
    redis.call('HINCRBYFLOAT', KEYS[3], ARGV[4] .. '|sum', ARGV[3])
    redis.call('HINCRBY', KEYS[3], ARGV[4] .. '|count', 1)
  end
  return 1
end
return 0`;

/** seen key, counter key, histogram key, label, bucket, seconds, histogram label, ttl. */
type CountArgs = [string, string, string, string, string, string, string, string];

type CountingRedis = Redis & {
  muninnCount(...args: CountArgs): Promise<number>;
};

function withScript(redis: Redis): CountingRedis {
  const r = redis as CountingRedis;
  if (typeof r.muninnCount !== 'function') redis.defineCommand('muninnCount', { numberOfKeys: 3, lua: COUNT_SCRIPT });
  return r;
}

export function bucketIndex(seconds: number): number {
  const i = DURATION_BUCKETS.findIndex((le) => seconds <= le);
  return i === -1 ? DURATION_BUCKETS.length : i;
}

const keys = {
  runs: () => monitoringKey('metrics', 'runs'),
  runDuration: () => monitoringKey('metrics', 'run-duration'),
  steps: () => monitoringKey('metrics', 'steps'),
  stepDuration: () => monitoringKey('metrics', 'step-duration'),
};

/** Arguments of the counting script for one transition. */
function countArgs(kind: 'runs' | 'steps', seenId: string, label: string, durationMs: number | null): CountArgs {
  const seconds = durationMs === null ? null : Math.max(0, durationMs) / 1000;
  // The histogram is labelled by status only (agents × statuses × buckets would be too many series).
  const histogramLabel = label.split('|')[0]!;
  return [
    monitoringKey('metrics', 'seen', kind, seenId),
    kind === 'runs' ? keys.runs() : keys.steps(),
    kind === 'runs' ? keys.runDuration() : keys.stepDuration(),
    label,
    seconds === null ? '' : String(bucketIndex(seconds)),
    seconds === null ? '0' : String(seconds),
    histogramLabel,
    String(SEEN_TTL_SECONDS),
  ];
}

const runArgs = (run: { id: string; status: string; finishedAt: Date; durationMs: number | null }) =>
  countArgs('runs', `${run.id}:${run.status}:${run.finishedAt.getTime()}`, run.status, run.durationMs);
const stepArgs = (step: { id: string; status: string; attempt: number; agentType: string; durationMs: number | null }) =>
  countArgs('steps', `${step.id}:${step.attempt}:${step.status}`, `${step.status}|${step.agentType}`, step.durationMs);

/** Counts one transition once. */
async function count(redis: Redis, args: CountArgs): Promise<boolean> {
  return (await withScript(redis).muninnCount(...args)) === 1;
}

export function countRunFinished(redis: Redis, run: { id: string; status: string; finishedAt: Date; durationMs: number | null }): Promise<boolean> {
  return count(redis, runArgs(run));
}

export function countStepOutcome(
  redis: Redis,
  step: { id: string; status: string; attempt: number; agentType: string; durationMs: number | null },
): Promise<boolean> {
  return count(redis, stepArgs(step));
}

/** A pipeline that can count (the script must be defined before the pipeline is made). */
export function countingPipeline(redis: Redis): ReturnType<Redis['pipeline']> {
  return withScript(redis).pipeline();
}

/**
 * Queues the counting of a run's and its steps' transitions on a pipeline from countingPipeline,
 * so an announcement that counts several transitions costs one round trip (see announceRunChange).
 */
export function pipelineCounts(
  pipeline: ReturnType<Redis['pipeline']>,
  transitions: {
    run?: { id: string; status: string; finishedAt: Date; durationMs: number | null };
    steps: Array<{ id: string; status: string; attempt: number; agentType: string; durationMs: number | null }>;
  },
): void {
  // ioredis types pipelines without the commands defined on the connection.
  const p = pipeline as unknown as { muninnCount(...args: CountArgs): unknown };
  for (const step of transitions.steps) p.muninnCount(...stepArgs(step));
  if (transitions.run) p.muninnCount(...runArgs(transitions.run));
}

export interface HistogramSnapshot {
  /** Non-cumulative counts per bucket of DURATION_BUCKETS, plus the +Inf bucket last. */
  buckets: number[];
  sum: number;
  count: number;
}

export interface CounterSnapshot {
  runs: Record<string, number>;
  /** Keyed by "status|agentType". */
  steps: Record<string, number>;
  runDuration: Record<string, HistogramSnapshot>;
  stepDuration: Record<string, HistogramSnapshot>;
}

function histograms(hash: Record<string, string>): Record<string, HistogramSnapshot> {
  const out: Record<string, HistogramSnapshot> = {};
  for (const [field, value] of Object.entries(hash)) {
    const cut = field.lastIndexOf('|');
    const label = field.slice(0, cut);
    const part = field.slice(cut + 1);
    const h = (out[label] ??= { buckets: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sum: 0, count: 0 });
    if (part === 'sum') h.sum = Number(value);
    else if (part === 'count') h.count = Number(value);
    else if (/^\d+$/.test(part)) h.buckets[Number(part)] = Number(value);
  }
  return out;
}

function numbers(hash: Record<string, string>): Record<string, number> {
  return Object.fromEntries(Object.entries(hash).map(([k, v]) => [k, Number(v)]));
}

export async function readCounters(redis: Redis): Promise<CounterSnapshot> {
  const [runs, steps, runDuration, stepDuration] = await Promise.all([
    redis.hgetall(keys.runs()),
    redis.hgetall(keys.steps()),
    redis.hgetall(keys.runDuration()),
    redis.hgetall(keys.stepDuration()),
  ]);
  return { runs: numbers(runs), steps: numbers(steps), runDuration: histograms(runDuration), stepDuration: histograms(stepDuration) };
}
