/**
 * Renders a Helm chart the way `helm template` does, for the subset of Helm our chart uses:
 * Chart.yaml, values.yaml merged with values files and --set overrides, every file under
 * templates/ (files starting with `_` only provide `define`s; NOTES.txt is rendered on request),
 * manifests split into documents, ordered by Helm's install order, hooks last.
 * No subcharts, no `lookup`, no `tpl`, no `.Files`, no `.Capabilities` beyond the kube version.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { functions } from './functions.ts';
import { TemplateError, TemplateSet, isMap, type Value } from './template.ts';

export interface RenderOptions {
  releaseName?: string;
  namespace?: string;
  /** Values files, applied in order over the chart's values.yaml. */
  valuesFiles?: string[];
  /** Already-parsed values, applied after the files (tests use this). */
  values?: Record<string, Value>[];
  /** `--set a.b=c` expressions, applied last (after `values`). */
  set?: string[];
  /** `--set-string a.b=c` expressions: the value is always a string. */
  setString?: string[];
  /** Missing keys are errors (Helm's `--strict`). Default true. */
  strict?: boolean;
  isUpgrade?: boolean;
  kubeVersion?: string;
}

export interface Manifest {
  /** `<chart>/templates/<file>` as in Helm's `# Source:` comment. */
  source: string;
  kind: string;
  name: string;
  hook: string | undefined;
  hookWeight: number;
  /** The document text, as rendered (trimmed). */
  text: string;
  /** The parsed document. */
  object: Record<string, Value>;
}

export interface RenderResult {
  manifests: Manifest[];
  notes: string;
  values: Record<string, Value>;
}

/** Helm's InstallOrder (pkg/releaseutil/kind_sorter.go); unknown kinds go last, by kind. */
const INSTALL_ORDER = [
  'PriorityClass', 'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy',
  'PodDisruptionBudget', 'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap', 'StorageClass',
  'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole',
  'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding',
  'RoleBindingList', 'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment',
  'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
];

/** Values files are read as Helm reads them: YAML 1.1 (`yes` is true), numbers as float64. */
export function parseValues(text: string, file: string): Record<string, Value> {
  const v: Value = parse(text, { version: '1.1' }) ?? {};
  if (!isMap(v)) throw new Error(`${file}: values must be a map`);
  return v;
}

/** Helm's coalescing: maps merge key by key, anything else replaces, `null` deletes the key. */
export function mergeValues(base: Record<string, Value>, over: Record<string, Value>): Record<string, Value> {
  const out: Record<string, Value> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = mergeValues(out[k] as Record<string, Value>, v);
    else out[k] = v;
  }
  return out;
}

/**
 * Helm's `--set` syntax, the parts we support: `a.b.c=v` pairs separated by commas (`\,` escapes
 * a comma, `\.` a dot in a key). Values: true/false, null, integers (Go int64 → bigint), else strings.
 */
export function parseSet(expr: string, asString = false): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const pair of expr.split(/(?<!\\),/)) {
    const eqAt = pair.indexOf('=');
    if (eqAt <= 0) throw new Error(`--set ${JSON.stringify(pair)}: expected key=value`);
    const keys = pair
      .slice(0, eqAt)
      .split(/(?<!\\)\./)
      .map((k) => k.replaceAll('\\.', '.'));
    if (keys.some((k) => !k || /[[\]]/.test(k))) throw new Error(`--set ${JSON.stringify(pair)}: unsupported key (lists are not supported)`);
    const raw = pair.slice(eqAt + 1).replaceAll('\\,', ',');
    let value: Value = raw;
    if (!asString) {
      if (raw === 'true' || raw === 'false') value = raw === 'true';
      else if (raw === 'null') value = null;
      else if (/^(0|-?[1-9][0-9]*)$/.test(raw)) value = BigInt(raw);
    }
    let cur = out;
    keys.slice(0, -1).forEach((k) => {
      if (!isMap(cur[k])) cur[k] = {};
      cur = cur[k] as Record<string, Value>;
    });
    cur[keys.at(-1) as string] = value;
  }
  return out;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? listFiles(p) : [p];
    });
}

/** `.Chart`: Chart.yaml's keys with Helm's Go field names (`appVersion` → `AppVersion`). */
function chartObject(meta: Record<string, Value>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(meta)) {
    const name = k === 'apiVersion' ? 'APIVersion' : k[0]?.toUpperCase() + k.slice(1);
    out[name] = v;
  }
  return out;
}

