// The Helm chart (deploy/helm/muninn), rendered by scripts/render-chart.ts (there is no helm binary
// here) and checked against Kubernetes' schemas (kubernetes-models), KEDA's (zod, k8s-validate.ts),
// the app's own contract (queue names, ports, probe paths) and our operational rules.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderChart, type Manifest, type RenderOptions, type RenderResult } from '../../scripts/lib/chart/chart.ts';
import { CHART_DIR, COMMITTED_RENDERS, RELEASE, REPO_ROOT, renderCommitted } from '../../scripts/lib/chart/committed.ts';
import { validateManifest } from './k8s-validate.ts';

const NS = RELEASE.namespace;
const PRODUCTION = join(REPO_ROOT, 'deploy/helm/examples/values-production.yaml');

function render(opts: RenderOptions = {}): RenderResult {
  return renderChart(CHART_DIR, { ...RELEASE, ...opts });
}

const SCENARIOS: Record<string, RenderOptions> = {
  default: {},
  'KEDA disabled (CPU HPA)': { set: ['keda.enabled=false'] },
  'no autoscaling': { set: ['keda.enabled=false,worker.autoscaling.enabled=false'] },
  'ingress enabled': {
    values: [{ ingress: { enabled: true, className: 'nginx', tls: [{ secretName: 'muninn-tls', hosts: ['muninn.example.com'] }] } }],
  },
  'prometheus trigger': { set: ['keda.trigger=prometheus'] },
  'redis cluster': { set: ['keda.redis.cluster=true,keda.redis.address=redis-0.redis.data.svc:6379\\,redis-1.redis.data.svc:6379'] },
  'chart secret with password': {
    values: [
      {
        secrets: {
          databaseUrl: 'postgresql://muninn:pw@postgres.data.svc.cluster.local:5432/muninn',
          redisUrl: 'rediss://:pw@redis:6380/2',
          encryptionKey: 'k'.repeat(44),
          apiToken: 't'.repeat(32),
          redisPassword: 'pw',
        },
        migrations: { databaseUrl: 'postgresql://muninn:pw@postgres-direct.data.svc.cluster.local:5432/muninn' },
        web: { autoscaling: { enabled: true }, startupProbe: { httpGet: { path: '/api/health', port: 'http' }, failureThreshold: 30, periodSeconds: 2 } },
      },
    ],
  },
  production: { valuesFiles: [PRODUCTION] },
};

// --- accessors -------------------------------------------------------------------------------

/** A manifest's object as a kubernetes-models type. */
const obj = <T>(m: Manifest | undefined): T => m?.object as unknown as T;
const all = (r: RenderResult, kind: string) => r.manifests.filter((m) => m.kind === kind);
function one<T>(r: RenderResult, kind: string, name: string): T {
  const found = r.manifests.filter((m) => m.kind === kind && m.name === name);
  expect(found, `${kind}/${name}`).toHaveLength(1);
  return obj<T>(found[0]);
}
/** The web or worker Deployment, found by its component label (names depend on the release). */
function deployment(r: RenderResult, component: 'web' | 'worker'): IDeployment {
  const found = all(r, 'Deployment').filter((m) => obj<IDeployment>(m).metadata?.labels?.['app.kubernetes.io/component'] === component);
  expect(found, `${component} Deployment`).toHaveLength(1);
  return obj<IDeployment>(found[0]);
}
const podSpec = (d: IDeployment | IJob): IPodSpec => d.spec?.template.spec as IPodSpec;
const container = (d: IDeployment | IJob): IContainer => podSpec(d).containers[0] as IContainer;
const envOf = (c: IContainer, name: string) => c.env?.find((e) => e.name === name)?.value;
const annotations = (m: Manifest) => ((m.object.metadata as { annotations?: Record<string, string> }).annotations ?? {});
type ScaledObject = {
  spec: {
    scaleTargetRef: { apiVersion?: string; kind?: string; name: string };
    minReplicaCount: number;
    maxReplicaCount: number;
    triggers: Array<{ type: string; metadata: Record<string, string>; authenticationRef?: { name: string } }>;
  };
};

/** Pods of a workload selected by a label selector. */
function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

// --- invariants of every render ---------------------------------------------------------------

