import { z } from 'zod';
import { db } from '../../db';
import { AppError, notFound } from '../../errors';
import { subscribeRunChanges, type RunChange } from './events';

/**
 * Server-sent events for run history pages: GET /api/runs/stream?runId=… | ?flowId=… | (nothing:
 * every run of the workspace). Each message is one RunChange:
 *
 *     event: run
 *     data: {"runId":"…","flowId":"…","workspaceId":"…","status":"running","nodeId":"fetch","stepStatus":"succeeded"}
 *
 * The first message is `event: ready` (the subscription is active: refetch now and miss nothing).
 * A comment line every `heartbeatMs` keeps proxies from closing an idle connection and lets the
 * server notice a client that went away. EventSource reconnects by itself (`retry:` below).
 */

export const runStreamFilter = z
  .object({
    runId: z.string().uuid('That is not a valid run id').optional(),
    flowId: z.string().uuid('That is not a valid flow id').optional(),
  })
  .refine((f) => !(f.runId && f.flowId), 'Give either runId or flowId, not both.');
export type RunStreamFilter = z.infer<typeof runStreamFilter>;

export function parseRunStreamFilter(params: URLSearchParams): RunStreamFilter {
  const parsed = runStreamFilter.safeParse({ runId: params.get('runId') ?? undefined, flowId: params.get('flowId') ?? undefined });
  if (!parsed.success) throw new AppError('BAD_REQUEST', parsed.error.issues.map((i) => i.message).join(' '));
  return parsed.data;
}

/** The run or flow must belong to the workspace; otherwise it "was not found". */
export async function assertStreamTarget(workspaceId: string, filter: RunStreamFilter): Promise<void> {
  if (filter.runId && !(await db().run.findFirst({ where: { id: filter.runId, workspaceId }, select: { id: true } }))) {
    throw notFound('This run');
  }
  if (filter.flowId && !(await db().flow.findFirst({ where: { id: filter.flowId, workspaceId }, select: { id: true } }))) {
    throw notFound('This flow');
  }
}

function matches(filter: RunStreamFilter, change: RunChange): boolean {
  if (filter.runId) return change.runId === filter.runId;
  if (filter.flowId) return change.flowId === filter.flowId;
  return true;
}

export interface RunStreamOptions {
  /** The request's signal: the stream ends when the client disconnects. */
  signal?: AbortSignal;
  heartbeatMs?: number;
  /** A client that stops reading is cut off once this many messages queue up. */
  maxQueued?: number;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // nginx and friends must not buffer the stream.
  'x-accel-buffering': 'no',
} as const;

/** The event stream for one client. Call assertStreamTarget first. */
export function runEventStream(workspaceId: string, filter: RunStreamFilter, opts: RunStreamOptions = {}): ReadableStream<Uint8Array> {
  const { heartbeatMs = Number(process.env.MUNINN_SSE_HEARTBEAT_MS) || 15_000, maxQueued = 1_000 } = opts;
  const encoder = new TextEncoder();
  let cleanup: (() => void) | undefined;
  let closed = false;

  return new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        const send = (text: string) => {
          if (closed) return;
          if ((controller.desiredSize ?? 0) <= -maxQueued) {
            stop();
            return;
          }
          controller.enqueue(encoder.encode(text));
        };
        const stop = () => {
          if (closed) return;
          closed = true;
          cleanup?.();
          try {
            controller.close();
          } catch {
            // already closed or errored
          }
        };
        let unsubscribe: (() => void) | undefined;
        const heartbeat = setInterval(() => send(`: keep-alive ${Date.now()}\n\n`), heartbeatMs);
        const onAbort = () => stop();
        cleanup = () => {
          clearInterval(heartbeat);
          unsubscribe?.();
          opts.signal?.removeEventListener('abort', onAbort);
        };
        if (opts.signal?.aborted) return stop();
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        try {
          unsubscribe = await subscribeRunChanges(workspaceId, (change) => {
            if (matches(filter, change)) send(`event: run\ndata: ${JSON.stringify(change)}\n\n`);
          });
        } catch (e) {
          closed = true;
          cleanup();
          controller.error(e);
          return;
        }
        if (closed) return void unsubscribe();
        send(`retry: 3000\nevent: ready\ndata: ${JSON.stringify(filter)}\n\n`);
      },
      cancel() {
        closed = true;
        cleanup?.();
      },
    },
    { highWaterMark: 0 },
  );
}