export function renderChart(chartDir: string, options: RenderOptions = {}): RenderResult {
  const meta = parseValues(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'), 'Chart.yaml');
  const chartName = String(meta.name);
  let values = parseValues(readFileSync(join(chartDir, 'values.yaml'), 'utf8'), 'values.yaml');
  for (const f of options.valuesFiles ?? []) values = mergeValues(values, parseValues(readFileSync(f, 'utf8'), f));
  for (const v of options.values ?? []) values = mergeValues(values, v);
  for (const s of options.set ?? []) values = mergeValues(values, parseSet(s));
  for (const s of options.setString ?? []) values = mergeValues(values, parseSet(s, true));

  const set = new TemplateSet({ strict: options.strict ?? true, functions });
  const templatesDir = join(chartDir, 'templates');
  const files = listFiles(templatesDir).map((p) => ({
    path: p,
    name: `${chartName}/templates/${relative(templatesDir, p).split(sep).join('/')}`,
  }));
  for (const f of files) set.add(f.name, readFileSync(f.path, 'utf8'));

  const kubeVersion = options.kubeVersion ?? 'v1.31.0';
  const [major, minor] = kubeVersion.replace(/^v/, '').split('.');
  const top = (templateName: string): Record<string, Value> => ({
    Values: values,
    Chart: chartObject(meta),
    Release: {
      Name: options.releaseName ?? 'release-name',
      Namespace: options.namespace ?? 'default',
      Service: 'Helm',
      IsInstall: !options.isUpgrade,
      IsUpgrade: !!options.isUpgrade,
      Revision: 1n,
    },
    Capabilities: { KubeVersion: { Version: kubeVersion, GitVersion: kubeVersion, Major: major, Minor: minor } },
    Template: { Name: templateName, BasePath: `${chartName}/templates` },
  });

  const manifests: Manifest[] = [];
  let notes = '';
  for (const f of files) {
    const base = f.name.split('/').at(-1) as string;
    if (base.startsWith('_')) continue;
    const out = set.execute(f.name, top(f.name));
    if (base === 'NOTES.txt') {
      notes = out;
      continue;
    }
    manifests.push(...splitManifests(f.name, out));
  }
  return { manifests: sortManifests(manifests), notes, values };
}

/** Splits one rendered file into documents, drops empty ones, parses and checks each. */
export function splitManifests(source: string, text: string): Manifest[] {
  const out: Manifest[] = [];
  for (const chunk of text.split(/(?:^|\n)---[ \t]*(?=\n|$)/)) {
    const doc = chunk.trim();
    if (!doc || doc.split('\n').every((l) => /^\s*(#.*)?$/.test(l))) continue;
    const parsed = parseAllDocuments(doc, { version: '1.1', uniqueKeys: true });
    const docs = Array.isArray(parsed) ? parsed : [parsed];
    const d = docs[0];
    const errors = docs.flatMap((x) => x.errors);
    if (!d || docs.length !== 1 || errors.length) {
      throw new TemplateError(`YAML parse error on ${source}: ${errors.map((e) => e.message).join('; ') || 'not one document'}\n${numbered(doc)}`);
    }
    const object = d.toJS() as Value;
    if (!isMap(object) || typeof object.kind !== 'string' || typeof object.apiVersion !== 'string') {
      throw new TemplateError(`${source}: a manifest needs apiVersion and kind\n${numbered(doc)}`);
    }
    const metadata = isMap(object.metadata) ? object.metadata : {};
    const annotations = isMap(metadata.annotations) ? metadata.annotations : {};
    const hook = annotations['helm.sh/hook'];
    out.push({
      source,
      kind: object.kind,
      name: String(metadata.name ?? ''),
      hook: typeof hook === 'string' ? hook : undefined,
      hookWeight: Number(annotations['helm.sh/hook-weight'] ?? 0),
      text: doc,
      object,
    });
  }
  return out;
}

function numbered(doc: string): string {
  return doc
    .split('\n')
    .map((l, i) => `${String(i + 1).padStart(4)} | ${l}`)
    .join('\n');
}

function kindRank(kind: string): number {
  const i = INSTALL_ORDER.indexOf(kind);
  return i < 0 ? INSTALL_ORDER.length : i;
}

/** Helm's order: regular manifests by install order (unknown kinds last, by kind), then hooks by weight. */
export function sortManifests(list: Manifest[]): Manifest[] {
  const byKind = (a: Manifest, b: Manifest) => kindRank(a.kind) - kindRank(b.kind) || (kindRank(a.kind) === INSTALL_ORDER.length ? a.kind.localeCompare(b.kind) : 0);
  const regular = list.filter((m) => !m.hook).sort(byKind);
  const hooks = list.filter((m) => m.hook).sort((a, b) => a.hookWeight - b.hookWeight || byKind(a, b) || a.name.localeCompare(b.name));
  return [...regular, ...hooks];
}

/** `helm template`'s output format. */
export function formatManifests(manifests: Manifest[]): string {
  return manifests.map((m) => `---\n# Source: ${m.source}\n${m.text}\n`).join('');
}
