import { Context, Liquid, Value, toValueSync, type Template } from 'liquidjs';
import type { JsonObject, JsonValue } from '../agents/define-agent';
import { rememberBounded } from './bounded-map';

/**
 * Liquid, as in Huginn: an option string is a template whose variables are the incoming event's
 * top-level fields. `ownPropertyOnly` keeps templates away from prototypes; the limits bound the
 * time and memory a template can take.
 */
const engine = new Liquid({
  ownPropertyOnly: true,
  strictFilters: true,
  strictVariables: false,
  parseLimit: 100_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
  cache: 500,
});

/**
 * Parsed templates and expressions, by their text: a flow renders the same few templates for
 * every event, and parsing is most of the cost of rendering. Bounded; the oldest go first.
 */
const parsed = new Map<string, Template[] | Value>();

function cached<T extends Template[] | Value>(key: string, parse: () => T): T {
  return (parsed.get(key) as T | undefined) ?? (rememberBounded(parsed, key, parse(), 2_000) as T);
}

const WHOLE_EXPRESSION = /^\s*\{\{(?![\s\S]*\{\{)([\s\S]*?)\}\}\s*$/;

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

function explain(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split(', line:')[0] ?? msg;
}

/**
 * Renders one string. A string that is exactly one `{{ expression }}` keeps the expression's type
 * (a number stays a number, an object stays an object), so `{{ body.items }}` passes a list on.
 */
export function renderString(template: string, event: JsonObject, path = ''): JsonValue {
  if (!template.includes('{{') && !template.includes('{%')) return template;
  try {
    const whole = WHOLE_EXPRESSION.exec(template);
    if (whole) {
      const expression = cached(`v:${whole[1]!}`, () => new Value(whole[1]!, engine));
      const value = toValueSync(expression.value(new Context(event, engine.options, {}, { liquid: engine }))) as unknown;
      return toJson(value);
    }
    return engine.renderSync(cached(`t:${template}`, () => engine.parse(template)), event) as string;
  } catch (e) {
    throw new TemplateError(`The template ${path ? `in "${path}" ` : ''}could not be rendered: ${explain(e)}`, path);
  }
}

function toJson(value: unknown): JsonValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

/**
 * Renders every string inside a JSON value, depth first. Keys are left alone. A field whose
 * template names a value the event does not have is left out, so optional settings stay unset.
 */
export function renderValue(value: JsonValue, event: JsonObject, path = ''): JsonValue {
  if (typeof value === 'string') return renderString(value, event, path);
  if (Array.isArray(value)) return value.map((v, i) => renderValue(v, event, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      const rendered = renderValue(v, event, path ? `${path}.${k}` : k);
      if (rendered === null && typeof v === 'string') continue;
      out[k] = rendered;
    }
    return out;
  }
  return value;
}

/** Renders an agent's options, leaving the keys the agent interprets itself untouched. */
export function renderOptions(options: JsonObject, event: JsonObject, raw: readonly string[] = []): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(options)) {
    const rendered = raw.includes(k) ? v : renderValue(v, event, k);
    if (rendered === null && typeof v === 'string' && !raw.includes(k)) continue;
    out[k] = rendered;
  }
  return out;
}

/** Reads a dotted path ("issue.fields.status.name", "items[0].id") from a JSON value. */
export function getPath(value: JsonValue | undefined, path: string): JsonValue | undefined {
  if (!path) return value;
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
  let cur: JsonValue | undefined = value;
  for (const p of parts) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, p)) return undefined;
    cur = (cur as Record<string, JsonValue>)[p];
  }
  return cur;
}
