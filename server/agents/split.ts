import { z } from 'zod';
import { defineAgent, PermanentAgentError, type JsonObject, type JsonValue } from './define-agent';
import { getPath } from '../engine/liquid';

/** More items than this fail the step instead of flooding the flow; the engine caps events per step too. */
export const MAX_SPLIT_ITEMS = 1_000;

function isPlainObject(v: JsonValue): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: JsonValue): string {
  if (v === null) return 'empty (null)';
  if (typeof v === 'string') return 'text';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/** Items as events: objects as they are, anything else as `{ value, index }` so it has a name. */
export function itemsToEvents(items: readonly JsonValue[]): JsonObject[] {
  return items.map((item, index) => (isPlainObject(item) ? item : { value: item, index }));
}

const options = z
  .object({
    path: z
      .string()
      .min(1, 'Enter the field that holds the list, e.g. body.items')
      .max(500, 'The path is too long')
      .describe('Field that holds the list, e.g. body.items'),
  })
  .strict();

export const splitAgent = defineAgent({
  type: 'split',
  name: 'Split list',
  category: 'Shape data',
  icon: 'Split',
  summary: 'Emit one event for each item of a list.',
  description: `Takes the list found at **path** in the incoming event and emits one event per item, so the
next nodes handle each item on its own. Write the path with dots, without \`{{ }}\`: \`body.items\`,
\`data.results\`.

- An item that is an object is emitted as it is: \`{ "id": 1, "name": "Ada" }\`.
- Any other item (text, number, list) is emitted as \`{ "value": ..., "index": 0 }\`.
- An empty list emits nothing.

If the field is missing or is not a list, the step fails and says what it found. A list with more
than ${MAX_SPLIT_ITEMS.toLocaleString('en-US')} items fails too; filter or page the data before splitting it.

**Emits** one event per item.`,
  exampleEvent: { id: 1, name: 'Ada' },
  options,
  defaultOptions: { path: 'body.items' },
  capabilities: { receives: true, dryRun: true, inline: true },
  // A path is not a template: keep "{{" from being rendered away.
  rawOptions: ['path'],
  async run(ctx) {
    const { path } = ctx.options;
    const list = getPath(ctx.event, path);
    if (list === undefined) {
      const fields = Object.keys(ctx.event).slice(0, 10).join(', ');
      throw new PermanentAgentError(`The event has no field "${path}" to split.${fields ? ` Its top-level fields are: ${fields}.` : ''}`);
    }
    if (!Array.isArray(list)) throw new PermanentAgentError(`The field "${path}" is ${kindOf(list)}, not a list, so it cannot be split.`);
    if (list.length > MAX_SPLIT_ITEMS) {
      throw new PermanentAgentError(
        `The list at "${path}" has ${list.length.toLocaleString('en-US')} items; at most ${MAX_SPLIT_ITEMS.toLocaleString('en-US')} can be split at once.`,
      );
    }
    if (list.length === 0) ctx.log.info(`The list at "${path}" is empty; nothing was emitted.`);
    return itemsToEvents(list);
  },
});
