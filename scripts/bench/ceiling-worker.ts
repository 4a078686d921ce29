// The ceiling for `npm run bench`: raw BullMQ doing what the engine's queue work amounts to,
// with no Postgres at all. A "run" is a chain of 3 no-op jobs; each job adds the next one (with
// a deterministic job id, as the engine's relay does) before it completes. Started as a child
// process with an IPC channel, once per worker process of the configuration being measured.
//
// env: REDIS_URL, BENCH_PREFIX, BENCH_CONCURRENCY, BENCH_CHAIN (default 3)
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';

interface ChainJob {
  run: number;
  step: number;
  t0: number;
}

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `{${process.env.BENCH_PREFIX ?? 'muninn-bench-ceiling'}}`;
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const chain = Number(process.env.BENCH_CHAIN ?? 3);
const jobOptions = { attempts: 3, removeOnComplete: { count: 1_000 }, removeOnFail: { count: 5_000 } };

const producer = new Redis(url, { maxRetriesPerRequest: 2 });
const queue = new Queue<ChainJob>('chain', { connection: producer, prefix, defaultJobOptions: jobOptions });
/** [run number, finished at (ms since epoch)] of every chain this process completed. */
const finished: Array<[number, number]> = [];

const worker = new Worker<ChainJob>(
  'chain',
  async (job: Job<ChainJob>) => {
    const { run, step, t0 } = job.data;
    if (step < chain) {
      await queue.add('step', { run, step: step + 1, t0 }, { jobId: `c${run}-${step + 1}` });
    } else {
      finished.push([run, Date.now()]);
    }
  },
  { connection: new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: false }), prefix, concurrency },
);
worker.on('error', (e) => console.error(`[ceiling] ${e.message}`));

const progress = setInterval(() => process.send?.({ type: 'progress', done: finished.length }), 100);

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'report') process.send?.({ type: 'report', finished });
  if (msg.type === 'stop') {
    clearInterval(progress);
    void Promise.all([worker.close(), queue.close()]).finally(() => {
      producer.disconnect();
      process.exit(0);
    });
  }
});

void worker.waitUntilReady().then(() => process.send?.({ type: 'ready' }));
