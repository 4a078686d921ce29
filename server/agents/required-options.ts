import type { z } from 'zod';

/** One option that some actions of an app agent cannot do without, and what to tell the user when it is blank. */
export interface RequiredOption<O extends { action: string }> {
  actions: readonly O['action'][];
  field: keyof O & string;
  message: string;
}

/**
 * For `.superRefine` of agents with an `action` option (JIRA, Mavenlink): each action needs other
 * fields, and the options form cannot say so by itself, because the same field is optional for
 * the other actions. Blank text counts as missing: a Liquid tag whose field is absent renders "".
 */
export function requireOptions<O extends { action: string }>(o: O, ctx: z.RefinementCtx, rules: ReadonlyArray<RequiredOption<O>>): void {
  for (const rule of rules) {
    if (rule.actions.includes(o.action) && isBlank(o[rule.field])) ctx.addIssue({ code: 'custom', path: [rule.field], message: rule.message });
  }
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}
