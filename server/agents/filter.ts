import { z } from 'zod';
import { defineAgent, PermanentAgentError, type JsonValue } from './define-agent';
import { getPath } from '../engine/liquid';

/**
 * Rules are shared with the Switch agent: a rule is either a condition on one field or a group
 * `{ match, rules }` of further rules. Groups nest at most MAX_GROUP_DEPTH deep.
 */
export const MAX_GROUP_DEPTH = 5;
export const MAX_RULES_PER_LIST = 50;
/** Longer regex patterns are refused; longer texts are checked on their first MAX_REGEX_INPUT characters. */
export const MAX_REGEX_PATTERN = 200;
export const MAX_REGEX_INPUT = 10_000;

export const filterOps = [
  'eq',
  'ne',
  'contains',
  'not_contains',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
  'not_exists',
  'empty',
  'not_empty',
  'in',
  'not_in',
  'regex',
] as const;
export type FilterOp = (typeof filterOps)[number];

const conditionSchema = z
  .object({
    path: z
      .string()
      .min(1, 'Enter the field to check, e.g. issue.fields.priority')
      .describe('Field of the event, e.g. issue.fields.priority'),
    op: z
      .enum(filterOps, { error: `Choose a comparison: ${filterOps.join(', ')}` })
      .describe(
        'Comparison: eq (equals), ne (not equals), contains / not_contains (text or list), gt / gte / lt / lte (numbers), exists / not_exists, empty / not_empty, in / not_in (value is a list), regex (pattern)',
      ),
    value: z.json().optional().describe('Value to compare with (not used by exists, not_exists, empty, not_empty)'),
  })
  .strict();

const groupSchema = z
  .object({
    match: z.enum(['all', 'any'], { error: 'Choose "all" or "any"' }).default('all').describe('Group passes when all, or any, of its rules match'),
    get rules(): z.ZodArray<z.ZodUnion<readonly [typeof conditionSchema, typeof groupSchema]>> {
      return z
        .array(z.union([conditionSchema, groupSchema]))
        .min(1, 'A group needs at least one rule')
        .max(MAX_RULES_PER_LIST, `A group can have at most ${MAX_RULES_PER_LIST} rules`)
        .describe('Rules of the group');
    },
  })
  .strict();

/**
 * When a rule fits neither shape, zod only says "Invalid input"; guess from the fields present
 * which shape was meant and say what is wrong with it.
 */
function explainRule(input: unknown): string {
  const r = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  if ('rules' in r) return 'A group needs "match" (all or any) and a list of "rules", and nothing else';
  if ('op' in r && !filterOps.includes(r.op as FilterOp)) return `Choose a comparison: ${filterOps.join(', ')}`;
  return 'A rule needs a field ("path") and a comparison ("op"), and optionally a "value"';
}

/** One rule: a condition, or a nested group. Exported for the Switch agent. */
export const filterRuleSchema = z
  .union([conditionSchema, groupSchema], { error: (iss) => explainRule(iss.input) })
  .describe('A condition on one field, or a group of rules');

export type FilterCondition = z.output<typeof conditionSchema>;
export type FilterGroup = z.output<typeof groupSchema>;
export type FilterRule = z.output<typeof filterRuleSchema>;

export const ruleListSchema = z
  .array(filterRuleSchema)
  .min(1, 'Add at least one rule')
  .max(MAX_RULES_PER_LIST, `Use at most ${MAX_RULES_PER_LIST} rules here; group them if you need more`)
  .describe('Rules');

function isTemplate(v: string): boolean {
  return v.includes('{{') || v.includes('{%');
}

/**
 * Save-time checks zod cannot express structurally: nesting depth and values that cannot work
 * (bad regex, "in" without a list). Values still holding Liquid are checked only after rendering.
 * Used from `.superRefine` by Filter and Switch; JSON Schema ignores it, the form stays simple.
 */
