/**
 * Group commit: calls that arrive while a batch is in flight wait, and all of them go together in
 * the next batch — one round trip for many callers. An idle caller is served at once (no timer),
 * so batching costs nothing at low load and grows with it.
 *
 * `run` gets the items in call order and returns one result per item. When a batch of several
 * fails, each item is tried again on its own, so one bad item cannot fail the others.
 */
export function createBatcher<I, O>(run: (items: I[]) => Promise<O[]>, maxBatch = 256): (item: I) => Promise<O> {
  interface Waiter {
    item: I;
    resolve: (o: O) => void;
    reject: (e: unknown) => void;
  }
  let waiting: Waiter[] = [];
  let running = false;

  async function drain(): Promise<void> {
    running = true;
    try {
      while (waiting.length) {
        const batch = waiting.slice(0, maxBatch);
        waiting = waiting.slice(batch.length);
        try {
          const out = await run(batch.map((w) => w.item));
          batch.forEach((w, i) => w.resolve(out[i]!));
        } catch (e) {
          if (batch.length === 1) batch[0]!.reject(e);
          else await Promise.all(batch.map((w) => run([w.item]).then((o) => w.resolve(o[0]!), w.reject)));
        }
      }
    } finally {
      running = false;
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!running) void drain();
    });
}
