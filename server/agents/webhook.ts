import { z } from 'zod';
import { defineAgent } from './define-agent';

export const webhookAgent = defineAgent({
  type: 'webhook',
  name: 'Webhook',
  category: 'Triggers',
  icon: 'Webhook',
  summary: 'Start the flow when another system sends data to its address.',
  description: `Gives the flow a private web address. When another system sends a JSON \`POST\` to it,
a run starts with the request body as its event. Save the flow to see the address in the inspector.
The flow must be **active** to accept requests.

**Emits** the JSON body of the request unchanged.`,
  exampleEvent: { issue: { key: 'OPS-42', fields: { summary: 'Printer on fire' } } },
  options: z.object({}).strict(),
  defaultOptions: {},
  capabilities: { receives: false, trigger: 'webhook', dryRun: true },
  async run(ctx) {
    return [ctx.event];
  },
});
