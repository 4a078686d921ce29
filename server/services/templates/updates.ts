import { z } from 'zod';
import { db } from '../../db';
import { AppError, notFound } from '../../errors';
import type { JsonValue } from '../../agents/define-agent';
import type { FlowGraph } from '../../engine/graph';
import type { Prisma } from '../../generated/prisma/client';
import { saveFlowGraph } from '../flows';
import { describeTypes, parseInputs, parseRequirements, typesOf, type TemplateInput } from './format';
import { collectPlaceholders } from './placeholders';
import { graphOf, resolveTemplateValues, templateValuesInput, visibleTo } from './service';
import { carriedValues, previewValues, updatedFlowGraph } from './update-graph';

/**
 * Updates of installed flows: is a newer version of the flow's template available, what would
 * it change, and applying it while keeping the credentials and values chosen at install.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export interface TemplateUpdateInfo {
  flowId: string;
  /** null when the flow was not installed from a template, or the template is gone or private now. */
  template: { slug: string; name: string; latestVersion: number } | null;
  installedVersion: number | null;
  updateAvailable: boolean;
  /** Versions newer than the installed one, newest first. */
  changes: Array<{ version: number; changelog: string; createdAt: Date }>;
  /** Credentials and inputs the latest version needs that the flow has no value for (give them to applyUpdate). */
  missing: { credentials: Array<{ name: string; types: string[]; typeLabel: string }>; inputs: TemplateInput[] };
  /** This workspace's template last published from this flow: publishing it again is likely its next version. */
  publishedAs: { slug: string; name: string; version: number } | null;
}

async function flowWithTemplate(workspaceId: string, flowId: string) {
  const flow = UUID.test(flowId)
    ? await db().flow.findFirst({
        where: { id: flowId, workspaceId },
        select: { id: true, version: true, graph: true, templateId: true, templateVersion: true, templateInputs: true, templateCredentials: true },
      })
    : null;
  if (!flow) throw notFound('This flow');
  const template = flow.templateId ? await db().template.findFirst({ where: { AND: [{ id: flow.templateId }, visibleTo(workspaceId)] } }) : null;
  return { flow, template };
}

/**
 * The template this workspace last published from the flow. Templates do not point back at the
 * flow they came from; the publish entry of the audit log does (and the template must still be ours).
 */
async function templatePublishedFrom(workspaceId: string, flowId: string): Promise<TemplateUpdateInfo['publishedAs']> {
  const event = await db().auditEvent.findFirst({
    where: { workspaceId, action: 'template.published', details: { path: ['flowId'], equals: flowId } },
    orderBy: { createdAt: 'desc' },
    select: { targetId: true },
  });
  if (!event) return null;
  return db().template.findFirst({ where: { slug: event.targetId, workspaceId }, select: { slug: true, name: true, version: true } });
}

function recordOf<T>(json: unknown): Record<string, T> {
  return json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, T>) : {};
}

export async function templateUpdateInfo(workspaceId: string, flowId: string): Promise<TemplateUpdateInfo> {
  const { flow, template } = await flowWithTemplate(workspaceId, flowId);
  const installedVersion = flow.templateVersion;
  const publishedAs = await templatePublishedFrom(workspaceId, flow.id);
  if (!template || installedVersion === null) {
    return { flowId: flow.id, template: null, installedVersion, updateAvailable: false, changes: [], missing: { credentials: [], inputs: [] }, publishedAs };
  }
  const changes = await db().templateVersion.findMany({
    where: { templateId: template.id, version: { gt: installedVersion } },
    orderBy: { version: 'desc' },
    select: { version: true, changelog: true, createdAt: true },
  });
  const creds = recordOf<string>(flow.templateCredentials);
  const inputs = recordOf<JsonValue>(flow.templateInputs);
  return {
    flowId: flow.id,
    template: { slug: template.slug, name: template.name, latestVersion: template.version },
    installedVersion,
    updateAvailable: template.version > installedVersion,
    changes,
    missing: {
      credentials: parseRequirements(template.credentials)
        .filter((r) => !creds[r.name])
        .map((r) => ({ name: r.name, types: typesOf(r.type), typeLabel: describeTypes(r.type) })),
      inputs: parseInputs(template.inputs).filter((i) => inputs[i.name] === undefined && i.default === undefined),
    },
    publishedAs,
  };
}

/** The flows of this workspace whose template has a newer version. */
export async function listTemplateUpdates(
  workspaceId: string,
): Promise<Array<{ flowId: string; flowName: string; slug: string; templateName: string; installedVersion: number; latestVersion: number }>> {
  const flows = await db().flow.findMany({
    where: { workspaceId, templateId: { not: null }, templateVersion: { not: null }, template: visibleTo(workspaceId) },
    select: { id: true, name: true, templateVersion: true, template: { select: { slug: true, name: true, version: true } } },
    orderBy: { name: 'asc' },
  });
  return flows
    .filter((f) => f.template && f.templateVersion !== null && f.template.version > f.templateVersion)
    .map((f) => ({
      flowId: f.id,
      flowName: f.name,
      slug: f.template!.slug,
      templateName: f.template!.name,
      installedVersion: f.templateVersion!,
      latestVersion: f.template!.version,
    }));
}

export interface GraphDiff {
  added: string[];
  removed: string[];
  /** Same id, different type, label, options or retry policy. */
  changed: string[];
  edgesAdded: number;
  edgesRemoved: number;
}

