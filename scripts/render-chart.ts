/**
 * Renders the Helm chart without Helm (see scripts/lib/chart/): `helm template` for the subset of
 * the template language our chart uses, in strict mode (a missing value key is an error).
 *
 *   npx tsx scripts/render-chart.ts [CHART_DIR] [-f values.yaml]... [--set a.b=c]... [--set-string a.b=c]...
 *       [--release-name NAME] [--namespace NS] [--output FILE] [--notes] [--no-strict]
 *   npx tsx scripts/render-chart.ts --update-committed   rewrite deploy/helm/rendered/*.yaml
 *   npx tsx scripts/render-chart.ts --check-committed    exit 1 when they are stale
 *
 * CHART_DIR defaults to deploy/helm/muninn.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatManifests, renderChart } from './lib/chart/chart.ts';
import { CHART_DIR, COMMITTED_RENDERS, REPO_ROOT, renderCommitted, staleCommitted } from './lib/chart/committed.ts';

function main(): number {
  const { values: opts, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      values: { type: 'string', short: 'f', multiple: true },
      set: { type: 'string', multiple: true },
      'set-string': { type: 'string', multiple: true },
      'release-name': { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      output: { type: 'string', short: 'o' },
      notes: { type: 'boolean' },
      'no-strict': { type: 'boolean' },
      'update-committed': { type: 'boolean' },
      'check-committed': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (opts.help) {
    process.stdout.write(
      'usage: render-chart.ts [CHART_DIR] [-f values.yaml]... [--set k=v]... [--set-string k=v]...\n' +
        '         [--release-name NAME] [--namespace NS] [--output FILE] [--notes] [--no-strict]\n' +
        '       render-chart.ts --update-committed | --check-committed\n',
    );
    return 0;
  }
  if (opts['update-committed']) {
    for (const c of COMMITTED_RENDERS) {
      writeFileSync(join(REPO_ROOT, c.file), renderCommitted(c));
      process.stdout.write(`wrote ${c.file}\n`);
    }
    return 0;
  }
  if (opts['check-committed']) {
    const stale = staleCommitted();
    for (const f of stale) process.stderr.write(`stale: ${f} (run npx tsx scripts/render-chart.ts --update-committed)\n`);
    return stale.length ? 1 : 0;
  }
  const result = renderChart(positionals[0] ?? CHART_DIR, {
    releaseName: opts['release-name'] ?? 'muninn',
    namespace: opts.namespace ?? 'default',
    valuesFiles: opts.values ?? [],
    set: opts.set ?? [],
    setString: opts['set-string'] ?? [],
    strict: !opts['no-strict'],
  });
  let text = formatManifests(result.manifests);
  if (opts.notes) text += `---\n# NOTES.txt\n${result.notes.replace(/^/gm, '# ')}\n`;
  if (opts.output) writeFileSync(opts.output, text);
  else process.stdout.write(text);
  return 0;
}

try {
  process.exitCode = main();
} catch (e) {
  process.stderr.write(`render-chart: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
