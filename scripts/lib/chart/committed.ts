/**
 * The rendered manifests committed under deploy/helm/rendered/: reviewers see what a chart change
 * does to real manifests, and deploy/helm/chart.test.ts fails when a file is stale.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatManifests, renderChart } from './chart.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CHART_DIR = join(REPO_ROOT, 'deploy/helm/muninn');

export interface CommittedRender {
  /** Repository-relative path of the committed file. */
  file: string;
  /** Repository-relative values files. */
  valuesFiles: string[];
}

export const COMMITTED_RENDERS: CommittedRender[] = [
  { file: 'deploy/helm/rendered/default.yaml', valuesFiles: [] },
  { file: 'deploy/helm/rendered/production.yaml', valuesFiles: ['deploy/helm/examples/values-production.yaml'] },
];

export const RELEASE = { releaseName: 'muninn', namespace: 'muninn' } as const;

/** The exact text a committed file must have. */
export function renderCommitted(c: CommittedRender): string {
  const result = renderChart(CHART_DIR, { ...RELEASE, valuesFiles: c.valuesFiles.map((f) => join(REPO_ROOT, f)) });
  const command = ['npx tsx scripts/render-chart.ts', ...c.valuesFiles.map((f) => `-f ${f}`), '--release-name', RELEASE.releaseName, '--namespace', RELEASE.namespace].join(' ');
  const header = [
    '# Generated from deploy/helm/muninn; do not edit.',
    `# Same output: ${command}`,
    '# Regenerate every committed render: npx tsx scripts/render-chart.ts --update-committed',
  ].join('\n');
  return `${header}\n${formatManifests(result.manifests)}`;
}

/** Committed files whose content differs from a fresh render. */
export function staleCommitted(): string[] {
  return COMMITTED_RENDERS.filter((c) => {
    let current = '';
    try {
      current = readFileSync(join(REPO_ROOT, c.file), 'utf8');
    } catch {
      return true;
    }
    return current !== renderCommitted(c);
  }).map((c) => c.file);
}
