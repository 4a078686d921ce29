/**
 * Routing convention (the engine implements it): Switch returns the event with a reserved
 * top-level field `"$route": "<route name>"`. The engine delivers such an event only along the
 * node's edges whose `sourceHandle` equals that route name, and strips `$route` before the next
 * node sees it. Edges of a Switch without a `sourceHandle` receive nothing. The field is set here,
 * not in define-agent.ts, so the agent contract stays "return the events you emit".
 */
import { z } from 'zod';
import { defineAgent, type JsonObject } from './define-agent';
import { checkRules, ruleListSchema, rulesMatch } from './filter';

export const ROUTE_FIELD = '$route';
export const MAX_ROUTES = 20;

const routeName = z
  .string()
  .trim()
  .min(1, 'Give the route a name, e.g. urgent')
  .max(60, 'A route name can be at most 60 characters');

const route = z
  .object({
    name: routeName.describe('Name of the route; connections leaving this route carry it'),
    match: z.enum(['all', 'any'], { error: 'Choose "all" or "any"' }).default('all').describe('Take this route when all, or any, of its rules match'),
    rules: ruleListSchema,
  })
  .strict();

const options = z
  .object({
    routes: z
      .array(route)
      .min(1, 'Add at least one route')
      .max(MAX_ROUTES, `A switch can have at most ${MAX_ROUTES} routes`)
      .describe('Routes, checked in order; the first that matches takes the event'),
    fallback: routeName.optional().describe('Route for events that match no route (leave empty to drop them)'),
  })
  .strict()
  .superRefine((o, ctx) => {
    const seen = new Set<string>();
    o.routes.forEach((r, i) => {
      if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'name'], message: `Two routes are named "${r.name}"; give each its own name` });
      seen.add(r.name);
      checkRules(r.rules, ctx, ['routes', i, 'rules']);
    });
  });

/** The name of the first route whose rules match, else the fallback, else undefined. */
export function pickRoute(opts: z.output<typeof options>, event: JsonObject): string | undefined {
  return opts.routes.find((r) => rulesMatch(r.match, r.rules, event))?.name ?? opts.fallback;
}

export const switchAgent = defineAgent({
  type: 'switch',
  name: 'Switch',
  category: 'Decide',
  icon: 'Signpost',
  summary: 'Send each event down the first route whose rules match.',
  description: `Sorts events into routes. Each route has a name and rules, written like the rules of a
**Filter** (equals, contains, greater than, regex, groups …). Routes are checked from top to bottom;
the event goes down the **first** route that matches, and only that one.

Connect each route's output to the nodes that should handle it. Events that match no route go to
the **fallback** route when you name one, and are dropped otherwise.

**Emits** the incoming event unchanged, along the connections of the chosen route.`,
  exampleEvent: { issue: { key: 'OPS-42', fields: { priority: { name: 'High' } } } },
  options,
  defaultOptions: {
    routes: [
      { name: 'urgent', match: 'all', rules: [{ path: 'priority', op: 'in', value: ['High', 'Highest'] }] },
      { name: 'normal', match: 'all', rules: [{ path: 'priority', op: 'exists' }] },
    ],
    fallback: 'other',
  },
  capabilities: { receives: true, dryRun: true, inline: true },
  outputs: (o) => [...o.routes.map((r) => r.name), ...(o.fallback ? [o.fallback] : [])],
  outputPaths: ['routes[].name', 'fallback'],
  async run(ctx) {
    const name = pickRoute(ctx.options, ctx.event);
    if (name === undefined) {
      ctx.log.info('The event matched no route and there is no fallback, so it was dropped.');
      return [];
    }
    ctx.log.info(`The event took the route "${name}".`);
    return [{ ...ctx.event, [ROUTE_FIELD]: name }];
  },
});
