import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { db, type Db } from '../../db';
import type { Prisma } from '../../generated/prisma/client';
import { agentTypesOf, catalogTemplateSchema, type CatalogTemplate } from './format';
import { checkTemplateDefinition } from './placeholders';

/**
 * The built-in catalog: JSON files in server/templates/catalog/, upserted into the Template table
 * (workspaceId null, visible to everyone) the first time a process needs the marketplace.
 */

export interface CatalogFile {
  file: string;
  template?: CatalogTemplate;
  /** Why the file is not offered: unreadable, not the template format, or does not install cleanly. */
  problems: string[];
}

/**
 * Where the catalog files are. Tried in order: MUNINN_TEMPLATES_DIR; next to this module (tsx,
 * vitest, the worker); below the working directory (next dev/start); one level up (the Docker
 * image runs the standalone web server from /app/web while the sources are in /app/server).
 */
export function catalogDirectory(): string | undefined {
  const candidates = [
    process.env.MUNINN_TEMPLATES_DIR,
    moduleRelative(),
    path.join(process.cwd(), 'server/templates/catalog'),
    path.join(process.cwd(), '../server/templates/catalog'),
  ].filter((d): d is string => Boolean(d));
  return candidates.find((d) => existsSync(d));
}

function moduleRelative(): string | undefined {
  try {
    return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates/catalog');
  } catch {
    return undefined;
  }
}

/** Reads and checks every catalog file. Never throws for a bad file: its problems are listed. */
export async function loadCatalogFiles(dir = catalogDirectory()): Promise<CatalogFile[]> {
  if (!dir) return [];
  const names = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const out: CatalogFile[] = [];
  for (const file of names) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path.join(dir, file), 'utf8'));
    } catch (e) {
      out.push({ file, problems: [`not valid JSON: ${(e as Error).message}`] });
      continue;
    }
    // The portable flow format puts nodes and edges at the top; accept that too.
    if (json && typeof json === 'object' && !('graph' in json) && 'nodes' in json) {
      const { nodes, edges, ...rest } = json as Record<string, unknown>;
      json = { ...rest, graph: { nodes, edges: edges ?? [] } };
    }
    const parsed = catalogTemplateSchema.safeParse(json);
    if (!parsed.success) {
      out.push({ file, problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`) });
      continue;
    }
    const problems = checkTemplateDefinition(parsed.data).map((i) => i.message);
    out.push({ file, template: parsed.data, problems });
  }
  return out;
}

function changelogOf(t: CatalogTemplate): string {
  return t.changelog.find((c) => c.version === t.version)?.changes ?? '';
}

function rowData(t: CatalogTemplate) {
  return {
    name: t.name,
    summary: t.summary,
    description: t.description,
    category: t.category,
    tags: t.tags,
    author: t.author,
    version: t.version,
    graph: t.graph as unknown as Prisma.InputJsonValue,
    credentials: t.credentials as unknown as Prisma.InputJsonValue,
    inputs: t.inputs as unknown as Prisma.InputJsonValue,
    agentTypes: agentTypesOf(t.graph),
  };
}

/** JSON with object keys sorted: Postgres jsonb does not keep key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** Compares what a sync would write with what is stored, so an unchanged catalog writes nothing. */
function sameContent(row: Record<string, unknown>, data: ReturnType<typeof rowData>): boolean {
  return (Object.keys(data) as Array<keyof typeof data>).every((k) => canonical(row[k]) === canonical(data[k]));
}

export interface CatalogSyncResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  /** Files not offered, with the reason (also logged). */
  skipped: Array<{ file: string; slug?: string; problems: string[] }>;
}

/**
 * Upserts the catalog into the Template table, idempotently: a template whose file changed is
 * updated in place (a new version also gets a TemplateVersion row with its changelog); unchanged
 * ones are not written. Files with problems are skipped and reported, so one bad file never
 * hides the rest. A slug already taken by a workspace's own template is left alone. Runs under
 * an advisory lock so that several processes starting together do not race.
 */
export async function syncCatalogTemplates(client: Db = db()): Promise<CatalogSyncResult> {
  const files = await loadCatalogFiles();
  const result: CatalogSyncResult = { created: [], updated: [], unchanged: [], skipped: [] };
  const good: CatalogTemplate[] = [];
  for (const f of files) {
    if (f.template && f.problems.length === 0) good.push(f.template);
    else result.skipped.push({ file: f.file, ...(f.template ? { slug: f.template.slug } : {}), problems: f.problems });
  }
  await client.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('muninn:template-catalog'))`;
      const existing = await tx.template.findMany({ where: { slug: { in: good.map((t) => t.slug) } } });
      const bySlug = new Map(existing.map((r) => [r.slug, r]));
      // New templates are written in two statements, whatever their number.
      const toCreate: Prisma.TemplateCreateManyInput[] = [];
      const versionsToCreate: Prisma.TemplateVersionCreateManyInput[] = [];
      for (const t of good) {
        const data = rowData(t);
        const row = bySlug.get(t.slug);
        if (row && row.workspaceId !== null) {
          result.skipped.push({ file: `${t.slug}.json`, slug: t.slug, problems: ['the slug is taken by a template a workspace published'] });
          continue;
        }
        if (!row) {
          const id = randomUUID();
          toCreate.push({ id, slug: t.slug, ...data, workspaceId: null, visibility: 'everyone' });
          versionsToCreate.push({ templateId: id, version: t.version, graph: data.graph, credentials: data.credentials, inputs: data.inputs, changelog: changelogOf(t) });
          result.created.push(t.slug);
          continue;
        }
        if (sameContent(row as unknown as Record<string, unknown>, data)) {
          result.unchanged.push(t.slug);
          continue;
        }
        await tx.template.update({ where: { id: row.id }, data });
        const versionData = { graph: data.graph, credentials: data.credentials, inputs: data.inputs, changelog: changelogOf(t) };
        await tx.templateVersion.upsert({
          where: { templateId_version: { templateId: row.id, version: t.version } },
          create: { templateId: row.id, version: t.version, ...versionData },
          update: versionData,
        });
        result.updated.push(t.slug);
      }
      if (toCreate.length) {
        await tx.template.createMany({ data: toCreate });
        await tx.templateVersion.createMany({ data: versionsToCreate });
      }
    },
    { timeout: 30_000 },
  );
  for (const s of result.skipped) console.warn(`[templates] catalog file ${s.file} skipped: ${s.problems.slice(0, 3).join('; ')}`);
  return result;
}

const synced = new WeakMap<Db, Promise<CatalogSyncResult>>();

/**
 * Syncs the catalog once per process and database client (tests switch databases), the first
 * time the marketplace is used. A failed sync is retried on the next call.
 */
export function ensureCatalogSynced(): Promise<CatalogSyncResult> {
  const client = db();
  let p = synced.get(client);
  if (!p) {
    p = syncCatalogTemplates(client);
    synced.set(client, p);
    p.catch(() => synced.delete(client));
  }
  return p;
}
