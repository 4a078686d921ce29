import { z } from 'zod';
import { defineAgent, PermanentAgentError } from './define-agent';

const options = z
  .object({
    source: z.string().max(100).default('Huginn').describe('Where the node was imported from'),
    originalType: z.string().min(1, 'Name the original agent type').max(200).describe('The agent type there, e.g. Agents::TwitterStreamAgent'),
    originalOptions: z.json().default({}).describe('The original settings, kept so nothing is lost'),
    reason: z.string().min(1, 'Say what needs attention').max(2_000).describe('What needs to be done before this step can run'),
  })
  .strict();

/**
 * Stands in for a step an importer could not translate: the graph keeps its shape (connections,
 * position, the original settings) and the node says what to do. It is hidden from the palette;
 * nobody adds one by hand.
 */
export const placeholderAgent = defineAgent({
  type: 'placeholder',
  name: 'Needs attention',
  category: 'Code',
  icon: 'CircleAlert',
  summary: 'A step that could not be imported automatically; replace it.',
  description: `An imported step that Muninn could not translate, for example a Huginn agent with no
Muninn equivalent. Its connections and its original settings are kept so you can rebuild it: add
the node that does the job, connect it the same way, then delete this one.

Until then, an event that reaches this node fails the step with the reason shown here.

**Emits** nothing.`,
  exampleEvent: {},
  options,
  defaultOptions: { source: 'Huginn', originalType: 'Agents::UnknownAgent', originalOptions: {}, reason: 'This step could not be imported.' },
  capabilities: { receives: true, dryRun: true },
  // The original settings may hold Liquid or other syntax meant for the original system.
  rawOptions: ['source', 'originalType', 'originalOptions', 'reason'],
  hidden: true,
  async run(ctx) {
    throw new PermanentAgentError(`This step was imported from ${ctx.options.source} (${ctx.options.originalType}) and still needs attention: ${ctx.options.reason}`);
  },
});
