import { z } from 'zod';

/**
 * A Huginn scenario export (Scenarios → Export), as written by Huginn's AgentsExporter:
 * `{ schema_version, name, description, agents: [...], links: [{ source, receiver }],
 * control_links: [{ controller, control_target }] }`, where link ends are indexes into `agents`.
 * Fields Muninn does not use (guid, tag colours, icon, exported_at, service_id) are ignored.
 */
const flag = z.union([z.boolean(), z.string(), z.null()]).optional();

export const huginnAgentSchema = z
  .object({
    type: z.string({ error: 'Each agent needs a "type", e.g. "Agents::WebsiteAgent"' }).min(1).max(200),
    name: z.string().max(500).optional(),
    options: z.record(z.string(), z.unknown()).nullable().optional(),
    schedule: z.string().nullable().optional(),
    disabled: flag,
    keep_events_for: z.union([z.number(), z.string(), z.null()]).optional(),
    propagate_immediately: flag,
    guid: z.string().optional(),
  })
  .loose();

export const huginnScenarioSchema = z
  .object({
    schema_version: z.union([z.number(), z.string()]).optional(),
    name: z.string().max(500).optional(),
    description: z.string().max(20_000).nullable().optional(),
    agents: z.array(huginnAgentSchema, { error: 'A Huginn scenario lists its agents under "agents"' }).min(1, 'The scenario has no agents').max(500, 'A scenario can have at most 500 agents'),
    links: z.array(z.object({ source: z.number().int().min(0), receiver: z.number().int().min(0) }).loose()).max(5_000).default([]),
    control_links: z.array(z.object({ controller: z.number().int().min(0), control_target: z.number().int().min(0) }).loose()).max(5_000).default([]),
  })
  .loose();

export type HuginnAgent = z.output<typeof huginnAgentSchema>;
export type HuginnScenario = z.output<typeof huginnScenarioSchema>;

/** "Agents::WebsiteAgent" → "WebsiteAgent". */
export function shortType(type: string): string {
  return type.replace(/^Agents::/, '');
}

/** Huginn stores many flags as "true"/"false" strings. */
export function boolish(v: unknown, fallback = false): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return ['true', 'yes', '1', 'on'].includes(v.trim().toLowerCase()) ? true : ['false', 'no', '0', 'off', ''].includes(v.trim().toLowerCase()) ? false : fallback;
  if (typeof v === 'number') return v !== 0;
  return fallback;
}

export function intOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN;
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}
