import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { db } from '../db';
import { createRedis } from '../queue/connection';
import { queuePrefix } from '../queue/queues';
import { getAgent } from '../agents/registry';
import { flowGraphSchema } from '../engine/graph';
import { repeatOptionsOf, scheduleAgent } from '../agents/schedule';

export const SCHEDULE_QUEUE = 'schedules';

export interface ScheduleTick {
  workspaceId: string;
  flowId: string;
  nodeId: string;
}

const g = globalThis as unknown as { __muninnScheduleQueue?: Queue<ScheduleTick>; __muninnScheduleRedis?: Redis };

export function scheduleQueue(): Queue<ScheduleTick> {
  if (!g.__muninnScheduleQueue) {
    g.__muninnScheduleRedis ??= createRedis('producer');
    g.__muninnScheduleQueue = new Queue<ScheduleTick>(SCHEDULE_QUEUE, {
      connection: g.__muninnScheduleRedis,
      prefix: queuePrefix(),
      defaultJobOptions: { removeOnComplete: { count: 1_000 }, removeOnFail: { count: 1_000 }, attempts: 5, backoff: { type: 'exponential', delay: 2_000 } },
    });
    g.__muninnScheduleQueue.on('error', (err) => console.error(`[schedules] ${err.message}`));
  }
  return g.__muninnScheduleQueue;
}

export async function closeScheduleQueue(): Promise<void> {
  await g.__muninnScheduleQueue?.close();
  g.__muninnScheduleRedis?.disconnect();
  g.__muninnScheduleQueue = undefined;
  g.__muninnScheduleRedis = undefined;
}

const schedulerId = (flowId: string, nodeId: string) => `flow-${flowId}-${nodeId}`;

/**
 * Makes BullMQ's job schedulers match the flow: one per schedule node while the flow is active,
 * none otherwise. Upserts are idempotent, so calling this after every save is safe.
 */
export async function syncFlowSchedules(flowId: string): Promise<{ active: number; removed: number }> {
  const flow = await db().flow.findUnique({ where: { id: flowId }, select: { id: true, workspaceId: true, active: true, graph: true } });
  const queue = scheduleQueue();
  const wanted = new Map<string, { nodeId: string; repeat: ReturnType<typeof repeatOptionsOf> }>();
  if (flow?.active) {
    const graph = flowGraphSchema.safeParse(flow.graph);
    for (const node of graph.success ? graph.data.nodes : []) {
      if (getAgent(node.type)?.capabilities.trigger !== 'schedule') continue;
      const parsed = scheduleAgent.options.safeParse(node.options);
      if (parsed.success) wanted.set(schedulerId(flowId, node.id), { nodeId: node.id, repeat: repeatOptionsOf(parsed.data) });
    }
  }
  for (const [id, { nodeId, repeat }] of wanted) {
    await queue.upsertJobScheduler(id, repeat, { name: 'tick', data: { workspaceId: flow!.workspaceId, flowId, nodeId } });
  }
  let removed = 0;
  const existing = await queue.getJobSchedulers(0, -1);
  for (const s of existing) {
    const id = s.key;
    if (id.startsWith(`flow-${flowId}-`) && !wanted.has(id)) {
      if (await queue.removeJobScheduler(id)) removed++;
    }
  }
  return { active: wanted.size, removed };
}

/** After a save, activation or deletion. A Redis outage is repaired by reconcileSchedules. */
export async function syncFlowSchedulesSafely(flowId: string): Promise<void> {
  try {
    await syncFlowSchedules(flowId);
  } catch (e) {
    console.warn(`[schedules] flow ${flowId} will be synced by the worker: ${(e as Error).message}`);
  }
}

/** Worker loop: every flow's schedulers match its saved state, and schedulers of deleted flows go. */
export async function reconcileSchedules(): Promise<void> {
  const queue = scheduleQueue();
  const flows = await db().flow.findMany({ where: { active: true }, select: { id: true, graph: true } });
  const withSchedules = flows.filter((f) =>
    ((f.graph as { nodes?: Array<{ type?: string }> })?.nodes ?? []).some((n) => n.type && getAgent(n.type)?.capabilities.trigger === 'schedule'),
  );
  const keep = new Set(withSchedules.map((f) => f.id));
  for (const f of withSchedules) await syncFlowSchedules(f.id);
  for (const s of await queue.getJobSchedulers(0, -1)) {
    const m = /^flow-([0-9a-f-]{36})-/.exec(s.key);
    if (m && !keep.has(m[1]!)) await syncFlowSchedules(m[1]!);
  }
}
