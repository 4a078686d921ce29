/**
 * The live preview of Liquid in a setting. It renders with the engine's own Liquid module — a
 * pure module (liquidjs and types only), so the browser gets the very configuration the worker
 * uses (strict filters, own properties only, limits) rather than a copy that could drift.
 */
import { renderValue } from '@/server/engine/liquid';
import type { JsonObject, JsonValue } from '@/server/agents/define-agent';

export type Preview =
  | { ok: true; value: JsonValue; text: string; empty: boolean }
  | { ok: false; message: string };

const LIQUID = /\{\{|\{%/;

/** Whether the engine would render anything in this value (a string, or strings inside it). */
export function containsLiquid(value: unknown): boolean {
  if (typeof value === 'string') return LIQUID.test(value);
  if (Array.isArray(value)) return value.some(containsLiquid);
  if (value && typeof value === 'object') return Object.values(value).some(containsLiquid);
  return false;
}

/** Renders a setting against a sample event as the engine would. Never throws. */
export function previewValue(value: unknown, event: JsonObject): Preview {
  try {
    const rendered = renderValue(value as JsonValue, event);
    // A template naming a field the event lacks renders to nothing: the engine then leaves the setting out.
    const empty = rendered === null || rendered === '';
    const text = typeof rendered === 'string' ? rendered : JSON.stringify(rendered, null, 2);
    return { ok: true, value: rendered, text, empty };
  } catch (e) {
    return { ok: false, message: plainLiquidError(e instanceof Error ? e.message : String(e)) };
  }
}

/** liquidjs's messages, said the way a person fixing the template needs to hear them. */
export function plainLiquidError(raw: string): string {
  const reason = (/could not be rendered: ([\s\S]*)$/.exec(raw)?.[1] ?? raw).trim();
  let m: RegExpExecArray | null;
  if ((m = /^output "([\s\S]*)" not closed/.exec(reason))) return `\`${m[1]!.trim()}\` is missing the closing }}`;
  if ((m = /^tag \{%\s*(\w+)([\s\S]*?)%\} not closed/.exec(reason))) {
    const name = m[1]!;
    return `\`{% ${name}${m[2]!.trimEnd()} %}\` is missing its {% end${name} %}`;
  }
  if ((m = /^tag "end(\w+)" not found/.exec(reason))) return `\`{% end${m[1]} %}\` has no {% ${m[1]} %} before it`;
  if ((m = /^tag "(\w+)" not found/.exec(reason))) return `Liquid has no tag called “${m[1]}”. Check its spelling, e.g. {% if %} or {% for %}`;
  if ((m = /^undefined filter: (\S+)/.exec(reason))) return `Liquid has no filter called “${m[1]}”. Check its spelling, e.g. upcase, downcase, default, date`;
  if (/^invalid value expression: ""/.test(reason)) return 'Something between the braces is empty: put a field name there, e.g. {{ issue.key }}';
  if ((m = /^(\w+) expect (\d+) arguments/.exec(reason))) return `The filter “${m[1]}” needs a value after a colon, e.g. ${m[1]}: "text"`;
  if ((m = /^invalid value expression: "([\s\S]*)"/.exec(reason))) return `\`${m[1]}\` is not something Liquid can read. Use a field name, e.g. {{ issue.key }}`;
  return `This template cannot be rendered: ${reason}`;
}
