import { z } from 'zod';
import { defineAgent } from './define-agent';

export const manualAgent = defineAgent({
  type: 'manual',
  name: 'Manual trigger',
  category: 'Triggers',
  icon: 'Play',
  summary: 'Start the flow yourself with the Run button or the API.',
  description: `Starts a run when you press **Run** in the editor, or when a script calls
\`POST /api/v1/flows/:id/runs\`. The event it emits is the payload you give (an empty object if none).

**Emits** the trigger payload unchanged.`,
  exampleEvent: { customer: 'Acme', priority: 'high' },
  options: z.object({}).strict(),
  defaultOptions: {},
  capabilities: { receives: false, trigger: 'manual', dryRun: true, inline: true },
  async run(ctx) {
    return [ctx.event];
  },
});
