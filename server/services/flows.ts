import { randomBytes } from 'node:crypto';
import { db, type Tx } from '../db';
import { AppError, notFound } from '../errors';
import { flowGraphSchema, portableFlowSchema, validateGraph, type FlowGraph, type PortableFlow } from '../engine/graph';
import { getAgent } from '../agents/registry';
import type { Prisma } from '../generated/prisma/client';
import { syncFlowSchedulesSafely } from './schedules';
import { cancelQueuedRuns } from './runs';

export interface FlowSummary {
  id: string;
  name: string;
  description: string;
  active: boolean;
  version: number;
  updatedAt: Date;
  nodeCount: number;
}

function asGraph(json: Prisma.JsonValue): FlowGraph {
  return flowGraphSchema.parse(json);
}

/** Parses and validates a graph, or throws one VALIDATION error listing every problem. */
export function assertValidGraph(input: unknown): FlowGraph {
  const parsed = flowGraphSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: `${i.path.join('.')}: ${i.message}` }));
    throw new AppError('VALIDATION', 'The flow could not be read. ' + issues.map((i) => i.message).join('; '), issues);
  }
  const issues = validateGraph(parsed.data);
  if (issues.length) {
    const head = issues.slice(0, 3).map((i) => i.message).join(' ');
    const more = issues.length > 3 ? ` (and ${issues.length - 3} more problems)` : '';
    throw new AppError('VALIDATION', `The flow has problems and was not saved. ${head}${more}`, issues);
  }
  return parsed.data;
}

export async function listFlows(workspaceId: string): Promise<FlowSummary[]> {
  const rows = await db().flow.findMany({
    where: { workspaceId },
    orderBy: { updatedAt: 'desc' },
    select: { id: true, name: true, description: true, active: true, version: true, updatedAt: true, graph: true },
  });
  return rows.map(({ graph, ...r }) => ({ ...r, nodeCount: Array.isArray((graph as { nodes?: unknown[] })?.nodes) ? (graph as { nodes: unknown[] }).nodes.length : 0 }));
}

async function findFlow(workspaceId: string, id: string) {
  const flow = await db().flow.findFirst({ where: { id, workspaceId } });
  if (!flow) throw notFound('This flow');
  return flow;
}

export async function getFlow(workspaceId: string, id: string, publicUrl: string) {
  const flow = await findFlow(workspaceId, id);
  const routes = await db().webhookRoute.findMany({ where: { flowId: id }, select: { nodeId: true, token: true } });
  return {
    id: flow.id,
    name: flow.name,
    description: flow.description,
    active: flow.active,
    version: flow.version,
    updatedAt: flow.updatedAt,
    graph: asGraph(flow.graph),
    webhooks: routes.map((r) => ({ nodeId: r.nodeId, url: webhookUrl(publicUrl, r.token) })),
  };
}