function checkInvariants(r: RenderResult, existingSecret: string): void {
  const names = new Set<string>();
  for (const m of r.manifests) {
    // Valid against Kubernetes' (or KEDA's) schema, with no unknown fields.
    expect(validateManifest(m.object), `${m.kind}/${m.name}`).toEqual([]);
    const meta = m.object.metadata as { name: string; namespace?: string; labels?: Record<string, string> };
    expect(meta.name, `${m.kind} name`).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(meta.namespace, `${m.kind}/${m.name} namespace`).toBe(NS);
    for (const v of Object.values(meta.labels ?? {})) expect(v).toMatch(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/);
    const key = `${m.kind}/${meta.name}`;
    expect(names.has(key), `duplicate ${key}`).toBe(false);
    names.add(key);
  }
  const has = (kind: string, name: string) => names.has(`${kind}/${name}`);
  const hooks = r.manifests.filter((m) => m.hook);
  const regular = r.manifests.filter((m) => !m.hook);
  const byKind = (kind: string) => regular.filter((m) => m.kind === kind);

  for (const m of [...byKind('Deployment'), ...all(r, 'Job')]) {
    const w = obj<IDeployment | IJob>(m);
    const spec = podSpec(w);
    const labels = w.spec?.template.metadata?.labels;
    if (m.kind === 'Deployment') expect(selects((w as IDeployment).spec?.selector.matchLabels, labels), `${m.name} selector`).toBe(true);
    // Non-root, no privilege escalation, read-only root, no capabilities; /tmp is writable.
    expect(spec.securityContext?.runAsNonRoot).toBe(true);
    expect(spec.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(spec.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
    expect(spec.automountServiceAccountToken).toBe(false);
    for (const c of spec.containers) {
      expect(c.securityContext?.runAsNonRoot, c.name).toBe(true);
      expect(c.securityContext?.allowPrivilegeEscalation, c.name).toBe(false);
      expect(c.securityContext?.readOnlyRootFilesystem, c.name).toBe(true);
      expect(c.securityContext?.capabilities?.drop, c.name).toContain('ALL');
      const tmp = c.volumeMounts?.find((v) => v.mountPath === '/tmp');
      expect(spec.volumes?.find((v) => v.name === tmp?.name)?.emptyDir, `${c.name} /tmp`).toBeDefined();
      expect(c.resources?.requests?.memory, `${c.name} memory request`).toBeDefined();
      expect(c.resources?.limits?.memory, `${c.name} memory limit`).toBeDefined();
      expect(c.image).toMatch(/^[^:@\s]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/);
      for (const ref of c.envFrom ?? []) {
        if (ref.configMapRef) expect(has('ConfigMap', ref.configMapRef.name as string), `configMap ${ref.configMapRef.name}`).toBe(true);
        if (ref.secretRef) expect(has('Secret', ref.secretRef.name as string) || ref.secretRef.name === existingSecret, `secret ${ref.secretRef.name}`).toBe(true);
      }
    }
    if (m.kind === 'Deployment') {
      // No pre-install dependency problem for Deployments: their ServiceAccount is part of the release.
      const sa = spec.serviceAccountName ?? 'default';
      expect(sa === 'default' || has('ServiceAccount', sa), `serviceAccount ${sa}`).toBe(true);
    }
  }

  // Hooks run before the release's other resources exist: a hook may use only other hooks with a
  // lower weight, or things outside the release (existingSecret, the default ServiceAccount).
  for (const h of hooks.filter((m) => m.kind === 'Job')) {
    const job = obj<IJob>(h);
    expect(h.hook).toBe('pre-install,pre-upgrade');
    expect(annotations(h)['helm.sh/hook-delete-policy']).toBe('before-hook-creation,hook-succeeded');
    const spec = podSpec(job);
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.serviceAccountName === undefined || !has('ServiceAccount', spec.serviceAccountName)).toBe(true);
    const refs = spec.containers.flatMap((c) => [
      ...(c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [{ name: e.valueFrom.secretKeyRef.name as string, key: e.valueFrom.secretKeyRef.key }] : [])),
      ...(c.envFrom ?? []).flatMap((e) => (e.secretRef ? [{ name: e.secretRef.name as string, key: undefined }] : [])),
    ]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      if (ref.name === existingSecret) continue;
      const secretHook = hooks.find((m) => m.kind === 'Secret' && m.name === ref.name);
      expect(secretHook, `hook Job uses Secret ${ref.name}, which is not a hook`).toBeDefined();
      expect((secretHook as Manifest).hookWeight).toBeLessThan(h.hookWeight);
      if (ref.key) expect(Object.keys(obj<ISecret>(secretHook).data ?? {})).toContain(ref.key);
    }
  }

  // Everything that points at something points at something rendered.
  for (const m of byKind('Service')) {
    const svc = obj<IService>(m);
    const targets = byKind('Deployment').filter((d) => selects(svc.spec?.selector, obj<IDeployment>(d).spec?.template.metadata?.labels));
    expect(targets.map((d) => d.name), `Service ${m.name}`).toEqual([deployment(r, 'web').metadata?.name]);
    for (const p of svc.spec?.ports ?? []) {
      const c = container(obj<IDeployment>(targets[0]));
      expect(c.ports?.map((x) => x.name), `targetPort ${p.targetPort}`).toContain(p.targetPort);
    }
  }
  for (const m of byKind('PodDisruptionBudget')) {
    const pdb = obj<IPodDisruptionBudget>(m);
    const targets = byKind('Deployment').filter((d) => selects(pdb.spec?.selector?.matchLabels, obj<IDeployment>(d).spec?.template.metadata?.labels));
    expect(targets.map((d) => d.name)).toEqual([m.name]);
    expect(pdb.spec?.minAvailable, 'use maxUnavailable: minAvailable blocks drains of small deployments').toBeUndefined();
  }
  for (const m of byKind('HorizontalPodAutoscaler')) {
    const hpa = obj<IHorizontalPodAutoscaler>(m);
    expect(hpa.spec?.scaleTargetRef.kind).toBe('Deployment');
    expect(has('Deployment', hpa.spec?.scaleTargetRef.name as string)).toBe(true);
    const target = one<IDeployment>(r, 'Deployment', hpa.spec?.scaleTargetRef.name as string);
    expect(target.spec?.replicas, 'an autoscaled Deployment leaves replicas to the autoscaler').toBeUndefined();
    // A CPU utilization target needs CPU requests.
    expect(container(target).resources?.requests?.cpu).toBeDefined();
  }
  for (const m of byKind('Ingress')) {
    for (const rule of obj<IIngress>(m).spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const svc = p.backend.service;
        expect(has('Service', svc?.name as string)).toBe(true);
        const ports = (one<IService>(r, 'Service', svc?.name as string).spec?.ports ?? []).map((x) => x.name);
        expect(ports).toContain(svc?.port?.name);
      }
    }
  }
  for (const m of byKind('ScaledObject')) {
    const so = obj<ScaledObject>(m);
    for (const t of so.spec.triggers) {
      if (t.authenticationRef) expect(has('TriggerAuthentication', t.authenticationRef.name)).toBe(true);
    }
  }
  for (const m of byKind('TriggerAuthentication')) {
    const refs = (m.object as { spec: { secretTargetRef: Array<{ name: string; key: string }> } }).spec.secretTargetRef;
    for (const ref of refs) {
      if (ref.name === existingSecret) continue;
      expect(Object.keys(one<ISecret>(r, 'Secret', ref.name).data ?? {})).toContain(ref.key);
    }
  }
  // One autoscaler per Deployment: never KEDA's HPA and ours on the same target.
  if (byKind('ScaledObject').length) expect(byKind('HorizontalPodAutoscaler').map((m) => m.name)).not.toContain('muninn-worker');
}

