import { db } from '../db';
import { env } from '../env';
import { AppError, notFound } from '../errors';
import { getAgent } from '../agents/registry';
import { flowGraphSchema, type FlowGraph } from '../engine/graph';
import { flushOutboxSafely } from './outbox';
import { loadFlowVersion } from './flows';
import type { Prisma, RunStatus } from '../generated/prisma/client';

export type TriggerKind = 'manual' | 'webhook' | 'schedule' | 'api';

export function assertPayload(payload: unknown): Record<string, unknown> {
  if (payload === undefined || payload === null) return {};
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    throw new AppError('VALIDATION', 'The trigger data must be a JSON object, like {"name": "Ada"}.');
  }
  const bytes = Buffer.byteLength(JSON.stringify(payload));
  const max = env().MUNINN_MAX_PAYLOAD_BYTES;
  if (bytes > max) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The trigger data is ${(bytes / 1_000_000).toFixed(1)} MB; the limit is ${(max / 1_000_000).toFixed(1)} MB.`);
  }
  return payload as Record<string, unknown>;
}

function pickTriggerNode(graph: FlowGraph, kind: TriggerKind, nodeId?: string) {
  if (nodeId) {
    const node = graph.nodes.find((n) => n.id === nodeId);
    if (!node || !getAgent(node.type)?.capabilities.trigger) throw notFound(`Trigger node "${nodeId}"`);
    return node;
  }
  const triggers = graph.nodes.filter((n) => getAgent(n.type)?.capabilities.trigger);
  const wanted = kind === 'api' ? 'manual' : kind;
  const node = triggers.find((n) => getAgent(n.type)?.capabilities.trigger === wanted) ?? triggers[0];
  if (!node) {
    throw new AppError('BAD_REQUEST', 'This flow has no trigger yet. Add a "Manual trigger" or a "Webhook" node, save, and run again.');
  }
  return node;
}

/**
 * Starts a run of the flow's saved version: the Run, its trigger Event and the first outbox row
 * are written in one transaction; only after the commit is the step handed to the queue.
 */
export async function startRun(
  workspaceId: string,
  input: { flowId: string; triggerKind: TriggerKind; payload?: unknown; nodeId?: string; requireActive?: boolean },
): Promise<{ runId: string }> {
  const payload = assertPayload(input.payload);
  const flow = await db().flow.findFirst({ where: { id: input.flowId, workspaceId }, select: { id: true, version: true, active: true } });
  if (!flow) throw notFound('This flow');
  if (input.requireActive && !flow.active) throw notFound('This flow');
  const graph = await loadFlowVersion(flow.id, flow.version);
  const trigger = pickTriggerNode(graph, input.triggerKind, input.nodeId);

  const { runId, row } = await db().$transaction(async (tx) => {
    const run = await tx.run.create({
      data: {
        workspaceId,
        flowId: flow.id,
        flowVersion: flow.version,
        triggerKind: input.triggerKind,
        triggerNodeId: trigger.id,
        pendingSteps: 1,
      },
      select: { id: true },
    });
    const event = await tx.event.create({
      data: { workspaceId, runId: run.id, nodeId: trigger.id, payload: payload as Prisma.InputJsonValue },
      select: { id: true },
    });
    const row = await tx.pendingStep.create({
      data: { runId: run.id, nodeId: trigger.id, eventId: event.id },
      select: { id: true, runId: true, nodeId: true, eventId: true, availableAt: true },
    });
    return { runId: run.id, row };
  });
  await flushOutboxSafely([row]);
  return { runId };
}

function durationMs(r: { startedAt: Date | null; finishedAt: Date | null }): number | null {
  return r.startedAt && r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null;
}

export async function listRunsForFlow(workspaceId: string, input: { flowId: string; limit?: number; cursor?: string | null }) {
  const limit = Math.min(input.limit ?? 25, 100);
  const rows = await db().run.findMany({
    where: { workspaceId, flowId: input.flowId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
    select: { id: true, status: true, triggerKind: true, createdAt: true, startedAt: true, finishedAt: true, error: true },
  });
  const items = rows.slice(0, limit).map((r) => ({ ...r, durationMs: durationMs(r) }));
  return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
}

export interface RunStep {
  id: string;
  nodeId: string;
  nodeLabel: string;
  agentType: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  attempt: number;
  input: unknown;
  outputs: unknown[];
  logs: Array<{ level: string; message: string; at: string }>;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
}

export async function getRun(workspaceId: string, id: string) {
  const run = await db().run.findFirst({
    where: { id, workspaceId },
    include: { flow: { select: { name: true } }, nodeRuns: { orderBy: { startedAt: 'asc' }, include: { outputs: { select: { payload: true }, orderBy: { createdAt: 'asc' } } } } },
  });
  if (!run) throw notFound('This run');
  const inputIds = [...new Set(run.nodeRuns.map((s) => s.inputEventId))];
  const inputs = new Map(
    (await db().event.findMany({ where: { id: { in: inputIds }, runId: run.id }, select: { id: true, payload: true } })).map((e) => [e.id, e.payload]),
  );
  const version = await db().flowVersion.findUnique({ where: { flowId_version: { flowId: run.flowId, version: run.flowVersion } }, select: { graph: true } });
  const graph = version ? flowGraphSchema.safeParse(version.graph) : undefined;
  const labels = new Map((graph?.success ? graph.data.nodes : []).map((n) => [n.id, n.label || getAgent(n.type)?.name || n.id]));
  const steps: RunStep[] = run.nodeRuns.map((s) => ({
    id: s.id,
    nodeId: s.nodeId,
    nodeLabel: labels.get(s.nodeId) ?? s.nodeId,
    agentType: s.agentType,
    status: s.status,
    attempt: s.attempt,
    input: inputs.get(s.inputEventId) ?? null,
    outputs: s.outputs.map((o) => o.payload),
    logs: (s.logs ?? []) as RunStep['logs'],
    error: s.error,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    durationMs: s.durationMs,
  }));
  return {
    id: run.id,
    flowId: run.flowId,
    flowName: run.flow.name,
    flowVersion: run.flowVersion,
    status: run.status as RunStatus,
    triggerKind: run.triggerKind,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: durationMs(run),
    error: run.error,
    steps,
  };
}
