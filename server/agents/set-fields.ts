import { z } from 'zod';
import { defineAgent, PermanentAgentError, type JsonObject, type JsonValue } from './define-agent';

/** Same path syntax as getPath: "customer.name", "items[0].id" (or "items.0.id"). */
function parsePath(path: string): string[] {
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
  if (parts.length === 0) throw new PermanentAgentError('A field path is empty. Write it like customer.name or items[0].id.');
  // Assigning "__proto__" would change the object's prototype instead of adding a field.
  if (parts.includes('__proto__')) throw new PermanentAgentError(`"${path}" is not allowed as a field path.`);
  return parts;
}

type Container = JsonObject | JsonValue[];

function isContainer(v: JsonValue | undefined): v is Container {
  return typeof v === 'object' && v !== null;
}

function arrayIndex(list: JsonValue[], part: string, path: string, forWrite: boolean): number {
  const index = /^\d+$/.test(part) ? Number(part) : NaN;
  const limit = forWrite ? list.length : list.length - 1;
  if (Number.isNaN(index)) throw new PermanentAgentError(`In "${path}", "${part}" is used on a list; use a position like [0] instead.`);
  if (index > limit) throw new PermanentAgentError(`In "${path}", position ${index} is past the end of a list of ${list.length} items.`);
  return index;
}

function child(container: Container, part: string, path: string): JsonValue | undefined {
  if (Array.isArray(container)) return container[arrayIndex(container, part, path, true)];
  return Object.prototype.hasOwnProperty.call(container, part) ? container[part] : undefined;
}

function put(container: Container, part: string, value: JsonValue, path: string): void {
  if (Array.isArray(container)) container[arrayIndex(container, part, path, true)] = value;
  else container[part] = value;
}

/**
 * Sets a value at a dotted path, creating objects on the way. A field on the way that holds text
 * or a number is replaced by an object: the user asked for a field below it. Mutates `target`.
 */
export function setPath(target: JsonObject, path: string, value: JsonValue): void {
  const parts = parsePath(path);
  let cur: Container = target;
  for (const part of parts.slice(0, -1)) {
    let next = child(cur, part, path);
    if (!isContainer(next)) {
      next = {};
      put(cur, part, next, path);
    }
    cur = next;
  }
  put(cur, parts[parts.length - 1]!, value, path);
}

/** Deletes the field at a dotted path; a list item is removed (later items move up). Missing paths are fine. */
export function deletePath(target: JsonObject, path: string): void {
  const parts = parsePath(path);
  let cur: JsonValue | undefined = target;
  for (const part of parts.slice(0, -1)) {
    if (!isContainer(cur)) return;
    cur = Array.isArray(cur) ? cur[Number(part)] : Object.prototype.hasOwnProperty.call(cur, part) ? cur[part] : undefined;
  }
  const last = parts[parts.length - 1]!;
  if (Array.isArray(cur)) {
    if (/^\d+$/.test(last) && Number(last) < cur.length) cur.splice(Number(last), 1);
  } else if (isContainer(cur)) {
    delete cur[last];
  }
}

const options = z
  .object({
    fields: z
      .record(z.string(), z.json())
      .describe('Fields to set, by path (e.g. customer.name). Values can use Liquid, e.g. "{{ body.name }}".'),
    keep: z
      .enum(['all', 'only_set'], { error: 'Choose "all" or "only_set"' })
      .default('all')
      .describe('All: keep the other fields of the event. Only set: emit just the fields set here.'),
    remove: z
      .array(z.string().min(1, 'Enter the path of the field to remove'))
      .max(100, 'Remove at most 100 fields')
      .optional()
      .describe('Fields to remove, by path (e.g. internal.debug)'),
  })
  .strict();

export const setFieldsAgent = defineAgent({
  type: 'set_fields',
  name: 'Set fields',
  category: 'Shape data',
  icon: 'PencilLine',
  summary: 'Add, overwrite or remove fields of the event.',
  description: `Changes a few fields and passes the rest on. Each entry of **fields** names a field by
its path and gives its value, which can use Liquid: \`{ "customer.name": "{{ body.first }} {{ body.last }}" }\`.
Missing objects along the path are created (\`customer\` above); a value that is exactly one
\`{{ ... }}\` keeps its type, so numbers stay numbers and lists stay lists. A field whose
template finds nothing in the event is not set.

- **keep: all** (default) keeps every other field of the incoming event.
- **keep: only_set** emits only the fields set here.
- **remove** lists fields to delete, e.g. \`internal.debug\` or \`items[0]\`. Removal happens after
  the fields are set.

Paths use dots and positions: \`customer.address.city\`, \`items[0].price\`.

**Emits** one event: the changed event.`,
  exampleEvent: { customer: { id: 7, name: 'Ada Lovelace' }, status: 'new' },
  options,
  defaultOptions: { fields: { status: 'new' }, keep: 'all' },
  capabilities: { receives: true, dryRun: true, inline: true },
  async run(ctx) {
    const { fields, keep, remove = [] } = ctx.options;
    const out: JsonObject = keep === 'all' ? structuredClone(ctx.event) : {};
    for (const [path, value] of Object.entries(fields)) setPath(out, path, structuredClone(value as JsonValue));
    for (const path of remove) deletePath(out, path);
    return [out];
  },
});
