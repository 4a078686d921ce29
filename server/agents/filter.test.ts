import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PermanentAgentError, type JsonObject } from './define-agent';
import { compileSafeRegex, filterAgent, ruleMatches, rulesMatch, unsafeRegexReason, type FilterRule } from './filter';
import { makeTestContext } from './test-context';

const event: JsonObject = {
  status: 'open',
  count: 5,
  title: 'Printer on fire',
  labels: ['bug', 'urgent'],
  empty: '',
  none: null,
  list: [],
  obj: {},
  issue: { key: 'OPS-42', fields: { priority: { name: 'High' } } },
};

const run = async (options: unknown, ev: JsonObject = event) => {
  const { ctx } = makeTestContext(filterAgent, options, ev);
  return filterAgent.run(ctx);
};

const cond = (path: string, op: string, value?: unknown) => ({ path, op, value }) as FilterRule;

describe('filter options', () => {
  it('accepts the default options and the old shape', () => {
    expect(filterAgent.options.safeParse(filterAgent.defaultOptions).success).toBe(true);
    expect(filterAgent.options.safeParse({ rules: [{ path: 'a', op: 'exists' }] }).success).toBe(true);
    expect(filterAgent.options.parse({ rules: [{ path: 'a', op: 'gt', value: 1 }] }).match).toBe('all');
  });

  it('turns into JSON Schema for the form', () => {
    expect(() => z.toJSONSchema(filterAgent.options, { io: 'input' })).not.toThrow();
  });

  it('refuses bad options with readable messages', () => {
    const messages = (o: unknown) => filterAgent.options.safeParse(o).error?.issues.map((i) => i.message) ?? [];
    expect(messages({ rules: [] })).toContain('Add at least one rule');
    expect(messages({ rules: [{ path: '', op: 'eq' }] })).toContain('Enter the field to check, e.g. issue.fields.priority');
    expect(messages({ rules: [{ path: 'a', op: 'like' }] })[0]).toMatch(/Choose a comparison/);
    expect(messages({ rules: [{ match: 'any', rules: [] }] })).toContain('A group needs at least one rule');
    expect(messages({ rules: [{ path: 'a', op: 'regex', value: '(a+)+' }] })[0]).toMatch(/extremely long/);
    expect(messages({ rules: [{ path: 'a', op: 'regex', value: '(' }] })[0]).toMatch(/not a valid pattern/);
    expect(messages({ rules: [{ path: 'a', op: 'regex' }] })[0]).toMatch(/Enter the pattern/);
    expect(messages({ rules: [{ path: 'a', op: 'in', value: 3 }] })[0]).toMatch(/list of values/);
    expect(filterAgent.options.safeParse({ rules: [{ path: 'a', op: 'eq' }], extra: 1 }).success).toBe(false);
  });

  it('checks templated regexes only after rendering', () => {
    expect(filterAgent.options.safeParse({ rules: [{ path: 'a', op: 'regex', value: '{{ pattern }}' }] }).success).toBe(true);
  });

  it('allows groups 5 levels deep, not 6', () => {
    const nest = (levels: number): unknown => (levels === 0 ? { path: 'status', op: 'eq', value: 'open' } : { match: 'all', rules: [nest(levels - 1)] });
    expect(filterAgent.options.safeParse({ rules: [nest(5)] }).success).toBe(true);
    const deep = filterAgent.options.safeParse({ rules: [nest(6)] });
    expect(deep.error?.issues[0]?.message).toMatch(/at most 5 levels/);
  });
});

