import { z } from 'zod';
import { agentList } from '../agents/registry';
import { defaultRetryPolicy, flowNodeSchema, type RetryPolicy } from '../engine/graph';

export interface AgentCatalogEntry {
  type: string;
  name: string;
  category: string;
  icon: string;
  summary: string;
  description: string;
  exampleEvent: Record<string, unknown>;
  defaultOptions: Record<string, unknown>;
  capabilities: { receives: boolean; trigger?: 'manual' | 'webhook' | 'schedule'; dryRun: boolean; loopSafe?: boolean };
  /** Not offered in the palette (e.g. `placeholder`, created only by importers); nodes of it still render. */
  hidden?: boolean;
  /** JSON Schema generated from the agent's zod schema: the one source of the config form. */
  optionsSchema: Record<string, unknown>;
  /** Top-level options the engine does not render with Liquid (the editor shows no preview there). */
  rawOptions: string[];
  /** Where the names of the agent's named outputs are in its options (see AgentDefinition.outputPaths). */
  outputPaths: string[];
}

let cached: AgentCatalogEntry[] | undefined;

export function agentCatalog(): AgentCatalogEntry[] {
  cached ??= agentList.map((a) => ({
    type: a.type,
    name: a.name,
    category: a.category,
    icon: a.icon,
    summary: a.summary,
    description: a.description,
    exampleEvent: a.exampleEvent,
    defaultOptions: a.defaultOptions as Record<string, unknown>,
    capabilities: a.capabilities,
    ...(a.hidden ? { hidden: true } : {}),
    optionsSchema: z.toJSONSchema(a.options, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    rawOptions: [...(a.rawOptions ?? [])],
    outputPaths: [...(a.outputPaths ?? [])],
  }));
  return cached;
}

/** The engine's retry policy for steps that set none, and the bounds a node's own policy must keep. */
export function retryPolicyInfo(): { defaults: RetryPolicy; schema: Record<string, unknown> } {
  return { defaults: defaultRetryPolicy, schema: z.toJSONSchema(flowNodeSchema.shape.retry, { io: 'input' }) as Record<string, unknown> };
}
