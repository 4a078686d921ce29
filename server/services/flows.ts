import { randomBytes } from 'node:crypto';
import { db, type Tx } from '../db';
import { AppError, notFound } from '../errors';
import { flowGraphSchema, portableFlowSchema, validateGraph, type FlowGraph, type PortableFlow } from '../engine/graph';
import { getAgent } from '../agents/registry';
import type { Prisma } from '../generated/prisma/client';
import { syncFlowSchedulesSafely } from './schedules';
import { cancelQueuedRuns } from './runs';
import { audit, requestActorLabel } from './audit';

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
    maxConcurrentRuns: flow.maxConcurrentRuns,
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
  createdBy: string | undefined = requestActorLabel(),
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
  await audit(workspaceId, 'flow.created', { type: 'flow', id: created.id, label: name });
  return created;
}

/** Reads a portable flow, or throws one VALIDATION error listing what is wrong with its shape. */
function parsePortableFlow(input: unknown): PortableFlow {
  const parsed = portableFlowSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => {
      const field = i.path.join('.');
      return { field, message: `${field || 'flow'}: ${i.message}` };
    });
    throw new AppError('VALIDATION', 'The flow could not be imported. ' + issues.map((i) => i.message).join('; '), issues);
  }
  return parsed.data;
}

function graphOf({ nodes, edges, notes }: PortableFlow): FlowGraph {
  return { nodes, edges, ...(notes?.length ? { notes } : {}) };
}

export async function importFlow(workspaceId: string, input: unknown, createdBy?: string) {
  const flow = parsePortableFlow(input);
  return createFlow(workspaceId, { name: flow.name, description: flow.description, graph: graphOf(flow) }, createdBy);
}

/**
 * Checks a portable flow as import and save would, without saving anything: the editor's
 * "replace this flow's steps" shows the same messages per node and field before it replaces.
 */
export function checkPortableFlow(input: unknown): { name: string; graph: FlowGraph } {
  const flow = parsePortableFlow(input);
  return { name: flow.name, graph: assertValidGraph(graphOf(flow)) };
}

export async function exportFlow(workspaceId: string, id: string): Promise<PortableFlow> {
  const flow = await findFlow(workspaceId, id);
  const graph = asGraph(flow.graph);
  return {
    name: flow.name,
    ...(flow.description ? { description: flow.description } : {}),
    nodes: graph.nodes,
    edges: graph.edges,
    ...(graph.notes?.length ? { notes: graph.notes } : {}),
  };
}

function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function summarize(before: FlowGraph, after: FlowGraph): string {
  const beforeIds = new Set(before.nodes.map((n) => n.id));
  const afterIds = new Set(after.nodes.map((n) => n.id));
  const added = after.nodes.filter((n) => !beforeIds.has(n.id)).length;
  const removed = before.nodes.filter((n) => !afterIds.has(n.id)).length;
  // Sorted keys: the stored graph comes back from jsonb in another key order than the editor sends.
  const content = (n: FlowGraph['nodes'][number]) => sortedJson([n.type, n.label, n.options]);
  const beforeById = new Map(before.nodes.map((n) => [n.id, content(n)]));
  const changed = after.nodes.filter((n) => beforeById.has(n.id) && beforeById.get(n.id) !== content(n)).length;
  const notesBefore = JSON.stringify((before.notes ?? []).map((n) => [n.id, n.text]));
  const notesAfter = JSON.stringify((after.notes ?? []).map((n) => [n.id, n.text]));
  const parts = [
    added && `${added} node${added > 1 ? 's' : ''} added`,
    removed && `${removed} removed`,
    changed && `${changed} changed`,
    before.edges.length !== after.edges.length && `${after.edges.length - before.edges.length > 0 ? '+' : ''}${after.edges.length - before.edges.length} connections`,
    notesBefore !== notesAfter && 'notes edited',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'Layout or connections changed';
}

/**
 * Saves a new graph if, and only if, nobody saved since `baseVersion`: a stale save is refused,
 * never silently overwritten. The version check and the write are one conditional UPDATE.
 */
export async function saveFlowGraph(
  workspaceId: string,
  /** `restoredFrom`: the version this graph was restored from, named in the new version's summary. */
  input: { id: string; baseVersion: number; graph: unknown; restoredFrom?: number },
  createdBy: string | undefined = requestActorLabel(),
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
        summary: input.restoredFrom ? `Restored version ${input.restoredFrom}` : summarize(asGraph(current.graph), graph),
        createdBy,
      },
    });
    await syncWebhookRoutes(tx, workspaceId, input.id, graph);
    return { version, name: current.name };
  });
  await syncFlowSchedulesSafely(input.id);
  await audit(workspaceId, 'flow.saved', { type: 'flow', id: input.id, label: saved.name }, { version: saved.version });
  return { version: saved.version };
}

