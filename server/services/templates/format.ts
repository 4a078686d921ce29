import { z } from 'zod';
import { credentialTypes, isCredentialType } from '../../agents/credential-types';
import { flowGraphSchema, type FlowGraph } from '../../engine/graph';
import type { JsonValue } from '../../agents/define-agent';

/**
 * The template format shared by the catalog files (server/templates/catalog/*.json), the
 * Template/TemplateVersion rows and publishing. Placeholders in a template's graph:
 *
 * - `"$credential:<name>"` — a whole option string; replaced at install time by the id of the
 *   credential the installer chose for requirement `<name>`.
 * - `"$input:<name>"` — replaced at install time by the value given for input `<name>`. A string
 *   that is exactly the placeholder takes the value with its type (a number stays a number); inside
 *   a longer string it is replaced by the value as text.
 *
 * See server/templates/catalog/README.md for the authoring guide.
 */

export const PLACEHOLDER_NAME = /^[a-z][a-z0-9_]{0,39}$/;
const placeholderName = (what: string) =>
  z
    .string({ error: `Give the ${what} a name` })
    .regex(PLACEHOLDER_NAME, `A ${what} name uses lower-case letters, digits and _, starts with a letter and has at most 40 characters`);

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const slugSchema = z
  .string({ error: 'Give the template an address (slug)' })
  .min(3, 'The slug needs at least 3 characters')
  .max(80, 'The slug can be at most 80 characters')
  .regex(SLUG, 'The slug uses lower-case letters, digits and single dashes, e.g. webhook-to-slack');

export const credentialRequirementSchema = z
  .object({
    name: placeholderName('credential'),
    /** A credential type, or several when the agent accepts several (Slack: webhook or bot). */
    type: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    description: z.string().max(500).optional(),
  })
  .superRefine((r, ctx) => {
    for (const t of typesOf(r.type)) {
      if (!isCredentialType(t)) ctx.addIssue({ code: 'custom', path: ['type'], message: `"${t}" is not a known kind of credential` });
    }
  });
export type CredentialRequirement = z.output<typeof credentialRequirementSchema>;

export const inputTypes = ['text', 'number', 'boolean'] as const;
export type InputType = (typeof inputTypes)[number];

export const templateInputSchema = z.object({
  name: placeholderName('input'),
  label: z.string({ error: 'Give the input a label' }).trim().min(1, 'Give the input a label').max(100),
  description: z.string().max(1_000).optional(),
  default: z.json().optional(),
  type: z.enum(inputTypes).default('text'),
  /** Shown as a password field; never has a default. */
  secret: z.boolean().optional(),
});
export type TemplateInput = z.output<typeof templateInputSchema>;

export const changelogEntrySchema = z.object({
  version: z.number().int().min(1),
  date: z.string().optional(),
  changes: z.string().min(1).max(5_000),
});

/** A catalog file. Unknown top-level keys are ignored, so the format can grow. */
export const catalogTemplateSchema = z
  .object({
    slug: slugSchema,
    name: z.string().trim().min(1).max(120),
    summary: z.string().trim().min(1).max(200),
    description: z.string().max(20_000).default(''),
    category: z.string().trim().min(1).max(60),
    tags: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
    author: z.string().trim().min(1).max(120).default('Muninn'),
    version: z.number().int().min(1),
    changelog: z.array(changelogEntrySchema).min(1, 'Describe at least the current version in the changelog'),
    credentials: z.array(credentialRequirementSchema).default([]),
    inputs: z.array(templateInputSchema).default([]),
    graph: flowGraphSchema,
  })
  .superRefine((t, ctx) => {
    if (!t.changelog.some((c) => c.version === t.version)) {
      ctx.addIssue({ code: 'custom', path: ['changelog'], message: `The changelog has no entry for the current version ${t.version}` });
    }
  });
export type CatalogTemplate = z.output<typeof catalogTemplateSchema>;

/** What installing, previewing and validating need of one template version. */
export interface TemplateDefinition {
  credentials: CredentialRequirement[];
  inputs: TemplateInput[];
  graph: FlowGraph;
}

export function typesOf(type: string | readonly string[]): string[] {
  return typeof type === 'string' ? [type] : [...type];
}

export function credentialTypeName(type: string): string {
  return isCredentialType(type) ? credentialTypes[type].name : type;
}

/** "Slack incoming webhook or Slack bot token" */
export function describeTypes(type: string | readonly string[]): string {
  return typesOf(type).map(credentialTypeName).join(' or ');
}

/** Reads JSON stored in a Template row leniently: a malformed list is treated as empty. */
export function parseRequirements(json: unknown): CredentialRequirement[] {
  const parsed = z.array(credentialRequirementSchema).safeParse(json);
  return parsed.success ? parsed.data : [];
}

export function parseInputs(json: unknown): TemplateInput[] {
  const parsed = z.array(templateInputSchema).safeParse(json);
  return parsed.success ? parsed.data : [];
}

export function agentTypesOf(graph: FlowGraph): string[] {
  return [...new Set(graph.nodes.map((n) => n.type))];
}

/** The first paragraph of Markdown as plain text, for cards. */
export function summaryFromMarkdown(markdown: string, max = 160): string {
  const para = markdown.split(/\n\s*\n/).map((p) => p.trim()).find((p) => p && !p.startsWith('#')) ?? '';
  const plain = para
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`>#]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > max ? `${plain.slice(0, max - 1).trimEnd()}…` : plain;
}

export type { JsonValue };
