import jsonata from 'jsonata';
import { z } from 'zod';
import { defineAgent, PermanentAgentError, type JsonObject, type JsonValue } from './define-agent';
import { unsafeRegexReason } from './filter';
import { itemsToEvents, MAX_SPLIT_ITEMS } from './split';

/**
 * JSONata's own guardrails (jsonata ≥ 2.1): `timeout` stops an evaluation that runs too long (it is
 * checked at every step, so infinite recursion and huge loops stop too), `stack` bounds recursion
 * before Node's stack overflows, `sequence` bounds the size of any list the expression builds.
 */
export const JSONATA_LIMITS = { timeout: 1_000, stack: 1_000, sequence: 100_000 } as const;
const MAX_EXPRESSION = 10_000;

/**
 * JSONata runs `/regex/` literals with the RegExp class it is given. Refusing catastrophic shapes
 * here (the same check as Filter's regex) keeps one `$match` from blocking the worker, which the
 * step timeout could not interrupt.
 */
class SafeRegExp extends RegExp {
  constructor(re: RegExp | string, flags?: string) {
    const source = typeof re === 'string' ? re : re.source;
    const reason = unsafeRegexReason(source);
    if (reason) throw new Error(`The pattern /${source.slice(0, 60)}/ cannot be used: ${reason}`);
    super(re, flags);
  }
}

interface JsonataErrorLike {
  code?: string;
  message?: string;
  position?: number;
  token?: string;
}

function isJsonataError(e: unknown): e is JsonataErrorLike {
  return typeof e === 'object' && e !== null && ('code' in e || 'position' in e);
}

/** "Expected ")" before end of expression, at character 16: …$sum(items.price◀" */
export function explainJsonataError(e: unknown, expression: string): string {
  if (e instanceof RangeError) return 'The expression nests or recurses too deeply.';
  if (!isJsonataError(e)) return e instanceof Error ? e.message : String(e);
  const message = (e.message ?? 'Unknown error').replace(/\s+/g, ' ').trim();
  if (typeof e.position !== 'number' || e.position <= 0) return message;
  const start = Math.max(0, e.position - 25);
  const excerpt = `${start > 0 ? '…' : ''}${expression.slice(start, e.position)}◀`.replace(/\s+/g, ' ');
  return `${message}, at character ${e.position}: ${excerpt}`;
}

function compile(expression: string): jsonata.Expression {
  return jsonata(expression, { ...JSONATA_LIMITS, RegexEngine: SafeRegExp as unknown as RegExpConstructor });
}

/** Evaluates with the limits above; any failure is a PermanentAgentError: the same input fails again. */
export async function evaluateJsonata(expression: string, input: JsonValue): Promise<JsonValue | undefined> {
  let result: unknown;
  try {
    result = await compile(expression).evaluate(input);
  } catch (e) {
    throw new PermanentAgentError(`The JSONata expression failed: ${explainJsonataError(e, expression)}`);
  }
  if (result === undefined) return undefined;
  if (isFunction(result)) throw new PermanentAgentError('The JSONata expression returned a function, not data. Call the function, e.g. $f(x).');
  // JSONata's lists carry internal markers; a JSON round trip leaves plain data. Functions inside
  // the result (they hold their whole environment, which is circular) are left out.
  return JSON.parse(JSON.stringify(result, (_key, v: unknown) => (isFunction(v) ? undefined : v))) as JsonValue;
}

/** Native functions, and JSONata's own lambdas and built-ins, which are plain objects. */
function isFunction(v: unknown): boolean {
  if (typeof v === 'function') return true;
  return typeof v === 'object' && v !== null && ('_jsonata_lambda' in v || '_jsonata_function' in v);
}

const options = z
  .object({
    expression: z
      .string()
      .min(1, 'Enter a JSONata expression, e.g. { "total": $sum(items.price) }')
      .max(MAX_EXPRESSION, `The expression can be at most ${MAX_EXPRESSION.toLocaleString('en-US')} characters`)
      .describe('JSONata expression, evaluated against the incoming event'),
    mode: z
      .enum(['one', 'each'], { error: 'Choose "one" or "each"' })
      .default('one')
      .describe('One: emit the result as one event. Each: when the result is a list, emit one event per item.'),
  })
  .strict()
  .superRefine((o, ctx) => {
    // Syntax is checked when the flow is saved, so mistakes show in the form, not in a failed run.
    try {
      jsonata(o.expression);
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['expression'], message: explainJsonataError(e, o.expression) });
    }
  });

export const jsonataAgent = defineAgent({
  type: 'jsonata',
  name: 'JSONata',
  category: 'Shape data',
  icon: 'Braces',
  summary: 'Reshape, compute and query the event with a JSONata expression.',
  description: `Evaluates a [JSONata](https://jsonata.org) expression against the incoming event. JSONata
queries and reshapes JSON in one line: \`{ "total": $sum(items.price), "names": items.name }\`,
\`items[price > 10]\`, \`$uppercase(customer.name)\`. Fields of the event are used by name, without
\`{{ }}\` (the expression is not a Liquid template).

- **one** (default): an object result is emitted as the event; any other result (a list, text, a
  number) is emitted as \`{ "result": ... }\`.
- **each**: a list result is emitted as one event per item: objects as they are, other items as
  \`{ "value": ..., "index": 0 }\`. At most ${MAX_SPLIT_ITEMS.toLocaleString('en-US')} items.

When the expression finds nothing, nothing is emitted. A filter like \`items[price > 10]\` gives a
single object when one item matches; wrap it as \`[items[price > 10]]\` to always get a list.

Mistakes are reported with the character where they happen. An expression runs for at most
${JSONATA_LIMITS.timeout / 1000} second and builds lists of at most ${JSONATA_LIMITS.sequence.toLocaleString('en-US')} items.

**Emits** the result: one event, or one per item with **each**.`,
  exampleEvent: { total: 42.5, names: ['Ada', 'Grace'] },
  options,
  defaultOptions: { expression: '{ "total": $sum(items.price) }', mode: 'one' },
  capabilities: { receives: true, dryRun: true, inline: true },
  // The expression is JSONata, not Liquid; rendering it would eat "{{" and change its meaning.
  rawOptions: ['expression'],
  async run(ctx) {
    const { expression, mode } = ctx.options;
    const result = await evaluateJsonata(expression, ctx.event);
    if (result === undefined) {
      ctx.log.info('The expression found nothing, so no event was emitted.');
      return [];
    }
    if (mode === 'each' && Array.isArray(result)) {
      if (result.length > MAX_SPLIT_ITEMS) {
        throw new PermanentAgentError(
          `The expression returned ${result.length.toLocaleString('en-US')} items; at most ${MAX_SPLIT_ITEMS.toLocaleString('en-US')} can be emitted at once.`,
        );
      }
      return itemsToEvents(result);
    }
    const isObject = typeof result === 'object' && result !== null && !Array.isArray(result);
    return [isObject ? (result as JsonObject) : { result }];
  },
});