export async function renameFlow(workspaceId: string, id: string, name: string): Promise<void> {
  const trimmed = name.trim();
  if (!trimmed) throw new AppError('VALIDATION', 'Give the flow a name.', [{ field: 'name', message: 'Give the flow a name.' }]);
  const res = await db().flow.updateMany({ where: { id, workspaceId }, data: { name: trimmed } });
  if (res.count === 0) throw notFound('This flow');
  await audit(workspaceId, 'flow.renamed', { type: 'flow', id, label: trimmed });
}

/**
 * Active flows accept webhooks and schedule ticks. Deactivating stops new triggers and cancels
 * runs still waiting in the queue; runs already under way finish.
 */
export async function setFlowActive(workspaceId: string, id: string, active: boolean): Promise<{ cancelledRuns: number }> {
  const res = await db().flow.updateManyAndReturn({ where: { id, workspaceId }, data: { active }, select: { name: true } });
  if (res.length === 0) throw notFound('This flow');
  const cancelledRuns = active ? 0 : await cancelQueuedRuns(workspaceId, id);
  await syncFlowSchedulesSafely(id);
  await audit(workspaceId, active ? 'flow.activated' : 'flow.deactivated', { type: 'flow', id, label: res[0]!.name });
  return { cancelledRuns };
}

export async function deleteFlow(workspaceId: string, id: string): Promise<void> {
  const flow = await db().flow.findFirst({ where: { id, workspaceId }, select: { name: true } });
  const res = flow ? await db().flow.deleteMany({ where: { id, workspaceId } }) : { count: 0 };
  if (res.count === 0) throw notFound('This flow');
  await syncFlowSchedulesSafely(id);
  await audit(workspaceId, 'flow.deleted', { type: 'flow', id, label: flow?.name });
}

export interface FlowVersionSummary {
  version: number;
  summary: string;
  createdBy: string | null;
  createdAt: Date;
  nodeCount: number;
}

/** The flow's saved versions, newest first (at most `limit`), for the editor's Versions panel. */
export async function listFlowVersions(workspaceId: string, id: string, limit = 200): Promise<{ items: FlowVersionSummary[]; total: number }> {
  await findFlowId(workspaceId, id);
  const [rows, total] = await Promise.all([
    db().flowVersion.findMany({
      where: { flowId: id },
      orderBy: { version: 'desc' },
      take: limit,
      select: { version: true, summary: true, createdBy: true, createdAt: true, graph: true },
    }),
    db().flowVersion.count({ where: { flowId: id } }),
  ]);
  const items = rows.map(({ graph, ...r }) => ({ ...r, nodeCount: Array.isArray((graph as { nodes?: unknown[] })?.nodes) ? (graph as { nodes: unknown[] }).nodes.length : 0 }));
  return { items, total };
}

/** One saved version with its graph, scoped by workspace like every flow read. */
export async function getFlowVersion(workspaceId: string, id: string, version: number) {
  await findFlowId(workspaceId, id);
  const row = await db().flowVersion.findUnique({
    where: { flowId_version: { flowId: id, version } },
    select: { version: true, summary: true, createdBy: true, createdAt: true, graph: true },
  });
  if (!row) throw notFound(`Version ${version} of this flow`);
  return { ...row, graph: asGraph(row.graph) };
}

async function findFlowId(workspaceId: string, id: string): Promise<void> {
  const flow = await db().flow.findFirst({ where: { id, workspaceId }, select: { id: true } });
  if (!flow) throw notFound('This flow');
}

/** The immutable graph of one saved version; the worker caches it. */
export async function loadFlowVersion(flowId: string, version: number): Promise<FlowGraph> {
  const row = await db().flowVersion.findUnique({ where: { flowId_version: { flowId, version } }, select: { graph: true } });
  if (!row) throw notFound(`Version ${version} of this flow`);
  return asGraph(row.graph);
}
