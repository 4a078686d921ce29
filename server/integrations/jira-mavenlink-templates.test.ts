import { describe, expect, it } from 'vitest';
import { loadCatalogFiles } from '../services/templates/catalog';
import { getAgent } from '../agents/registry';

/** The two JIRA ⇄ Mavenlink catalog templates load cleanly and are wired as documented. */
describe('JIRA ⇄ Mavenlink templates', async () => {
  const files = (await loadCatalogFiles()).filter((f) => f.file === 'jira-to-mavenlink.json' || f.file === 'jira-mavenlink-two-way.json');

  it('both load without problems (placeholders declared and used, graph valid once filled)', () => {
    expect(files.map((f) => f.file).sort()).toEqual(['jira-mavenlink-two-way.json', 'jira-to-mavenlink.json']);
    for (const f of files) expect(f.problems, f.file).toEqual([]);
  });

  it('ask for a JIRA and a Mavenlink credential, the JQL and the workspace', () => {
    for (const f of files) {
      const t = f.template!;
      expect(t.credentials.map((c) => [c.name, c.type])).toEqual([
        ['jira', 'jira_cloud'],
        ['mavenlink', 'mavenlink'],
      ]);
      expect(t.inputs.map((i) => i.name)).toEqual(['jql', 'workspace_id']);
      expect(t.inputs.find((i) => i.name === 'workspace_id')!.default).toBeUndefined();
    }
  });

  it('a manual run does what a schedule tick does: both triggers feed every poller, pollers feed the sync', () => {
    for (const f of files) {
      const { nodes, edges } = f.template!.graph;
      const triggers = nodes.filter((n) => getAgent(n.type)?.capabilities.trigger);
      expect(triggers.map((n) => n.type).sort(), f.file).toEqual(['manual', 'schedule']);
      const pollers = nodes.filter((n) => n.type === 'jira' || n.type === 'mavenlink');
      for (const p of pollers) {
        expect(['poll', 'poll_stories']).toContain(p.options.action);
        for (const t of triggers) expect(edges.some((e) => e.source === t.id && e.target === p.id), `${t.id} → ${p.id}`).toBe(true);
      }
      const sync = nodes.find((n) => n.type === 'sync')!;
      for (const p of pollers) expect(edges.some((e) => e.source === p.id && e.target === sync.id)).toBe(true);
      expect(pollers.map((p) => p.type).sort()).toEqual(f.file === 'jira-to-mavenlink.json' ? ['jira'] : ['jira', 'mavenlink']);
    }
  });
});
