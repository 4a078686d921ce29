import { z } from 'zod';
import { db } from '../../db';
import { AppError, notFound, type FieldIssue } from '../../errors';
import type { JsonObject, JsonValue } from '../../agents/define-agent';
import { getAgent } from '../../agents/registry';
import { flowGraphSchema, type FlowGraph, type FlowNode } from '../../engine/graph';
import type { Prisma } from '../../generated/prisma/client';
import {
  agentTypesOf,
  slugSchema,
  summaryFromMarkdown,
  templateInputSchema,
  type CredentialRequirement,
  type TemplateInput,
} from './format';
import { checkTemplateDefinition, credentialFields, CREDENTIAL_PREFIX } from './placeholders';
import { findSecrets, findSecretsInString } from './secrets';
import { ensureCatalogSynced } from './catalog';
import { audit } from '../audit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const publishTemplateInput = z.object({
  flowId: z.string(),
  /** The template's address; by default made from the name. An existing slug of this workspace publishes a new version. */
  slug: slugSchema.optional(),
  name: z.string({ error: 'Give the template a name' }).trim().min(1, 'Give the template a name').max(120),
  /** One line for cards; by default the first paragraph of the description. */
  summary: z.string().trim().max(200).optional(),
  /** Markdown. */
  description: z.string().max(20_000).default(''),
  category: z.string({ error: 'Choose a category' }).trim().min(1, 'Choose a category').max(60),
  tags: z.array(z.string().trim().toLowerCase().min(1).max(40)).max(20).default([]),
  visibility: z.enum(['workspace', 'everyone']),
  /**
   * Values the installer fills in. With `target`, the option at `target.field` (a dotted path in
   * the node's options, e.g. "channel" or "headers.X-Team") becomes `$input:<name>`, and its
   * current value the default unless one is given. Without `target`, the graph must already use
   * `$input:<name>` somewhere.
   */
  inputs: z
    .array(templateInputSchema.extend({ target: z.object({ nodeId: z.string().min(1), field: z.string().min(1) }).optional() }))
    .max(50)
    .default([]),
  /** What changed; required for a new version of an existing template. */
  changelog: z.string().trim().max(5_000).default(''),
  /** Values that look like secrets: replace them with secret inputs (default), or refuse to publish. */
  secrets: z.enum(['replace', 'refuse']).default('replace'),
});
export type PublishTemplateInput = z.input<typeof publishTemplateInput>;

export interface PublishResult {
  slug: string;
  version: number;
  created: boolean;
  credentials: CredentialRequirement[];
  inputs: TemplateInput[];
  /** Secrets taken out of the graph, and the input that now asks for each (never the value). */
  replacedSecrets: Array<{ nodeId: string; field: string; what: string; input: string }>;
}

export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return s.length >= 3 ? s : `template-${s || 'flow'}`;
}

function getAt(obj: JsonValue | undefined, parts: string[]): JsonValue | undefined {
  let cur = obj;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(p)] : Object.hasOwn(cur, p) ? cur[p] : undefined;
  }
  return cur;
}

function setAt(obj: JsonObject, parts: string[], value: JsonValue): void {
  let cur: JsonValue = obj;
  for (const p of parts.slice(0, -1)) cur = Array.isArray(cur) ? cur[Number(p)]! : (cur as JsonObject)[p]!;
  const last = parts[parts.length - 1]!;
  if (Array.isArray(cur)) cur[Number(last)] = value;
  else (cur as JsonObject)[last] = value;
}

function uniqueName(base: string, taken: Set<string>): string {
  const clean = (base.replace(/[^a-z0-9_]/g, '_').replace(/^[^a-z]+/, '') || 'value').slice(0, 36);
  let name = clean;
  for (let i = 2; taken.has(name); i++) name = `${clean}_${i}`;
  taken.add(name);
  return name;
}