export function diffGraphs(before: FlowGraph, after: FlowGraph): GraphDiff {
  const b = new Map(before.nodes.map((n) => [n.id, n]));
  const a = new Map(after.nodes.map((n) => [n.id, n]));
  const sig = (n: FlowGraph['nodes'][number]) => JSON.stringify([n.type, n.label ?? '', n.options, n.retry ?? null]);
  const edgeKey = (e: FlowGraph['edges'][number]) => `${e.source}\u0000${e.sourceHandle ?? ''}\u0000${e.target}`;
  const be = new Set(before.edges.map(edgeKey));
  const ae = new Set(after.edges.map(edgeKey));
  return {
    added: after.nodes.filter((n) => !b.has(n.id)).map((n) => n.id),
    removed: before.nodes.filter((n) => !a.has(n.id)).map((n) => n.id),
    changed: after.nodes.filter((n) => b.has(n.id) && sig(b.get(n.id)!) !== sig(n)).map((n) => n.id),
    edgesAdded: [...ae].filter((k) => !be.has(k)).length,
    edgesRemoved: [...be].filter((k) => !ae.has(k)).length,
  };
}

export interface TemplateUpdatePreview {
  flowId: string;
  /** The saved version of the flow the preview starts from: updating replaces exactly this. */
  flowVersion: number;
  template: { slug: string; name: string; latestVersion: number };
  installedVersion: number;
  /** The flow's saved graph now. */
  current: FlowGraph;
  /** The graph the update would save, with the flow's credentials and values kept. */
  next: FlowGraph;
  /** Placeholders left in `next`: what the update will ask for before it can be applied. */
  missing: { credentials: string[]; inputs: string[] };
}

/** What the update to the template's latest version would make of the flow, without saving anything. */
export async function previewTemplateUpdate(workspaceId: string, flowId: string): Promise<TemplateUpdatePreview> {
  const { flow, template } = await flowWithTemplate(workspaceId, flowId);
  const installedVersion = flow.templateVersion;
  if (!template || installedVersion === null) {
    throw new AppError('BAD_REQUEST', 'This flow was not installed from a template that is still available, so there is no update to show.');
  }
  if (template.version <= installedVersion) {
    throw new AppError('BAD_REQUEST', `This flow already uses the latest version (${template.version}) of “${template.name}”.`);
  }
  const needs = { credentials: parseRequirements(template.credentials), inputs: parseInputs(template.inputs) };
  const values = previewValues(needs, { credentials: recordOf<string>(flow.templateCredentials), inputs: recordOf<JsonValue>(flow.templateInputs) });
  const current = graphOf(flow.graph);
  const next = updatedFlowGraph(current, graphOf(template.graph), values, { keepMissing: true });
  const left = collectPlaceholders(next);
  return {
    flowId: flow.id,
    flowVersion: flow.version,
    template: { slug: template.slug, name: template.name, latestVersion: template.version },
    installedVersion,
    current,
    next,
    missing: { credentials: [...left.credentials.keys()], inputs: [...left.inputs.keys()] },
  };
}

export const applyTemplateUpdateInput = templateValuesInput.extend({
  flowId: z.string(),
});
export type ApplyTemplateUpdateInput = z.input<typeof applyTemplateUpdateInput>;

/**
 * Replaces the flow's graph with the template's latest version, filled with the credentials and
 * inputs chosen at install time (plus any given now, for what the new version added). Nodes that
 * kept their id keep the position the user gave them. Saved through saveFlowGraph, so the old
 * graph stays in the flow's history and can be restored; a concurrent edit is refused.
 */
export async function applyTemplateUpdate(
  workspaceId: string,
  input: ApplyTemplateUpdateInput,
  createdBy?: string,
): Promise<{ flowId: string; version: number; fromTemplateVersion: number; toTemplateVersion: number; diff: GraphDiff }> {
  const parsed = applyTemplateUpdateInput.parse(input);
  const { flow, template } = await flowWithTemplate(workspaceId, parsed.flowId);
  if (!template || flow.templateVersion === null) {
    throw new AppError('BAD_REQUEST', 'This flow was not installed from a template that is still available, so there is nothing to update.');
  }
  if (template.version <= flow.templateVersion) {
    throw new AppError('BAD_REQUEST', `This flow already uses the latest version (${template.version}) of “${template.name}”.`);
  }
  const needs = { credentials: parseRequirements(template.credentials), inputs: parseInputs(template.inputs) };
  const previous = { credentials: recordOf<string>(flow.templateCredentials), inputs: recordOf<JsonValue>(flow.templateInputs) };
  const carried = carriedValues(needs, previous);
  const values = await resolveTemplateValues(
    workspaceId,
    needs,
    { credentials: parsed.credentials, inputs: parsed.inputs as Record<string, JsonValue> },
    carried,
    `Version ${template.version} of “${template.name}”`,
  );
  const current = graphOf(flow.graph);
  const next = updatedFlowGraph(current, graphOf(template.graph), values);
  const diff = diffGraphs(current, next);
  const saved = await saveFlowGraph(workspaceId, { id: flow.id, baseVersion: flow.version, graph: next }, createdBy);
  await db().flow.updateMany({
    where: { id: flow.id, workspaceId },
    data: {
      templateVersion: template.version,
      templateInputs: values.inputs as Prisma.InputJsonValue,
      templateCredentials: values.credentials as Prisma.InputJsonValue,
    },
  });
  return { flowId: flow.id, version: saved.version, fromTemplateVersion: flow.templateVersion, toTemplateVersion: template.version, diff };
}
