import { z } from 'zod';
import { db } from '../../db';
import { AppError, notFound, type FieldIssue } from '../../errors';
import type { JsonValue } from '../../agents/define-agent';
import { getAgent } from '../../agents/registry';
import { flowGraphSchema, type FlowGraph } from '../../engine/graph';
import type { Prisma, Template } from '../../generated/prisma/client';
import { createFlow } from '../flows';
import { ensureCatalogSynced } from './catalog';
import {
  credentialTypeName,
  describeTypes,
  parseInputs,
  parseRequirements,
  typesOf,
  type CredentialRequirement,
  type TemplateInput,
} from './format';
import { collectPlaceholders, substitutePlaceholders, type PlaceholderValues } from './placeholders';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type TemplateSort = 'popular' | 'new' | 'name';
export type TemplateSource = 'catalog' | 'workspace' | 'community';

export interface TemplateListItem {
  slug: string;
  name: string;
  summary: string;
  category: string;
  tags: string[];
  /** Agent types the flow uses, for the icon row on the card. */
  agentTypes: string[];
  installCount: number;
  version: number;
  author: string;
  /** catalog: built in; workspace: published by this workspace; community: by another workspace. */
  source: TemplateSource;
  visibility: 'workspace' | 'everyone';
  createdAt: Date;
  updatedAt: Date;
}

export interface TemplateCredentialNeed {
  name: string;
  /** Accepted credential types, e.g. ["slack_webhook", "slack_bot"]. */
  types: string[];
  /** The same in words, e.g. "Slack incoming webhook or Slack bot token". */
  typeLabel: string;
  description?: string;
  /** The nodes that use it. */
  usedBy: Array<{ nodeId: string; label: string }>;
  /** This workspace's credentials of an accepted type, for the install form's picker. */
  available: Array<{ id: string; name: string; type: string }>;
}

export interface TemplateInputNeed extends TemplateInput {
  required: boolean;
  usedBy: Array<{ nodeId: string; label: string }>;
}

export interface TemplateDetail extends TemplateListItem {
  /** Markdown. */
  description: string;
  /** The latest version's graph, with placeholders, for a read-only preview. */
  graph: FlowGraph;
  credentials: TemplateCredentialNeed[];
  inputs: TemplateInputNeed[];
  agents: Array<{ type: string; name: string; icon: string; category: string; known: boolean }>;
  /** Newest first. */
  versions: Array<{ version: number; changelog: string; createdAt: Date }>;
  /** Whether this workspace may publish new versions under this slug. */
  canPublishVersions: boolean;
}

export function visibleTo(workspaceId: string): Prisma.TemplateWhereInput {
  return { OR: [{ visibility: 'everyone' }, { workspaceId }] };
}

function sourceOf(row: Pick<Template, 'workspaceId'>, workspaceId: string): TemplateSource {
  if (row.workspaceId === null) return 'catalog';
  return row.workspaceId === workspaceId ? 'workspace' : 'community';
}

function toListItem(row: Template, workspaceId: string): TemplateListItem {
  return {
    slug: row.slug,
    name: row.name,
    summary: row.summary,
    category: row.category,
    tags: row.tags,
    agentTypes: row.agentTypes,
    installCount: row.installCount,
    version: row.version,
    author: row.author,
    source: sourceOf(row, workspaceId),
    visibility: row.visibility,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export const listTemplatesInput = z.object({
  search: z.string().trim().max(200).optional(),
  category: z.string().trim().max(60).optional(),
  tag: z.string().trim().max(40).optional(),
  sort: z.enum(['popular', 'new', 'name']).default('popular'),
});
export type ListTemplatesInput = z.input<typeof listTemplatesInput>;

/** Shared templates and this workspace's own, filtered and sorted. */
export async function listTemplates(workspaceId: string, input: ListTemplatesInput = {}): Promise<TemplateListItem[]> {
  await ensureCatalogSynced();
  const { search, category, tag, sort } = listTemplatesInput.parse(input);
  const and: Prisma.TemplateWhereInput[] = [visibleTo(workspaceId)];
  if (category) and.push({ category: { equals: category, mode: 'insensitive' } });
  if (tag) and.push({ tags: { has: tag } });
  if (search) {
    const words = search.split(/\s+/).filter(Boolean).slice(0, 8);
    for (const w of words) {
      and.push({
        OR: [
          { name: { contains: w, mode: 'insensitive' } },
          { summary: { contains: w, mode: 'insensitive' } },
          { description: { contains: w, mode: 'insensitive' } },
          { category: { contains: w, mode: 'insensitive' } },
          { tags: { has: w.toLowerCase() } },
          { agentTypes: { has: w.toLowerCase() } },
        ],
      });
    }
  }
  const orderBy: Prisma.TemplateOrderByWithRelationInput[] =
    sort === 'popular' ? [{ installCount: 'desc' }, { name: 'asc' }] : sort === 'new' ? [{ createdAt: 'desc' }, { name: 'asc' }] : [{ name: 'asc' }];
  const rows = await db().template.findMany({ where: { AND: and }, orderBy, take: 500 });
  // The database's collation may not be the reader's: names sort the way people read them.
  if (sort === 'name') rows.sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }));
  return rows.map((r) => toListItem(r, workspaceId));
}