describe.each(Object.entries(SCENARIOS))('chart rendered with %s values', (_name, opts) => {
  const r = render(opts);
  const existingSecret = String((r.values.secrets as { existingSecret: string }).existingSecret);

  it('renders documents that parse and validate against the Kubernetes/KEDA schemas, and hang together', () => {
    expect(r.manifests.length).toBeGreaterThan(5);
    checkInvariants(r, existingSecret);
  });

  it('gives the worker a grace period longer than its drain, and matching env', () => {
    const w = deployment(r, 'worker');
    const drain = Number(envOf(container(w), 'WORKER_DRAIN_SECONDS'));
    const { drainSeconds } = r.values.worker as { drainSeconds: number };
    expect(drain).toBe(drainSeconds);
    expect(podSpec(w).terminationGracePeriodSeconds).toBeGreaterThanOrEqual(drain + 5);
    expect(container(w).lifecycle?.preStop, 'the worker drains on SIGTERM itself').toBeUndefined();
  });

  it('probes the app where it answers', () => {
    const web = container(deployment(r, 'web'));
    expect(web.readinessProbe?.httpGet?.path).toBe('/api/health');
    expect(web.readinessProbe?.httpGet?.port).toBe('http');
    expect(web.ports?.find((p) => p.name === 'http')?.containerPort).toBe(Number(envOf(web, 'PORT')));
    expect(envOf(web, 'HOSTNAME')).toBe('0.0.0.0');
    expect(web.args).toEqual(['web']);
    // Liveness must not depend on Postgres/Redis: an outage would restart every pod.
    expect(web.livenessProbe?.httpGet?.path).not.toBe('/api/health');

    const worker = container(deployment(r, 'worker'));
    expect(worker.livenessProbe?.httpGet).toMatchObject({ path: '/healthz', port: 'health' });
    expect(worker.readinessProbe?.httpGet).toMatchObject({ path: '/readyz', port: 'health' });
    expect(worker.ports?.find((p) => p.name === 'health')?.containerPort).toBe(Number(envOf(worker, 'WORKER_HEALTH_PORT')));
    expect(worker.args).toEqual(['worker']);

    const preStop = Number(web.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
    expect(podSpec(deployment(r, 'web')).terminationGracePeriodSeconds).toBeGreaterThan(preStop + 10);
  });

  it('keeps each worker pod’s pool at least its concurrency', () => {
    const worker = container(deployment(r, 'worker'));
    expect(Number(envOf(worker, 'DATABASE_POOL_SIZE'))).toBeGreaterThanOrEqual(Number(envOf(worker, 'WORKER_CONCURRENCY')));
  });

  it('runs migrations as a pre-install/pre-upgrade hook with the image’s migrate command', () => {
    const job = one<IJob>(r, 'Job', 'muninn-migrate');
    expect(container(job).args).toEqual(['migrate']);
    expect(container(job).image).toBe(container(deployment(r, 'web')).image);
    expect(container(deployment(r, 'worker')).image).toBe(container(deployment(r, 'web')).image);
  });
});

describe('autoscaling', () => {
  it('default: a KEDA ScaledObject scales the worker Deployment on the BullMQ wait list', () => {
    const r = render();
    expect(all(r, 'HorizontalPodAutoscaler')).toHaveLength(0);
    const so = one<ScaledObject>(r, 'ScaledObject', 'muninn-worker');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment(r, 'worker').metadata?.name });
    expect(so.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    const [trigger] = so.spec.triggers;
    expect(trigger?.type).toBe('redis');
    expect(trigger?.metadata.listName).toBe('{muninn}:steps:wait');
    expect(Number(trigger?.metadata.listLength)).toBeGreaterThan(0);
    // The KEDA operator runs in its own namespace: the address must be fully qualified.
    expect(trigger?.metadata.address).toBe(`redis.${NS}.svc.cluster.local:6379`);
    // The wait list belongs to the queue prefix the pods use.
    const config = one<{ data: Record<string, string> }>(r, 'ConfigMap', 'muninn');
    expect(trigger?.metadata.listName).toBe(`{${config.data.MUNINN_QUEUE_PREFIX}}:steps:wait`);
    expect(deployment(r, 'worker').spec?.replicas).toBeUndefined();
  });

  it('KEDA disabled: an autoscaling/v2 CPU HPA scales the worker instead', () => {
    const r = render({ set: ['keda.enabled=false'] });
    expect(all(r, 'ScaledObject')).toHaveLength(0);
    expect(all(r, 'TriggerAuthentication')).toHaveLength(0);
    const hpa = one<IHorizontalPodAutoscaler>(r, 'HorizontalPodAutoscaler', 'muninn-worker');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec?.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'muninn-worker' });
    expect(hpa.spec?.metrics?.[0]?.resource?.name).toBe('cpu');
    expect(hpa.spec?.metrics?.[0]?.resource?.target.type).toBe('Utilization');
    expect(hpa.spec?.behavior?.scaleDown?.stabilizationWindowSeconds).toBeGreaterThan(0);
  });

  it('neither KEDA nor HPA: fixed replicas', () => {
    const r = render({ set: ['keda.enabled=false,worker.autoscaling.enabled=false'] });
    expect(all(r, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(deployment(r, 'worker').spec?.replicas).toBe(2);
  });

  it('prometheus trigger: max of the gauge, scoped to the release namespace; web pods are scraped', () => {
    const r = render({ set: ['keda.trigger=prometheus'] });
    const trigger = one<ScaledObject>(r, 'ScaledObject', 'muninn-worker').spec.triggers[0];
    expect(trigger?.type).toBe('prometheus');
    expect(trigger?.metadata.query).toBe(`max(muninn_queue_waiting{queue="steps",namespace="${NS}"})`);
    const podAnnotations = deployment(r, 'web').spec?.template.metadata?.annotations ?? {};
    expect(podAnnotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/api/metrics', 'prometheus.io/port': '3000' });
  });

  it('redis-cluster trigger lists the nodes and has no database index', () => {
    const r = render(SCENARIOS['redis cluster']);
    const trigger = one<ScaledObject>(r, 'ScaledObject', 'muninn-worker').spec.triggers[0];
    expect(trigger?.type).toBe('redis-cluster');
    expect(trigger?.metadata.addresses).toBe('redis-0.redis.data.svc:6379,redis-1.redis.data.svc:6379');
    expect(trigger?.metadata.databaseIndex).toBeUndefined();
  });

  it('derives KEDA’s Redis address, TLS, database and password from the chart-managed secrets', () => {
    const r = render(SCENARIOS['chart secret with password']);
    const trigger = one<ScaledObject>(r, 'ScaledObject', 'muninn-worker').spec.triggers[0];
    expect(trigger?.metadata).toMatchObject({ address: `redis.${NS}.svc.cluster.local:6380`, enableTLS: 'true', databaseIndex: '2' });
    const auth = one<{ spec: { secretTargetRef: unknown[] } }>(r, 'TriggerAuthentication', 'muninn-worker-redis');
    expect(auth.spec.secretTargetRef).toEqual([{ parameter: 'password', name: 'muninn', key: 'REDIS_PASSWORD' }]);
    const secret = one<ISecret>(r, 'Secret', 'muninn');
    expect(Buffer.from(secret.data?.REDIS_PASSWORD ?? '', 'base64').toString()).toBe('pw');
    expect(Buffer.from(secret.data?.MUNINN_API_TOKEN ?? '', 'base64').toString()).toBe('t'.repeat(32));
    // Migrations get their own (direct) URL through the hook Secret.
    const hookSecret = one<ISecret>(r, 'Secret', 'muninn-migrate');
    expect(Buffer.from(hookSecret.data?.DATABASE_URL ?? '', 'base64').toString()).toContain('postgres-direct');
  });

  it('default sizing fits a stock Postgres (max_connections 100, 3 reserved) at peak scale', () => {
    const v = render().values as { web: { replicaCount: number; databasePoolSize: number }; worker: { databasePoolSize: number }; keda: { maxReplicaCount: number } };
    const peak = v.web.replicaCount * v.web.databasePoolSize + v.keda.maxReplicaCount * v.worker.databasePoolSize + 1;
    expect(peak).toBeLessThanOrEqual(97);
  });
});

describe('other features', () => {
  it('ingress enabled: routes the hosts to the web Service', () => {
    const r = render(SCENARIOS['ingress enabled']);
    const ing = one<IIngress>(r, 'Ingress', 'muninn');
    expect(ing.spec?.ingressClassName).toBe('nginx');
    expect(ing.spec?.tls?.[0]?.secretName).toBe('muninn-tls');
    expect(ing.spec?.rules?.[0]?.host).toBe('muninn.example.com');
    expect(ing.spec?.rules?.[0]?.http?.paths[0]).toMatchObject({ path: '/', pathType: 'Prefix', backend: { service: { name: 'muninn-web', port: { name: 'http' } } } });
    expect(all(render(), 'Ingress')).toHaveLength(0);
  });

  it('existingSecret: no chart Secret, pods and hooks read the existing one', () => {
    const r = render({ valuesFiles: [PRODUCTION] });
    expect(all(r, 'Secret')).toHaveLength(0);
    expect(container(deployment(r, 'web')).envFrom).toContainEqual({ secretRef: { name: 'muninn-app' } });
    const dbUrl = container(one<IJob>(r, 'Job', 'muninn-migrate')).env?.find((e) => e.name === 'DATABASE_URL');
    expect(dbUrl?.valueFrom?.secretKeyRef).toEqual({ name: 'muninn-app', key: 'DATABASE_DIRECT_URL' });
    for (const component of ['web', 'worker'] as const) {
      expect(deployment(r, component).spec?.template.metadata?.annotations?.['checksum/secret']).toBeUndefined();
    }
  });

  it('a config change changes the pod template (rolls the pods); the same values render identically', () => {
    const a = deployment(render(), 'worker').spec?.template.metadata?.annotations;
    const b = deployment(render({ set: ['config.allowedHosts=10.0.0.0/8'] }), 'worker').spec?.template.metadata?.annotations;
    expect(a?.['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(b?.['checksum/config']).not.toBe(a?.['checksum/config']);
    expect(b?.['checksum/secret']).toBe(a?.['checksum/secret']);
    expect(deployment(render(), 'worker').spec?.template.metadata?.annotations).toEqual(a);
  });

  it('keeps names valid DNS labels for long release names', () => {
    const r = renderChart(CHART_DIR, { releaseName: 'a-very-long-release-name-for-a-very-important-customer-env', namespace: NS });
    for (const m of r.manifests) expect(m.name.length, m.name).toBeLessThanOrEqual(63);
    checkInvariants(r, '');
  });

  it('NOTES.txt renders, with the peak connection count and a warning when secrets are missing', () => {
    expect(render().notes).toContain('Peak Postgres connections: 2 web × 5 + 8 workers × 10 = 90');
    expect(render().notes).toContain('WARNING');
    expect(render({ valuesFiles: [PRODUCTION] }).notes).not.toContain('WARNING');
  });

  it.each([
    [['keda.minReplicaCount=0'], /minReplicaCount must be at least 1/],
    [['keda.trigger=cpu'], /keda.trigger must be redis or prometheus/],
    [['worker.databasePoolSize=4'], /databasePoolSize \(4\) must be at least worker.concurrency \(8\)/],
    [['worker.terminationGraceMarginSeconds=0'], /terminationGraceMarginSeconds must be at least 5/],
    [['config.queuePrefix={muninn}'], /queuePrefix must be non-empty and without braces/],
    [['keda.redis.cluster=true,keda.redis.databaseIndex=3'], /databaseIndex must be 0 with keda.redis.cluster/],
  ])('refuses %j', (set, error) => {
    expect(() => render({ set })).toThrow(error);
  });

  it('refuses numbers in config.extraEnv (Helm would print 1000000 as 1e+06)', () => {
    expect(() => render({ values: [{ config: { extraEnv: { MUNINN_MAX_PAYLOAD_BYTES: 1000000 } } }] })).toThrow(/must be a string.*1e\+06/);
  });

  it('is strict: a template reading a key missing from values fails instead of rendering empty', () => {
    expect(() => render({ values: [{ worker: { resources: null } }] })).toThrow(/no entry for key "resources"/);
  });
});

describe('contract with the app', () => {
  const read = (f: string) => readFileSync(join(REPO_ROOT, f), 'utf8');

  it.skipIf(!existsSync(join(REPO_ROOT, 'server/queue/queues.ts')))('watches the wait list of the queue the app uses, with the app’s default prefix', () => {
    const queues = read('server/queue/queues.ts');
    expect(queues).toMatch(/STEP_QUEUE = 'steps'/);
    expect(queues).toMatch(/`\{\$\{env\(\)\.MUNINN_QUEUE_PREFIX\}\}`/);
    const appDefault = /MUNINN_QUEUE_PREFIX: z\.string\(\)\.default\('([^']+)'\)/.exec(read('server/env.ts'))?.[1];
    const values = render().values as { config: { queuePrefix: string } };
    expect(values.config.queuePrefix).toBe(appDefault);
  });

  it.skipIf(!existsSync(join(REPO_ROOT, 'worker/index.ts')))('uses the worker’s env names, defaults and health paths', () => {
    const worker = read('worker/index.ts');
    const values = render().values as { worker: { drainSeconds: number; healthPort: number } };
    expect(worker).toContain(`process.env.WORKER_DRAIN_SECONDS ?? ${values.worker.drainSeconds}`);
    expect(worker).toContain(`process.env.WORKER_HEALTH_PORT ?? ${values.worker.healthPort}`);
    expect(worker).toContain(`'/healthz'`);
    expect(worker).toContain(`'/readyz'`);
    expect(worker).toMatch(/process\.on\('SIGTERM'/);
  });

  it.skipIf(!existsSync(join(REPO_ROOT, 'app/api/health/route.ts')))('has the web health route the probes call', () => {
    expect(read('app/api/health/route.ts')).toMatch(/export async function GET/);
  });
});

describe('committed renders (deploy/helm/rendered)', () => {
  it.each(COMMITTED_RENDERS.map((c) => [c.file, c] as const))('%s equals a fresh render', (file, c) => {
    const committed = readFileSync(join(REPO_ROOT, file), 'utf8');
    // Stale? Regenerate: npx tsx scripts/render-chart.ts --update-committed (line diff below)
    expect(committed.split('\n'), `${file} is stale`).toEqual(renderCommitted(c).split('\n'));
    const docs = parseAllDocuments(committed, { version: '1.1' });
    expect(Array.isArray(docs) && docs.every((d) => d.errors.length === 0)).toBe(true);
  });
});
