import { z } from 'zod';
import { defineAgent, PermanentAgentError, type JsonObject, type JsonValue } from './define-agent';
import { DEFAULT_SANDBOX_LIMITS, runInSandbox, SandboxError } from '../engine/sandbox';

const options = z
  .object({
    code: z
      .string()
      .refine((code) => code.trim() !== '', 'Write some code: at least a return statement, e.g. return event;')
      .max(100_000, 'The code is too long (at most 100,000 characters).')
      .describe('JavaScript: the body of a function that receives `event` and returns the event(s) to pass on.'),
  })
  .strict();

const LOG_LEVELS = new Set(['info', 'warn', 'error'] as const);
const seconds = DEFAULT_SANDBOX_LIMITS.timeoutMs / 1000;
const megabytes = DEFAULT_SANDBOX_LIMITS.memoryBytes / 1024 / 1024;

function isPlainObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What the code returned, as events: objects pass as they are, anything else is wrapped. */
export function toEvents(result: JsonValue | undefined): JsonObject[] {
  if (result === undefined || result === null) return [];
  const items = Array.isArray(result) ? result : [result];
  return items.map((item) => (isPlainObject(item) ? item : { value: item }));
}

export const codeAgent = defineAgent({
  type: 'code',
  name: 'Code',
  category: 'Code',
  icon: 'Code',
  summary: 'Reshape or compute events with a few lines of JavaScript.',
  description: `Runs a few lines of JavaScript for each incoming event, for the cases the other agents
cannot express. The incoming event is available as \`event\`; what the code **returns** is passed on.

\`\`\`js
// Add a total and keep only open orders
if (event.status !== 'open') return;          // nothing returned: no event
return { ...event, total: event.price * event.quantity };
\`\`\`

- Return **an object** to emit one event, **a list of objects** to emit several, or **nothing** to
  emit none. Other values (a number, a text) are emitted as \`{ "value": ... }\`.
- \`console.log(...)\` writes to the step's logs, handy for checking what the data looks like.
- The code runs in a sealed sandbox: it cannot call web addresses, read files or see secrets. Use
  an HTTP request agent before or after it for that.
- Limits: ${seconds} seconds and ${megabytes} MB of memory per event. Code runs straight through:
  \`await\` and promises are not supported.

Liquid \`{{ ... }}\` is not applied to the code; read fields from \`event\` instead.

**Emits** whatever the code returns.`,
  exampleEvent: { order: 'A-1001', status: 'open', price: 12.5, quantity: 4, total: 50 },
  options,
  defaultOptions: {
    code: `// "event" is the incoming event. Return the event(s) to pass on.
console.log('Received', event);
return { ...event, processedAt: new Date().toISOString() };`,
  },
  capabilities: { receives: true, dryRun: true },
  rawOptions: ['code'],
  async run(ctx) {
    let result: JsonValue | undefined;
    try {
      result = await runInSandbox({
        code: ctx.options.code,
        input: ctx.event,
        signal: ctx.signal,
        onLog: (line) => (LOG_LEVELS.has(line.level) ? ctx.log[line.level] : ctx.log.info)(line.text),
      });
    } catch (err) {
      // Running the same code on the same event fails the same way: no retries. Only a sandbox
      // that could not start is worth trying again.
      if (err instanceof SandboxError && err.kind !== 'unavailable') throw new PermanentAgentError(err.message);
      throw err;
    }
    const events = toEvents(result);
    ctx.log.info(`The code returned ${events.length} event${events.length === 1 ? '' : 's'}.`);
    return events;
  },
});
