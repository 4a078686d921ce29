import type { AgentDefinition } from './define-agent';
import { manualAgent } from './manual';
import { webhookAgent } from './webhook';
import { scheduleAgent } from './schedule';
import { httpRequestAgent } from './http-request';
import { httpResponseAgent } from './http-response';
import { transformAgent } from './transform';
import { filterAgent } from './filter';
import { setFieldsAgent } from './set-fields';
import { splitAgent } from './split';
import { jsonataAgent } from './jsonata';
import { digestAgent } from './digest';
import { mergeAgent } from './merge';
import { switchAgent } from './switch';
import { dedupAgent } from './dedup';
import { keyValueAgent } from './key-value';
import { delayAgent } from './delay';
import { codeAgent } from './code';
import { emailAgent } from './email';
import { slackAgent } from './slack';
import { jiraAgent } from './jira';
import { mavenlinkAgent } from './mavenlink';
import { syncAgent } from './sync';
import { placeholderAgent } from './placeholder';

/** Every agent type, in palette order. One explicit list: adding an agent means adding it here. */
export const agentList: readonly AgentDefinition[] = [
  manualAgent,
  webhookAgent,
  scheduleAgent,
  httpRequestAgent,
  httpResponseAgent,
  transformAgent,
  setFieldsAgent,
  splitAgent,
  jsonataAgent,
  digestAgent,
  mergeAgent,
  filterAgent,
  switchAgent,
  dedupAgent,
  keyValueAgent,
  delayAgent,
  codeAgent,
  emailAgent,
  slackAgent,
  jiraAgent,
  mavenlinkAgent,
  syncAgent,
  // Hidden from the palette: only importers create it. Keep it last.
  placeholderAgent,
] as AgentDefinition[];

const byType = new Map(agentList.map((a) => [a.type, a]));

export function getAgent(type: string): AgentDefinition | undefined {
  return byType.get(type);
}