/** "slack" for ["slack_webhook", "slack_bot"], "smtp" for ["smtp"], "jira" for ["jira_cloud"]. */
function requirementBase(types: string[]): string {
  if (types.length === 1) return types[0]!.replace(/_cloud$/, '');
  let prefix = types[0]!;
  for (const t of types) while (!t.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix.replace(/_+$/, '') || types[0]!;
}

function labelOf(node: FlowNode): string {
  return node.label || getAgent(node.type)?.name || node.id;
}

/**
 * Turns a flow of this workspace into a template version: credentials become `$credential:`
 * requirements, chosen options become inputs, secrets found in options become secret inputs (or
 * are refused), and the result must install cleanly. Publishing under an existing slug adds
 * version N+1 with its changelog — only for the workspace that owns the template.
 */
export async function publishTemplate(workspaceId: string, raw: PublishTemplateInput): Promise<PublishResult> {
  const input = publishTemplateInput.parse(raw);
  const flow = UUID.test(input.flowId) ? await db().flow.findFirst({ where: { id: input.flowId, workspaceId }, select: { graph: true } }) : null;
  if (!flow) throw notFound('This flow');
  const source = flowGraphSchema.parse(flow.graph);
  if (source.nodes.length === 0) throw new AppError('VALIDATION', 'This flow has no nodes yet; there is nothing to publish.');

  const graph: FlowGraph = JSON.parse(JSON.stringify(source)) as FlowGraph;
  const issues: FieldIssue[] = [];
  const inputNames = new Set<string>(input.inputs.map((i) => i.name));
  const credNames = new Set<string>();

  // 1. Credentials → requirements. One requirement per distinct credential.
  const requirements: CredentialRequirement[] = [];
  const byCredential = new Map<string, string>();
  const skipPaths = new Map<string, Set<string>>();
  for (const node of graph.nodes) {
    const skip = new Set<string>();
    skipPaths.set(node.id, skip);
    for (const [path, types] of credentialFields(node.type)) {
      skip.add(path);
      const parts = path.split('.');
      const value = getAt(node.options as JsonValue, parts);
      if (value === undefined) continue;
      if (typeof value === 'string' && value.startsWith(CREDENTIAL_PREFIX)) {
        const name = value.slice(CREDENTIAL_PREFIX.length);
        if (!credNames.has(name)) {
          credNames.add(name);
          requirements.push({ name, type: types.length === 1 ? types[0]! : types });
        }
        continue;
      }
      const key = typeof value === 'string' && value ? value : `${node.id}:${path}`;
      let name = byCredential.get(key);
      if (!name) {
        name = uniqueName(requirementBase(types), credNames);
        byCredential.set(key, name);
        requirements.push({ name, type: types.length === 1 ? types[0]! : types, description: `Used by ${labelOf(node)}` });
      }
      setAt(node.options as JsonObject, parts, `${CREDENTIAL_PREFIX}${name}`);
    }
  }

  // 2. Options the publisher turns into inputs.
  const inputs: TemplateInput[] = [];
  for (const { target, ...decl } of input.inputs) {
    const declared: TemplateInput = { ...decl };
    if (target) {
      const node = graph.nodes.find((n) => n.id === target.nodeId);
      const parts = target.field.replace(/^options\./, '').split('.');
      const current = node ? getAt(node.options as JsonValue, parts) : undefined;
      if (!node || current === undefined) {
        issues.push({ nodeId: target.nodeId, field: target.field, message: `Input "${decl.name}": node "${target.nodeId}" has no setting "${target.field}".` });
        continue;
      }
      if (skipPaths.get(node.id)!.has(parts.join('.'))) {
        issues.push({ nodeId: node.id, field: target.field, message: `Input "${decl.name}": "${target.field}" holds a credential; credentials are asked for automatically.` });
        continue;
      }
      // The current value becomes the public default only when it holds no secret; otherwise
      // installers must type their own, and the input is marked secret.
      const looksSecret = typeof current === 'string' && findSecretsInString(current, parts.join('.'), parts.at(-1) ?? '').length > 0;
      if (looksSecret) declared.secret = true;
      else if (declared.default === undefined && !declared.secret) declared.default = current;
      const typeGiven = raw.inputs?.find((i) => i.name === decl.name)?.type !== undefined;
      if (!typeGiven && typeof current === 'number') declared.type = 'number';
      if (!typeGiven && typeof current === 'boolean') declared.type = 'boolean';
      setAt(node.options as JsonObject, parts, `$input:${decl.name}`);
    }
    inputs.push(declared);
  }

  // 3. Secrets left in options.
  const replacedSecrets: PublishResult['replacedSecrets'] = [];
  const refused: FieldIssue[] = [];
  const inputForSecret = new Map<string, string>();
  for (const node of graph.nodes) {
    const agent = getAgent(node.type);
    const findings = findSecrets(node.options, skipPaths.get(node.id));
    for (const f of findings) {
      const field = `options.${f.path}`;
      const top = f.path.split('.')[0]!;
      const refuse = (why: string) =>
        refused.push({ nodeId: node.id, field, message: `Node ${labelOf(node)} (${node.id}), setting "${f.path}" contains ${f.what}: ${why}` });
      if (input.secrets === 'refuse') {
        refuse('remove it (use a credential or an input) before publishing.');
        continue;
      }
      if (f.kind === 'private_key') {
        refuse('a private key cannot be published; keep it in a credential.');
        continue;
      }
      if (agent?.rawOptions?.includes(top)) {
        refuse('secrets inside code or expressions cannot be replaced automatically; move the secret into a credential or an input first.');
        continue;
      }
      const parts = f.path.split('.');
      const value = getAt(node.options as JsonValue, parts);
      if (typeof value !== 'string') continue;
      const after = value.split(f.secret).slice(1).map((rest) => rest.charAt(0));
      if (after.some((c) => /[a-z0-9_]/.test(c))) {
        refuse('it runs into the text after it, so it cannot be replaced cleanly; move it into a credential or an input first.');
        continue;
      }
      let name = inputForSecret.get(f.secret);
      if (!name) {
        name = uniqueName(f.hint, inputNames);
        inputForSecret.set(f.secret, name);
        inputs.push({
          name,
          label: `${labelOf(node)}: ${f.what}`.slice(0, 100),
          description: 'Removed when the template was published. Enter your own value.',
          type: 'text',
          secret: true,
        });
      }
      setAt(node.options as JsonObject, parts, value.split(f.secret).join(`$input:${name}`));
      replacedSecrets.push({ nodeId: node.id, field, what: f.what, input: name });
    }
  }
  if (refused.length) {
    throw new AppError(
      'VALIDATION',
      `The flow contains secrets and was not published. ${refused.slice(0, 3).map((i) => i.message).join(' ')}${refused.length > 3 ? ` (and ${refused.length - 3} more)` : ''}`,
      refused,
    );
  }
  if (issues.length) throw new AppError('VALIDATION', `The template was not published. ${issues.map((i) => i.message).join(' ')}`, issues);

  // 4. It must install cleanly.
  const problems = checkTemplateDefinition({ credentials: requirements, inputs, graph });
  if (problems.length) {
    const head = problems.slice(0, 3).map((i) => i.message).join(' ');
    throw new AppError('VALIDATION', `The template would not install cleanly, so it was not published. ${head}${problems.length > 3 ? ` (and ${problems.length - 3} more problems)` : ''}`, problems);
  }

  const published = await saveTemplateVersion(workspaceId, input, { graph, requirements, inputs, replacedSecrets });
  await audit(workspaceId, 'template.published', { type: 'template', id: published.slug, label: input.name }, { version: published.version, visibility: input.visibility, flowId: input.flowId });
  return published;
}

async function saveTemplateVersion(
  workspaceId: string,
  input: z.output<typeof publishTemplateInput>,
  built: { graph: FlowGraph; requirements: CredentialRequirement[]; inputs: TemplateInput[]; replacedSecrets: PublishResult['replacedSecrets'] },
): Promise<PublishResult> {
  await ensureCatalogSynced();
  const slug = input.slug ?? slugify(input.name);
  const workspace = await db().workspace.findUnique({ where: { id: workspaceId }, select: { name: true } });
  const data = {
    name: input.name,
    summary: input.summary || summaryFromMarkdown(input.description) || input.name,
    description: input.description,
    category: input.category,
    tags: [...new Set(input.tags)],
    author: workspace?.name ?? 'Unknown',
    graph: built.graph as unknown as Prisma.InputJsonValue,
    credentials: built.requirements as unknown as Prisma.InputJsonValue,
    inputs: built.inputs as unknown as Prisma.InputJsonValue,
    agentTypes: agentTypesOf(built.graph),
    visibility: input.visibility,
  };
  const versionData = { graph: data.graph, credentials: data.credentials, inputs: data.inputs };
  const result = { slug, credentials: built.requirements, inputs: built.inputs, replacedSecrets: built.replacedSecrets };

  return db().$transaction(async (tx) => {
    const existing = await tx.template.findUnique({ where: { slug }, select: { id: true, version: true, workspaceId: true, visibility: true } });
    if (!existing) {
      try {
        const created = await tx.template.create({ data: { slug, ...data, version: 1, workspaceId } });
        await tx.templateVersion.create({ data: { templateId: created.id, version: 1, ...versionData, changelog: input.changelog || 'First version' } });
      } catch (e) {
        if ((e as { code?: string }).code === 'P2002') throw slugTaken(slug);
        throw e;
      }
      return { ...result, version: 1, created: true };
    }
    if (existing.workspaceId !== workspaceId) {
      if (existing.workspaceId !== null && existing.visibility === 'workspace') throw slugTaken(slug);
      throw new AppError(
        'FORBIDDEN',
        `The template “${slug}” was published by ${existing.workspaceId === null ? 'Muninn (built-in catalog)' : 'another workspace'}; only its owner can publish new versions. Publish yours under another slug.`,
        [{ field: 'slug', message: 'Owned by someone else' }],
      );
    }
    if (!input.changelog) {
      throw new AppError('VALIDATION', `“${slug}” already exists (version ${existing.version}). Describe what changed in the changelog to publish version ${existing.version + 1}.`, [
        { field: 'changelog', message: 'Say what changed in this version' },
      ]);
    }
    const version = existing.version + 1;
    const updated = await tx.template.updateMany({ where: { id: existing.id, version: existing.version }, data: { ...data, version } });
    if (updated.count === 0) throw new AppError('CONFLICT', `Someone published a new version of “${slug}” at the same time. Reload and publish again.`);
    await tx.templateVersion.create({ data: { templateId: existing.id, version, ...versionData, changelog: input.changelog } });
    return { ...result, version, created: false };
  });
}

function slugTaken(slug: string): AppError {
  return new AppError('CONFLICT', `The address “${slug}” is already used by another template. Choose another slug.`, [{ field: 'slug', message: 'Already taken' }]);
}