export function checkRules(rules: readonly FilterRule[], ctx: z.RefinementCtx, path: (string | number)[], depth = 0): void {
  rules.forEach((r, i) => {
    const here = [...path, i];
    if ('rules' in r) {
      if (depth + 1 > MAX_GROUP_DEPTH) {
        ctx.addIssue({ code: 'custom', path: here, message: `Groups can be nested at most ${MAX_GROUP_DEPTH} levels deep` });
        return;
      }
      checkRules(r.rules, ctx, [...here, 'rules'], depth + 1);
      return;
    }
    const problem = valueProblem(r);
    if (problem) ctx.addIssue({ code: 'custom', path: [...here, 'value'], message: problem });
  });
}

function valueProblem(r: FilterCondition): string | undefined {
  const v = r.value;
  if (r.op === 'regex') {
    if (typeof v !== 'string' || v === '') return 'Enter the pattern to look for, e.g. ^OPS-\\d+$';
    if (isTemplate(v)) return undefined;
    return unsafeRegexReason(stripInlineFlags(v).source);
  }
  if ((r.op === 'in' || r.op === 'not_in') && !Array.isArray(v) && typeof v !== 'string') {
    return 'Enter a list of values, e.g. ["open", "pending"], or text separated by commas';
  }
  return undefined;
}

/** `(?i)` at the start (as in Ruby, Python or PCRE) means "ignore case"; JavaScript needs a flag. */
function stripInlineFlags(pattern: string): { source: string; flags: string } {
  return pattern.startsWith('(?i)') ? { source: pattern.slice(4), flags: 'i' } : { source: pattern, flags: '' };
}

/**
 * Why a pattern is refused, or undefined when it may run. JavaScript regexes backtrack, and a
 * repeated group that itself repeats or has alternatives (`(a+)+`, `(a|a)*`, `(\w+\s?)*`) can take
 * exponential time on a short text. There is no timeout for a regex in Node, so we refuse those
 * shapes (and backreferences) up front; long texts are cut to MAX_REGEX_INPUT characters.
 */
export function unsafeRegexReason(pattern: string): string | undefined {
  if (pattern.length > MAX_REGEX_PATTERN) return `The pattern is ${pattern.length} characters long; at most ${MAX_REGEX_PATTERN} are allowed`;
  try {
    new RegExp(pattern);
  } catch (e) {
    return `This is not a valid pattern: ${(e instanceof Error ? e.message : String(e)).replace(/^Invalid regular expression: /, '')}`;
  }
  const nested = 'Patterns that repeat a group which itself repeats or has alternatives, like (a+)+ or (a|b)*, can take extremely long to check. Simplify the pattern, e.g. use [ab]* instead of (a|b)*';
  // Per open group: can its content match in more than one way (any quantifier or "|"), and does
  // it hold an unbounded quantifier (*, +, {n,})? Repeating the first without bound, or the
  // second at all, backtracks exponentially. Bounded repeats of bounded groups, like the
  // (\d{1,3}\.){3} of an IP address, stay cheap and are allowed.
  type Group = { ambiguous: boolean; unbounded: boolean };
  const stack: Group[] = [{ ambiguous: false, unbounded: false }];
  let closedGroup: Group | undefined;
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    const top = stack[stack.length - 1]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) return 'Back-references (\\1, \\k<name>) are not supported in patterns';
      i += 2;
      closedGroup = undefined;
      continue;
    }
    if (c === '[') {
      i = endOfClass(pattern, i);
      closedGroup = undefined;
      continue;
    }
    if (c === '(') {
      stack.push({ ambiguous: false, unbounded: false });
      i += 1;
      // (?: (?= (?! (?<= (?<! (?<name> — the "?" here is syntax, not a quantifier.
      const prefix = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(pattern.slice(i));
      if (prefix) i += prefix[0].length;
      closedGroup = undefined;
      continue;
    }
    if (c === ')') {
      const group = stack.length > 1 ? stack.pop()! : { ...top };
      const parent = stack[stack.length - 1]!;
      parent.ambiguous ||= group.ambiguous;
      parent.unbounded ||= group.unbounded;
      closedGroup = group;
      i += 1;
      continue;
    }
    if (c === '|') {
      top.ambiguous = true;
      closedGroup = undefined;
      i += 1;
      continue;
    }
    const quantifier = /^(?:([*+])|(\?)|\{(\d+)(,(\d*))?\})\??/.exec(pattern.slice(i));
    if (quantifier) {
      const [text, star, question, min, comma, max] = quantifier;
      const unbounded = Boolean(star) || (comma !== undefined && !max);
      const upper = question ? 1 : unbounded ? Infinity : Number(comma !== undefined ? max : min);
      if (closedGroup && ((unbounded && closedGroup.ambiguous) || (upper > 1 && closedGroup.unbounded))) return nested;
      top.ambiguous = true;
      top.unbounded ||= unbounded;
      closedGroup = undefined;
      i += text.length;
      continue;
    }
    closedGroup = undefined;
    i += 1;
  }
  return undefined;
}