export function webhookUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/$/, '')}/api/hooks/${token}`;
}

/** Keeps one webhook address per webhook node: existing tokens survive saves, removed nodes lose theirs. */
async function syncWebhookRoutes(tx: Tx, workspaceId: string, flowId: string, graph: FlowGraph): Promise<void> {
  const webhookNodeIds = graph.nodes.filter((n) => getAgent(n.type)?.capabilities.trigger === 'webhook').map((n) => n.id);
  await tx.webhookRoute.deleteMany({ where: { flowId, nodeId: { notIn: webhookNodeIds } } });
  const existing = new Set((await tx.webhookRoute.findMany({ where: { flowId }, select: { nodeId: true } })).map((r) => r.nodeId));
  const missing = webhookNodeIds.filter((id) => !existing.has(id));
  if (missing.length) {
    await tx.webhookRoute.createMany({
      data: missing.map((nodeId) => ({ token: randomBytes(18).toString('base64url'), workspaceId, flowId, nodeId })),
    });
  }
}

export async function createFlow(
  workspaceId: string,
  /** `active: false` creates the flow switched off (installed templates, imports), so no trigger fires before review. */
  input: { name: string; description?: string; graph?: unknown; active?: boolean },
  createdBy?: string,
): Promise<{ id: string; version: number }> {
  const graph = input.graph === undefined ? { nodes: [], edges: [] } : assertValidGraph(input.graph);
  const name = input.name.trim();
  if (!name) throw new AppError('VALIDATION', 'Give the flow a name.', [{ field: 'name', message: 'Give the flow a name.' }]);
  const created = await db().$transaction(async (tx) => {
    const flow = await tx.flow.create({
      data: {
        workspaceId,
        name,
        description: input.description ?? '',
        graph: graph as unknown as Prisma.InputJsonValue,
        ...(input.active === false ? { active: false } : {}),
      },
    });
    await tx.flowVersion.create({
      data: { flowId: flow.id, version: 1, name, graph: graph as unknown as Prisma.InputJsonValue, summary: 'Created', createdBy },
    });
    await syncWebhookRoutes(tx, workspaceId, flow.id, graph);
    return { id: flow.id, version: flow.version };
  });
  await syncFlowSchedulesSafely(created.id);
  return created;
}

export async function importFlow(workspaceId: string, input: unknown, createdBy?: string) {
  const parsed = portableFlowSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => {
      const field = i.path.join('.');
      return { field, message: `${field || 'flow'}: ${i.message}` };
    });
    throw new AppError('VALIDATION', 'The flow could not be imported. ' + issues.map((i) => i.message).join('; '), issues);
  }
  const { name, description, nodes, edges } = parsed.data;
  return createFlow(workspaceId, { name, description, graph: { nodes, edges } }, createdBy);
}

export async function exportFlow(workspaceId: string, id: string): Promise<PortableFlow> {
  const flow = await findFlow(workspaceId, id);
  const graph = asGraph(flow.graph);
  return { name: flow.name, ...(flow.description ? { description: flow.description } : {}), nodes: graph.nodes, edges: graph.edges };
}

function summarize(before: FlowGraph, after: FlowGraph): string {
  const beforeIds = new Set(before.nodes.map((n) => n.id));
  const afterIds = new Set(after.nodes.map((n) => n.id));
  const added = after.nodes.filter((n) => !beforeIds.has(n.id)).length;
  const removed = before.nodes.filter((n) => !afterIds.has(n.id)).length;
  const beforeById = new Map(before.nodes.map((n) => [n.id, JSON.stringify([n.type, n.label, n.options])]));
  const changed = after.nodes.filter((n) => beforeById.has(n.id) && beforeById.get(n.id) !== JSON.stringify([n.type, n.label, n.options])).length;
  const parts = [
    added && `${added} node${added > 1 ? 's' : ''} added`,
    removed && `${removed} removed`,
    changed && `${changed} changed`,
    before.edges.length !== after.edges.length && `${after.edges.length - before.edges.length > 0 ? '+' : ''}${after.edges.length - before.edges.length} connections`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'Layout or connections changed';
}

/**
 * Saves a new graph if, and only if, nobody saved since `baseVersion`: a stale save is refused,
 * never silently overwritten. The version check and the write are one conditional UPDATE.
 */
export async function saveFlowGraph(
  workspaceId: string,
  input: { id: string; baseVersion: number; graph: unknown },
  createdBy?: string,
): Promise<{ version: number }> {
  const graph = assertValidGraph(input.graph);
  const saved = await db().$transaction(async (tx) => {
    const current = await tx.flow.findFirst({ where: { id: input.id, workspaceId }, select: { version: true, graph: true, name: true } });
    if (!current) throw notFound('This flow');
    const updated = await tx.flow.updateMany({
      where: { id: input.id, workspaceId, version: input.baseVersion },
      data: { graph: graph as unknown as Prisma.InputJsonValue, version: { increment: 1 } },
    });
    if (updated.count === 0) {
      throw new AppError(
        'CONFLICT',
        `This flow was changed elsewhere (you edited version ${input.baseVersion}, the latest is version ${current.version}). Your changes were not saved: reload to get the latest version, then make your changes again.`,
      );
    }
    const version = input.baseVersion + 1;
    await tx.flowVersion.create({
      data: {
        flowId: input.id,
        version,
        name: current.name,
        graph: graph as unknown as Prisma.InputJsonValue,
        summary: summarize(asGraph(current.graph), graph),
        createdBy,
      },
    });
    await syncWebhookRoutes(tx, workspaceId, input.id, graph);
    return { version };
  });
  await syncFlowSchedulesSafely(input.id);
  return saved;
}

export async function renameFlow(workspaceId: string, id: string, name: string): Promise<void> {
  const trimmed = name.trim();
  if (!trimmed) throw new AppError('VALIDATION', 'Give the flow a name.', [{ field: 'name', message: 'Give the flow a name.' }]);
  const res = await db().flow.updateMany({ where: { id, workspaceId }, data: { name: trimmed } });
  if (res.count === 0) throw notFound('This flow');
}

/**
 * Active flows accept webhooks and schedule ticks. Deactivating stops new triggers and cancels
 * runs still waiting in the queue; runs already under way finish.
 */
export async function setFlowActive(workspaceId: string, id: string, active: boolean): Promise<{ cancelledRuns: number }> {
  const res = await db().flow.updateMany({ where: { id, workspaceId }, data: { active } });
  if (res.count === 0) throw notFound('This flow');
  const cancelledRuns = active ? 0 : await cancelQueuedRuns(workspaceId, id);
  await syncFlowSchedulesSafely(id);
  return { cancelledRuns };
}

export async function deleteFlow(workspaceId: string, id: string): Promise<void> {
  const res = await db().flow.deleteMany({ where: { id, workspaceId } });
  if (res.count === 0) throw notFound('This flow');
  await syncFlowSchedulesSafely(id);
}

/** The immutable graph of one saved version; the worker caches it. */
export async function loadFlowVersion(flowId: string, version: number): Promise<FlowGraph> {
  const row = await db().flowVersion.findUnique({ where: { flowId_version: { flowId, version } }, select: { graph: true } });
  if (!row) throw notFound(`Version ${version} of this flow`);
  return asGraph(row.graph);
}