/** Categories of the templates this workspace sees, with how many each holds. */
export async function templateCategories(workspaceId: string): Promise<Array<{ name: string; count: number }>> {
  await ensureCatalogSynced();
  const groups = await db().template.groupBy({ by: ['category'], where: visibleTo(workspaceId), _count: { _all: true } });
  return groups.map((g) => ({ name: g.category, count: g._count._all })).sort((a, b) => a.name.localeCompare(b.name));
}

export async function findVisibleTemplate(workspaceId: string, slug: string): Promise<Template> {
  await ensureCatalogSynced();
  const row = await db().template.findFirst({ where: { AND: [{ slug }, visibleTo(workspaceId)] } });
  if (!row) throw notFound('This template');
  return row;
}

export function graphOf(json: unknown): FlowGraph {
  return flowGraphSchema.parse(json);
}

function labelOf(graph: FlowGraph, nodeId: string): string {
  const node = graph.nodes.find((n) => n.id === nodeId);
  return node?.label || getAgent(node?.type ?? '')?.name || nodeId;
}

function usesOf(graph: FlowGraph, uses: Array<{ nodeId: string }> | undefined): Array<{ nodeId: string; label: string }> {
  const ids = [...new Set((uses ?? []).map((u) => u.nodeId))];
  return ids.map((nodeId) => ({ nodeId, label: labelOf(graph, nodeId) }));
}

/** Everything the template page and the install dialog show. */
export async function getTemplate(workspaceId: string, slug: string): Promise<TemplateDetail> {
  const row = await findVisibleTemplate(workspaceId, slug);
  const graph = graphOf(row.graph);
  const requirements = parseRequirements(row.credentials);
  const inputs = parseInputs(row.inputs);
  const refs = collectPlaceholders(graph);
  const [versions, creds] = await Promise.all([
    db().templateVersion.findMany({
      where: { templateId: row.id },
      orderBy: { version: 'desc' },
      select: { version: true, changelog: true, createdAt: true },
    }),
    db().credential.findMany({
      where: { workspaceId, type: { in: requirements.flatMap((r) => typesOf(r.type)) } },
      orderBy: { name: 'asc' },
      select: { id: true, name: true, type: true },
    }),
  ]);
  return {
    ...toListItem(row, workspaceId),
    description: row.description,
    graph,
    credentials: requirements.map((r) => ({
      name: r.name,
      types: typesOf(r.type),
      typeLabel: describeTypes(r.type),
      ...(r.description ? { description: r.description } : {}),
      usedBy: usesOf(graph, refs.credentials.get(r.name)),
      available: creds.filter((c) => typesOf(r.type).includes(c.type)),
    })),
    inputs: inputs.map((i) => ({ ...i, required: i.default === undefined, usedBy: usesOf(graph, refs.inputs.get(i.name)) })),
    agents: row.agentTypes.map((type) => {
      const a = getAgent(type);
      return { type, name: a?.name ?? type, icon: a?.icon ?? 'Box', category: a?.category ?? 'Apps', known: Boolean(a) };
    }),
    versions,
    canPublishVersions: row.workspaceId === workspaceId,
  };
}

// ---------------------------------------------------------------------------------------------
// Installing

export const templateValuesInput = z.object({
  credentials: z.record(z.string(), z.string()).default({}),
  inputs: z.record(z.string(), z.json()).default({}),
});

function coerceInput(input: TemplateInput, raw: JsonValue): { value?: JsonValue; problem?: string } {
  if (input.type === 'number') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    return Number.isFinite(n) ? { value: n } : { problem: `"${input.label}" (${input.name}) must be a number.` };
  }
  if (input.type === 'boolean') {
    if (typeof raw === 'boolean') return { value: raw };
    if (raw === 'true' || raw === 'false') return { value: raw === 'true' };
    return { problem: `"${input.label}" (${input.name}) must be true or false.` };
  }
  if (typeof raw === 'object' && raw !== null) return { problem: `"${input.label}" (${input.name}) must be text.` };
  return { value: String(raw) };
}

/**
 * Checks the installer's choices against a template's needs and returns the placeholder values.
 * Every problem is collected into one VALIDATION error that names each credential and input.
 * `previous` (when updating) fills what the installer does not give again.
 */
