import type { z } from 'zod';
import type { AgentContext, AgentDefinition, JsonObject, JsonValue } from './define-agent';

export interface TestContextResult<O> {
  ctx: AgentContext<O>;
  logs: Array<{ level: string; message: string; data?: JsonValue }>;
  memory: { value: JsonValue | undefined };
}

/**
 * An AgentContext for unit tests of one agent: options parsed by the agent's own schema, memory
 * kept in an object, logs collected, HTTP through plain fetch unless given. Not for production.
 */
export function makeTestContext<S extends z.ZodType>(
  agent: AgentDefinition<S>,
  rawOptions: unknown,
  event: JsonObject = {},
  overrides: Partial<AgentContext<z.output<S>>> & { memoryValue?: JsonValue } = {},
): TestContextResult<z.output<S>> {
  const options = agent.options.parse(rawOptions);
  const logs: TestContextResult<unknown>['logs'] = [];
  const memory = { value: overrides.memoryValue };
  const log = (level: string) => (message: string, data?: JsonValue) => void logs.push({ level, message, data });
  const ctx: AgentContext<z.output<S>> = {
    options,
    event,
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    http: { fetch: (url, init) => fetch(url, init) },
    memory: {
      get: async <T extends JsonValue>() => memory.value as T | undefined,
      set: async (v) => {
        memory.value = v;
      },
    },
    credentials: {
      get: async (id) => {
        throw new Error(`No credential ${id} in this test`);
      },
    },
    step: { runId: 'run-1', nodeId: 'node-1', eventId: 'event-1', attempt: 1, idempotencyKey: 'run-1:node-1:event-1' },
    dryRun: false,
    signal: new AbortController().signal,
    ...overrides,
  };
  return { ctx, logs, memory };
}