function endOfClass(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '^') i += 1;
  // In JavaScript "[]" is an empty class, so a "]" right after "[" closes it.
  for (; i < pattern.length; i += 1) {
    if (pattern[i] === '\\') i += 1;
    else if (pattern[i] === ']') return i + 1;
  }
  return pattern.length;
}

const regexCache = new Map<string, RegExp>();

/** Compiles a user's pattern after the safety check; throws a PermanentAgentError naming the problem. */
export function compileSafeRegex(pattern: string): RegExp {
  const cached = regexCache.get(pattern);
  if (cached) return cached;
  const { source, flags } = stripInlineFlags(pattern);
  const reason = unsafeRegexReason(source);
  if (reason) throw new PermanentAgentError(`The pattern "${pattern.slice(0, 60)}" cannot be used: ${reason}.`);
  const re = new RegExp(source, flags);
  if (regexCache.size >= 500) regexCache.clear();
  regexCache.set(pattern, re);
  return re;
}

function looseEquals(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  // "5" from a template equals 5 from the event, as a person would expect.
  return String(a) === String(b);
}

function toNumber(v: JsonValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function contains(actual: JsonValue | undefined, value: JsonValue | undefined): boolean {
  if (Array.isArray(actual)) return actual.some((x) => looseEquals(x, value ?? null));
  if (typeof actual === 'string') return actual.includes(String(value ?? ''));
  return false;
}

function isEmpty(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

/** The list for "in": a JSON list, or text separated by commas (easier to type in a form). */
function listOf(value: JsonValue | undefined, path: string): JsonValue[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return value.split(',').map((s) => s.trim());
  throw new PermanentAgentError(`The rule on "${path}" uses "in" but its value is not a list. Enter e.g. ["open", "pending"].`);
}

function conditionMatches(r: FilterCondition, event: JsonValue): boolean {
  const actual = getPath(event, r.path);
  const value = r.value as JsonValue | undefined;
  switch (r.op) {
    case 'exists':
      return actual !== undefined && actual !== null;
    case 'not_exists':
      return actual === undefined || actual === null;
    case 'empty':
      return isEmpty(actual);
    case 'not_empty':
      return !isEmpty(actual);
    case 'eq':
      return looseEquals(actual, value);
    case 'ne':
      return !looseEquals(actual, value);
    case 'contains':
      return contains(actual, value);
    case 'not_contains':
      return !contains(actual, value);
    case 'in':
      return listOf(value, r.path).some((x) => looseEquals(actual, x));
    case 'not_in':
      return !listOf(value, r.path).some((x) => looseEquals(actual, x));
    case 'regex': {
      if (typeof value !== 'string' || value === '') throw new PermanentAgentError(`The rule on "${r.path}" uses "regex" but has no pattern.`);
      const re = compileSafeRegex(value);
      if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean') return false;
      return re.test(String(actual).slice(0, MAX_REGEX_INPUT));
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const a = toNumber(actual);
      const b = toNumber(value);
      if (a === undefined || b === undefined) return false;
      if (r.op === 'gt') return a > b;
      if (r.op === 'gte') return a >= b;
      if (r.op === 'lt') return a < b;
      return a <= b;
    }
  }
}

/** Whether one rule (a condition or a group, recursively) matches the event. */
export function ruleMatches(r: FilterRule, event: JsonValue, depth = 0): boolean {
  if ('rules' in r) {
    // Save-time validation enforces the depth too; this guards rules that bypassed it.
    if (depth + 1 > MAX_GROUP_DEPTH) throw new PermanentAgentError(`Groups can be nested at most ${MAX_GROUP_DEPTH} levels deep.`);
    return rulesMatch(r.match ?? 'all', r.rules, event, depth + 1);
  }
  return conditionMatches(r, event);
}

/** `all`: every rule matches; `any`: at least one does. Stops at the first rule that decides. */
export function rulesMatch(match: 'all' | 'any', rules: readonly FilterRule[], event: JsonValue, depth = 0): boolean {
  return match === 'all' ? rules.every((r) => ruleMatches(r, event, depth)) : rules.some((r) => ruleMatches(r, event, depth));
}

const options = z
  .object({
    match: z.enum(['all', 'any'], { error: 'Choose "all" or "any"' }).default('all').describe('Pass when all rules match, or when any rule matches'),
    rules: ruleListSchema,
  })
  .strict()
  .superRefine((o, ctx) => checkRules(o.rules, ctx, ['rules']));

export const filterAgent = defineAgent({
  type: 'filter',
  name: 'Filter',
  category: 'Decide',
  icon: 'Filter',
  summary: 'Let an event through only when it matches your rules.',
  description: `Checks each incoming event against rules (Huginn's TriggerAgent). With **all**, every
rule must match; with **any**, one is enough. Matching events pass on unchanged; others stop here.

Operators:
- **eq** / **ne**: equals / does not equal (\`"5"\` equals \`5\`).
- **contains** / **not_contains**: text contains a piece of text, or a list contains a value.
- **gt**, **gte**, **lt**, **lte**: greater than, at least, less than, at most (numbers).
- **exists** / **not_exists**: the field has a value / is missing or null.
- **empty** / **not_empty**: missing, null, \`""\`, an empty list or an empty object.
- **in** / **not_in**: the field equals one of a list of values, e.g. \`["open", "pending"]\`
  (or text separated by commas: \`open, pending\`).
- **regex**: the text matches a pattern, e.g. \`^OPS-\\d+$\`. Start with \`(?i)\` to ignore case.
  Patterns can be up to ${MAX_REGEX_PATTERN} characters; patterns that repeat a repeating group,
  like \`(a+)+\`, are refused because they can take forever; only the first
  ${MAX_REGEX_INPUT.toLocaleString('en-US')} characters of a text are checked.

A rule can also be a **group** with its own **all**/**any** and rules, to say things like
"priority is High, and the label is bug or incident". Groups nest up to ${MAX_GROUP_DEPTH} levels.

Paths use dots: \`issue.fields.priority.name\`, \`items[0].id\`.

**Emits** the incoming event when it matches, nothing otherwise.`,
  exampleEvent: { issue: { key: 'OPS-42', fields: { priority: { name: 'High' } } } },
  options,
  defaultOptions: { match: 'all', rules: [{ path: 'status', op: 'eq', value: 'open' }] },
  capabilities: { receives: true, dryRun: true, inline: true },
  async run(ctx) {
    const pass = rulesMatch(ctx.options.match, ctx.options.rules, ctx.event);
    ctx.log.info(pass ? 'Event matched the rules and passed on.' : 'Event did not match the rules and was dropped.');
    return pass ? [ctx.event] : [];
  },
});