describe('ruleMatches', () => {
  it.each([
    [cond('status', 'eq', 'open'), true],
    [cond('count', 'eq', '5'), true],
    [cond('status', 'ne', 'open'), false],
    [cond('title', 'contains', 'fire'), true],
    [cond('labels', 'contains', 'bug'), true],
    [cond('labels', 'not_contains', 'bug'), false],
    [cond('title', 'not_contains', 'water'), true],
    [cond('missing', 'not_contains', 'x'), true],
    [cond('count', 'gt', 4), true],
    [cond('count', 'gte', 5), true],
    [cond('count', 'lt', 5), false],
    [cond('count', 'lte', '5'), true],
    [cond('title', 'gt', 1), false],
    [cond('status', 'exists'), true],
    [cond('none', 'exists'), false],
    [cond('missing', 'not_exists'), true],
    [cond('none', 'not_exists'), true],
    [cond('status', 'not_exists'), false],
    [cond('empty', 'empty'), true],
    [cond('none', 'empty'), true],
    [cond('list', 'empty'), true],
    [cond('obj', 'empty'), true],
    [cond('missing', 'empty'), true],
    [cond('status', 'empty'), false],
    [cond('labels', 'not_empty'), true],
    [cond('status', 'in', ['open', 'pending']), true],
    [cond('status', 'in', 'closed, open'), true],
    [cond('count', 'in', [4, 5]), true],
    [cond('status', 'in', ['closed']), false],
    [cond('status', 'not_in', ['closed']), true],
    [cond('issue.key', 'regex', '^OPS-\\d+$'), true],
    [cond('issue.key', 'regex', '^ops-'), false],
    [cond('issue.key', 'regex', '(?i)^ops-'), true],
    [cond('count', 'regex', '^5$'), true],
    [cond('issue', 'regex', '.'), false],
    [cond('issue.fields.priority.name', 'eq', 'High'), true],
    [cond('labels[1]', 'eq', 'urgent'), true],
  ])('%j → %s', (rule, expected) => {
    expect(ruleMatches(rule, event)).toBe(expected);
  });

  it('evaluates nested groups', () => {
    const rule: FilterRule = {
      match: 'all',
      rules: [cond('issue.fields.priority.name', 'eq', 'High'), { match: 'any', rules: [cond('labels', 'contains', 'incident'), cond('labels', 'contains', 'bug')] }],
    };
    expect(ruleMatches(rule, event)).toBe(true);
    expect(ruleMatches({ match: 'any', rules: [cond('status', 'eq', 'closed'), cond('count', 'gt', 10)] }, event)).toBe(false);
    expect(rulesMatch('any', [rule, cond('status', 'eq', 'closed')], event)).toBe(true);
  });

  it('fails clearly on values that cannot work', () => {
    expect(() => ruleMatches(cond('status', 'in', 5), event)).toThrow(PermanentAgentError);
    expect(() => ruleMatches(cond('status', 'regex', '(a|b)*c'), event)).toThrow(/cannot be used/);
    expect(() => ruleMatches(cond('status', 'regex', ''), event)).toThrow(/no pattern/);
  });

  it('refuses groups deeper than 5 even when given unvalidated rules', () => {
    let rule: FilterRule = cond('status', 'eq', 'open');
    for (let i = 0; i < 6; i++) rule = { match: 'all', rules: [rule] };
    expect(() => ruleMatches(rule, event)).toThrow(/5 levels/);
  });

  it('checks only the first 10,000 characters of a long text', () => {
    const long = { text: 'a'.repeat(20_000) + 'needle' };
    expect(ruleMatches(cond('text', 'regex', 'needle'), long)).toBe(false);
    expect(ruleMatches(cond('text', 'regex', '^a+$'), long)).toBe(true);
  });
});

describe('regex safety', () => {
  it.each(['(a+)+', '(a*)*b', '(a|a)*', '(\\w+\\s?)*$', '((ab)+)+', '(?:x+y?)+', '(\\w+){10}', '(a|b){2,}', '(\\1)', '(?<n>a)\\k<n>'])(
    'refuses %s',
    (p) => {
      expect(unsafeRegexReason(p)).toBeDefined();
    },
  );

  it.each(['^OPS-\\d+$', '(\\d{1,3}\\.){3}\\d{1,3}', '^(https?|ftp)://', '[(a+)+]', '(abc)+', '\\(a+\\)+', '(a+)?', 'colou?r', '(?:ab)*', 'a{2,}'])(
    'allows %s',
    (p) => {
      expect(unsafeRegexReason(p)).toBeUndefined();
    },
  );

  it('refuses patterns longer than 200 characters', () => {
    expect(unsafeRegexReason('a'.repeat(201))).toMatch(/at most 200/);
  });

  it('compiles with (?i) as ignore case', () => {
    expect(compileSafeRegex('(?i)abc').test('ABC')).toBe(true);
  });
});

describe('filter agent', () => {
  it('passes matching events unchanged and drops others', async () => {
    expect(await run({ rules: [{ path: 'status', op: 'eq', value: 'open' }] })).toEqual([event]);
    expect(await run({ rules: [{ path: 'status', op: 'eq', value: 'closed' }] })).toEqual([]);
  });

  it('combines rules with all / any (old options keep working)', async () => {
    const rules = [
      { path: 'status', op: 'eq', value: 'open' },
      { path: 'count', op: 'gt', value: 10 },
    ];
    expect(await run({ match: 'all', rules })).toEqual([]);
    expect(await run({ match: 'any', rules })).toEqual([event]);
  });

  it('runs nested groups', async () => {
    const options = {
      rules: [
        { path: 'status', op: 'in', value: ['open', 'pending'] },
        { match: 'any', rules: [{ path: 'issue.key', op: 'regex', value: '^OPS-' }, { path: 'count', op: 'gte', value: 100 }] },
      ],
    };
    expect(await run(options)).toEqual([event]);
    expect(await run(options, { ...event, issue: { key: 'DEV-1' } })).toEqual([]);
  });
});

describe('rule shape messages', () => {
  const first = (o: unknown) => filterAgent.options.safeParse(o).error?.issues[0]?.message;
  it('explains a rule that fits neither a condition nor a group', () => {
    expect(first({ rules: [{ path: 'a' }] })).toMatch(/needs a field/);
    expect(first({ rules: [{ match: 'some', rules: [{ path: 'a', op: 'eq' }] }] })).toMatch(/A group needs/);
    expect(first({ rules: ['status'] })).toMatch(/needs a field/);
  });
});
