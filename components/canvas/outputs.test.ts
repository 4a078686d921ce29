import { describe, expect, it } from 'vitest';
import { agentList } from '@/server/agents/registry';
import { agentCatalog } from '@/server/services/catalog';
import { namedOutputs } from './outputs';

describe('namedOutputs', () => {
  const paths = ['routes[].name', 'fallback'];

  it('collects names from list items and plain fields, trimmed, without repeats or blanks', () => {
    const options = { routes: [{ name: ' urgent ' }, { name: '' }, { name: 'bugs' }, { name: 'urgent' }, {}, 'junk'], fallback: 'other' };
    expect(namedOutputs(options, paths)).toEqual(['urgent', 'bugs', 'other']);
  });

  it('tolerates half-typed options and agents without named outputs', () => {
    expect(namedOutputs({ routes: 'not a list', fallback: 3 }, paths)).toEqual([]);
    expect(namedOutputs({ routes: [{ name: 'a' }] }, undefined)).toEqual([]);
    expect(namedOutputs({ nested: { deeper: 'x' } }, ['nested.deeper'])).toEqual(['x']);
  });

  // The editor draws handles from the catalog's paths; the engine checks edges with the agent's
  // own outputs(): for every agent with named outputs both must name the same outputs.
  it('agrees with every agent’s outputs() on its defaults and on variations', () => {
    const withOutputs = agentList.filter((a) => a.outputs);
    expect(withOutputs.length).toBeGreaterThan(0);
    for (const agent of withOutputs) {
      const entry = agentCatalog().find((e) => e.type === agent.type)!;
      expect(entry.outputPaths.length, `${agent.type} declares outputPaths`).toBeGreaterThan(0);
      const variations: Record<string, unknown>[] = [agent.defaultOptions as Record<string, unknown>];
      if (agent.type === 'switch') {
        const rule = [{ path: 'x', op: 'exists' }];
        variations.push({ routes: [{ name: 'only', rules: rule }] });
        variations.push({ routes: [{ name: 'a', rules: rule }, { name: 'b', rules: rule }], fallback: 'rest' });
      }
      for (const options of variations) {
        const parsed = agent.options.parse(options);
        expect(namedOutputs(options, entry.outputPaths), `${agent.type} ${JSON.stringify(options)}`).toEqual(agent.outputs!(parsed));
      }
    }
  });
});