export async function resolveTemplateValues(
  workspaceId: string,
  needs: { credentials: CredentialRequirement[]; inputs: TemplateInput[] },
  given: { credentials?: Record<string, string>; inputs?: Record<string, JsonValue> },
  previous: { credentials?: Record<string, string>; inputs?: Record<string, JsonValue> } = {},
  templateName = 'this template',
): Promise<PlaceholderValues> {
  const issues: FieldIssue[] = [];
  const credGiven = { ...(previous.credentials ?? {}), ...(given.credentials ?? {}) };
  const inputGiven = { ...(previous.inputs ?? {}), ...(given.inputs ?? {}) };

  const knownCreds = new Set(needs.credentials.map((c) => c.name));
  const knownInputs = new Set(needs.inputs.map((i) => i.name));
  for (const name of Object.keys(given.credentials ?? {})) {
    if (!knownCreds.has(name)) {
      issues.push({ field: `credentials.${name}`, message: `"${name}" is not a credential of ${templateName}${knownCreds.size ? ` (it needs: ${[...knownCreds].join(', ')})` : ' (it needs none)'}.` });
    }
  }
  for (const name of Object.keys(given.inputs ?? {})) {
    if (!knownInputs.has(name)) {
      issues.push({ field: `inputs.${name}`, message: `"${name}" is not an input of ${templateName}${knownInputs.size ? ` (its inputs: ${[...knownInputs].join(', ')})` : ' (it has none)'}.` });
    }
  }

  const credentials: Record<string, string> = {};
  const ids = needs.credentials.map((r) => credGiven[r.name]).filter((id): id is string => typeof id === 'string' && UUID.test(id));
  const rows = ids.length ? await db().credential.findMany({ where: { id: { in: ids }, workspaceId }, select: { id: true, name: true, type: true } }) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const req of needs.credentials) {
    const field = `credentials.${req.name}`;
    const id = credGiven[req.name]?.trim();
    if (!id) {
      issues.push({ field, message: `Choose a credential for "${req.name}" (${describeTypes(req.type)}).` });
      continue;
    }
    const row = byId.get(id);
    if (!row) {
      issues.push({ field, message: `The credential chosen for "${req.name}" was not found in this workspace. Choose one of your ${describeTypes(req.type)} credentials.` });
      continue;
    }
    if (!typesOf(req.type).includes(row.type)) {
      issues.push({
        field,
        message: `"${req.name}" needs a ${describeTypes(req.type)} credential, but '${row.name}' is a ${credentialTypeName(row.type)}.`,
      });
      continue;
    }
    credentials[req.name] = id;
  }

  const inputs: Record<string, JsonValue> = {};
  for (const input of needs.inputs) {
    const field = `inputs.${input.name}`;
    const raw = inputGiven[input.name];
    const empty = raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
    if (empty) {
      if (input.default !== undefined) inputs[input.name] = input.default as JsonValue;
      else issues.push({ field, message: `Fill in "${input.label}" (${input.name}).` });
      continue;
    }
    const { value, problem } = coerceInput(input, raw);
    if (problem) issues.push({ field, message: problem });
    else inputs[input.name] = value!;
  }

  if (issues.length) {
    throw new AppError('VALIDATION', `${templateName === 'this template' ? 'The template' : templateName} cannot be installed yet: ${issues.map((i) => i.message).join(' ')}`, issues);
  }
  return { credentials, inputs };
}

export const installTemplateInput = templateValuesInput.extend({
  slug: z.string().trim().min(1).max(80),
  name: z.string().trim().min(1).max(200).optional(),
});
export type InstallTemplateInput = z.input<typeof installTemplateInput>;

/**
 * Creates a flow from the template's latest version, switched off so that nothing runs before the
 * user has looked at it. The flow remembers the template, version, inputs and credential choices
 * (for updates), and the template's install count goes up.
 */
export async function installTemplate(
  workspaceId: string,
  input: InstallTemplateInput,
  createdBy?: string,
): Promise<{ flowId: string; name: string; templateVersion: number }> {
  const { slug, name, credentials, inputs } = installTemplateInput.parse(input);
  const row = await findVisibleTemplate(workspaceId, slug);
  const needs = { credentials: parseRequirements(row.credentials), inputs: parseInputs(row.inputs) };
  const values = await resolveTemplateValues(workspaceId, needs, { credentials, inputs: inputs as Record<string, JsonValue> }, {}, `"${row.name}"`);
  const graph = substitutePlaceholders(graphOf(row.graph), values);
  const flowName = name ?? row.name;
  const { id } = await createFlow(
    workspaceId,
    { name: flowName, description: `${row.summary}\n\nInstalled from the template “${row.name}” (version ${row.version}).`.trim(), graph, active: false },
    createdBy,
  );
  await db().$transaction([
    db().flow.update({
      where: { id },
      data: {
        templateId: row.id,
        templateVersion: row.version,
        templateInputs: values.inputs as Prisma.InputJsonValue,
        templateCredentials: values.credentials as Prisma.InputJsonValue,
      },
    }),
    db().template.update({ where: { id: row.id }, data: { installCount: { increment: 1 } } }),
  ]);
  return { flowId: id, name: flowName, templateVersion: row.version };
}
