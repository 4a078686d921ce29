import { z } from 'zod';
import { defineAgent, type JsonObject } from './define-agent';

const options = z
  .object({
    template: z
      .record(z.string(), z.json())
      .describe('The fields of the new event. Values are Liquid templates, e.g. "{{ body.name }}".'),
    mode: z
      .enum(['replace', 'merge'])
      .default('replace')
      .describe('Replace: emit only the template. Merge: add the template fields to the incoming event.'),
  })
  .strict();

export const transformAgent = defineAgent({
  type: 'transform',
  name: 'Transform',
  category: 'Shape data',
  icon: 'Shuffle',
  summary: 'Build a new event from the fields of the incoming one.',
  description: `Shapes data with Liquid templates (Huginn's EventFormattingAgent). Each field of the
template is rendered against the incoming event: \`{ "title": "{{ issue.fields.summary }}" }\`.
A field that is exactly one \`{{ ... }}\` keeps its type: numbers stay numbers, lists stay lists.

- **replace** (default) emits only the rendered template.
- **merge** emits the incoming event with the rendered fields added or overwritten.

**Emits** one event.`,
  exampleEvent: { title: 'Printer on fire', key: 'OPS-42' },
  options,
  defaultOptions: { template: { message: '{{ body }}' }, mode: 'replace' },
  capabilities: { receives: true, dryRun: true, inline: true },
  async run(ctx) {
    const rendered = ctx.options.template as JsonObject;
    return [ctx.options.mode === 'merge' ? { ...ctx.event, ...rendered } : rendered];
  },
});
