import { describe, expect, it } from 'vitest';
import { transformAgent } from './transform';
import { makeTestContext } from './test-context';
import { renderOptions } from '../engine/liquid';

describe('transform agent', () => {
  it('replaces or merges the incoming event with the rendered template', async () => {
    const event = { name: 'Ada', id: 7 };
    const rendered = renderOptions({ template: { greeting: 'Hi {{ name }}', n: '{{ id }}' } }, event);
    const replace = makeTestContext(transformAgent, rendered, event);
    expect(await transformAgent.run(replace.ctx)).toEqual([{ greeting: 'Hi Ada', n: 7 }]);
    const merge = makeTestContext(transformAgent, { ...rendered, mode: 'merge' }, event);
    expect(await transformAgent.run(merge.ctx)).toEqual([{ name: 'Ada', id: 7, greeting: 'Hi Ada', n: 7 }]);
  });

  it('rejects invalid options', () => {
    expect(transformAgent.options.safeParse({}).success).toBe(false);
    expect(transformAgent.options.safeParse({ template: {}, mode: 'append' }).success).toBe(false);
    expect(transformAgent.options.safeParse(transformAgent.defaultOptions).success).toBe(true);
  });
});
