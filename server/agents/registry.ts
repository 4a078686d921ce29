import type { AgentDefinition } from './define-agent';
import { manualAgent } from './manual';
import { webhookAgent } from './webhook';
import { httpRequestAgent } from './http-request';
import { transformAgent } from './transform';
import { filterAgent } from './filter';

/** Every agent type, in palette order. One explicit list: adding an agent means adding it here. */
export const agentList: readonly AgentDefinition[] = [
  manualAgent,
  webhookAgent,
  httpRequestAgent,
  transformAgent,
  filterAgent,
] as AgentDefinition[];

const byType = new Map(agentList.map((a) => [a.type, a]));

export function getAgent(type: string): AgentDefinition | undefined {
  return byType.get(type);
}
