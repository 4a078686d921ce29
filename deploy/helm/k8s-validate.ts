/**
 * Validation of rendered manifests, for the chart tests (no cluster, no kubeconform here).
 *
 * 1. Built-in kinds: the JSON-schema validation of `kubernetes-models` (`new Deployment(o).validate()`).
 * 2. Unknown fields: those validators accept fields that do not exist (a misplaced
 *    `readOnlyRootFilesystem` at pod level, `readinessprobe`), which the API server drops or rejects.
 *    `unknownFields` walks the object along the TypeScript declarations that ship with
 *    kubernetes-models (the same OpenAPI schema) and reports every field the type does not declare.
 * 3. KEDA's CRDs are not in kubernetes-models: zod schemas of the fields we use, from KEDA's
 *    ScaledObject/TriggerAuthentication specification and its redis, redis-cluster and prometheus
 *    scaler pages. Strict: a field outside them is an error.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import ts from 'typescript';
import { z } from 'zod';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { HorizontalPodAutoscalerBehavior } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscalerBehavior';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

type Obj = Record<string, unknown>;
type ModelClass = new (data: never) => { validate(): void };

/** apiVersion/kind → kubernetes-models class. The chart renders only these built-in kinds. */
export const MODELS: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
};

// ---------------------------------------------------------------------------------------------
// Unknown fields, from kubernetes-models' .d.ts files

type Shape = { k: 'any' } | { k: 'array'; of: () => Shape } | { k: 'object'; props: Map<string, () => Shape>; values?: () => Shape };

const require = createRequire(import.meta.url);
const ANY: Shape = { k: 'any' };
const files = new Map<string, ts.SourceFile>();
const shapes = new Map<string, Shape>();

function sourceFile(path: string): ts.SourceFile {
  let sf = files.get(path);
  if (!sf) {
    sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, false);
    files.set(path, sf);
  }
  return sf;
}

/** The declaration file a module specifier of a .d.ts points to. */
function resolveDts(spec: string, fromFile: string): string {
  return require.resolve(spec, { paths: [dirname(fromFile)] }).replace(/\.m?js$/, '.d.ts');
}

/** The shape of the type exported (or declared) as `name` in `file`. */
function namedShape(file: string, name: string): Shape {
  const key = `${file}#${name}`;
  const cached = shapes.get(key);
  if (cached) return cached;
  const sf = sourceFile(file);
  let local = name;
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) if (el.name.text === name) local = (el.propertyName ?? el.name).text;
    }
  }
  // Placeholder first: declarations may refer to themselves (JSONSchemaProps).
  const shape: Shape = { k: 'object', props: new Map() };
  shapes.set(key, shape);
  for (const st of sf.statements) {
    if (ts.isInterfaceDeclaration(st) && st.name.text === local) {
      Object.assign(shape, membersShape(st.members, file));
      return shape;
    }
    if (ts.isTypeAliasDeclaration(st) && st.name.text === local) {
      const resolved = typeShape(st.type, file);
      shapes.set(key, resolved);
      return resolved;
    }
  }
  throw new Error(`type ${name} not found in ${file}`);
}

function membersShape(members: ts.NodeArray<ts.TypeElement>, file: string): Shape {
  const props = new Map<string, () => Shape>();
  let values: (() => Shape) | undefined;
  for (const m of members) {
    if (ts.isPropertySignature(m) && m.type) {
      const type = m.type;
      const name = ts.isStringLiteral(m.name) || ts.isIdentifier(m.name) ? m.name.text : m.name.getText();
      props.set(name, () => typeShape(type, file));
    } else if (ts.isIndexSignatureDeclaration(m)) {
      const type = m.type;
      values = () => typeShape(type, file);
    }
  }
  return { k: 'object', props, values };
}

function typeShape(node: ts.TypeNode, file: string): Shape {
  if (ts.isTypeLiteralNode(node)) return membersShape(node.members, file);
  if (ts.isArrayTypeNode(node)) return { k: 'array', of: () => typeShape(node.elementType, file) };
  if (ts.isParenthesizedTypeNode(node)) return typeShape(node.type, file);
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
    const name = node.typeName.text;
    const arg = node.typeArguments?.[0];
    if (name === 'Array' && arg) return { k: 'array', of: () => typeShape(arg, file) };
    const sf = sourceFile(file);
    for (const st of sf.statements) {
      if (!ts.isImportDeclaration(st) || !st.importClause?.namedBindings || !ts.isNamedImports(st.importClause.namedBindings)) continue;
      for (const el of st.importClause.namedBindings.elements) {
        if (el.name.text === name) {
          const spec = (st.moduleSpecifier as ts.StringLiteral).text;
          if (spec === '@kubernetes-models/base') return ANY;
          return namedShape(resolveDts(spec, file), (el.propertyName ?? el.name).text);
        }
      }
    }
    return namedShape(file, name);
  }
  return ANY; // keywords, literal unions (enums), int-or-string…
}

/** Fields of `obj` that its Kubernetes type does not declare, as JSON paths. */
export function unknownFields(obj: Obj): string[] {
  const [group, version] = String(obj.apiVersion).includes('/') ? String(obj.apiVersion).split('/') : ['', String(obj.apiVersion)];
  const dir = group ? `${group}/${version}` : `${version}`;
  const kind = String(obj.kind);
  const file = resolveDts(`kubernetes-models/${dir}/${kind}`, require.resolve('kubernetes-models/package.json'));
  return walk(obj, namedShape(file, `I${kind}`), '');
}

function walk(value: unknown, shape: Shape, path: string): string[] {
  if (shape.k === 'any' || value === null || value === undefined) return [];
  if (shape.k === 'array') return Array.isArray(value) ? value.flatMap((v, i) => walk(v, shape.of(), `${path}[${i}]`)) : [];
  if (typeof value !== 'object' || Array.isArray(value)) return [];
  const { props, values } = shape;
  return Object.entries(value as Obj).flatMap(([k, v]) => {
    const p = `${path}.${k}`;
    const prop = props.get(k);
    if (prop) return walk(v, prop(), p);
    if (values) return walk(v, values(), p);
    return [`${p}: unknown field`];
  });
}

// ---------------------------------------------------------------------------------------------
// KEDA

const dnsName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(63);
const intString = z.string().regex(/^[0-9]+$/, 'a non-negative integer as a string');
const boolString = z.enum(['true', 'false']);
const hostPort = z.string().regex(/^[^\s:,]+:[0-9]{1,5}$/, 'host:port');

const metadata = z
  .object({
    name: dnsName,
    namespace: dnsName,
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .strict();

/** HPA behavior inside a ScaledObject is Kubernetes' HorizontalPodAutoscalerBehavior. */
const hpaBehavior = z.custom<Obj>((v) => {
  if (typeof v !== 'object' || v === null) return false;
  new HorizontalPodAutoscalerBehavior(v as never).validate();
  return walk(v, namedShape(resolveDts('kubernetes-models/autoscaling/v2/HorizontalPodAutoscalerBehavior', require.resolve('kubernetes-models/package.json')), 'IHorizontalPodAutoscalerBehavior'), '').length === 0;
}, 'a valid HorizontalPodAutoscalerBehavior');

const authenticationRef = z
  .object({ name: dnsName, kind: z.enum(['TriggerAuthentication', 'ClusterTriggerAuthentication']).optional() })
  .strict();

const triggerCommon = {
  name: z.string().optional(),
  metricType: z.enum(['AverageValue', 'Value', 'Utilization']).optional(),
  useCachedMetrics: z.boolean().optional(),
  authenticationRef: authenticationRef.optional(),
};

const redisListMetadata = {
  listName: z.string().min(1),
  listLength: intString.refine((s) => Number(s) > 0, 'listLength must be > 0'),
  activationListLength: intString.optional(),
  enableTLS: boolString.optional(),
  unsafeSsl: boolString.optional(),
  usernameFromEnv: z.string().optional(),
  passwordFromEnv: z.string().optional(),
};

export const redisTrigger = z
  .object({
    type: z.literal('redis'),
    ...triggerCommon,
    metadata: z.object({ address: hostPort, databaseIndex: intString.optional(), ...redisListMetadata }).strict(),
  })
  .strict();

export const redisClusterTrigger = z
  .object({
    type: z.literal('redis-cluster'),
    ...triggerCommon,
    metadata: z.object({ addresses: z.string().regex(/^[^\s:,]+:[0-9]{1,5}(,[^\s:,]+:[0-9]{1,5})*$/), ...redisListMetadata }).strict(),
  })
  .strict();

export const prometheusTrigger = z
  .object({
    type: z.literal('prometheus'),
    ...triggerCommon,
    metadata: z
      .object({
        serverAddress: z.url(),
        query: z.string().min(1),
        threshold: z.string().regex(/^[0-9]+(\.[0-9]+)?$/),
        activationThreshold: z.string().regex(/^[0-9]+(\.[0-9]+)?$/).optional(),
        namespace: z.string().optional(),
        ignoreNullValues: boolString.optional(),
      })
      .strict(),
  })
  .strict();

export const scaledObjectSchema = z
  .object({
    apiVersion: z.literal('keda.sh/v1alpha1'),
    kind: z.literal('ScaledObject'),
    metadata,
    spec: z
      .object({
        scaleTargetRef: z
          .object({
            apiVersion: z.string().optional(),
            kind: z.string().optional(),
            name: dnsName,
            envSourceContainerName: z.string().optional(),
          })
          .strict(),
        pollingInterval: z.int().positive().optional(),
        cooldownPeriod: z.int().nonnegative().optional(),
        initialCooldownPeriod: z.int().nonnegative().optional(),
        idleReplicaCount: z.int().nonnegative().optional(),
        minReplicaCount: z.int().nonnegative().optional(),
        maxReplicaCount: z.int().positive().optional(),
        fallback: z
          .object({
            failureThreshold: z.int().positive(),
            replicas: z.int().nonnegative(),
            behavior: z.enum(['static', 'currentReplicas', 'currentReplicasIfHigher', 'currentReplicasIfLower']).optional(),
          })
          .strict()
          .optional(),
        advanced: z
          .object({
            restoreToOriginalReplicaCount: z.boolean().optional(),
            horizontalPodAutoscalerConfig: z.object({ name: z.string().optional(), behavior: hpaBehavior.optional() }).strict().optional(),
          })
          .strict()
          .optional(),
        triggers: z.array(z.discriminatedUnion('type', [redisTrigger, redisClusterTrigger, prometheusTrigger])).min(1),
      })
      .strict()
      .superRefine((spec, ctx) => {
        const min = spec.minReplicaCount ?? 0;
        const max = spec.maxReplicaCount ?? 100;
        if (min > max) ctx.addIssue({ code: 'custom', message: 'minReplicaCount > maxReplicaCount' });
        // KEDA accepts a fallback only for triggers whose metricType is AverageValue (the default).
        if (spec.fallback && spec.triggers.some((t) => (t.metricType ?? 'AverageValue') !== 'AverageValue')) {
          ctx.addIssue({ code: 'custom', message: 'fallback needs AverageValue triggers' });
        }
      }),
  })
  .strict();

export const triggerAuthenticationSchema = z
  .object({
    apiVersion: z.literal('keda.sh/v1alpha1'),
    kind: z.literal('TriggerAuthentication'),
    metadata,
    spec: z
      .object({
        secretTargetRef: z
          .array(z.object({ parameter: z.enum(['password', 'username', 'address', 'host', 'port', 'tls', 'ca', 'cert', 'key']), name: dnsName, key: z.string().min(1) }).strict())
          .min(1),
      })
      .strict(),
  })
  .strict();

// ---------------------------------------------------------------------------------------------

/** Every problem of one manifest: schema errors and unknown fields. Empty when valid. */
export function validateManifest(obj: Obj): string[] {
  const id = `${String(obj.apiVersion)}/${String(obj.kind)}`;
  if (id === 'keda.sh/v1alpha1/ScaledObject' || id === 'keda.sh/v1alpha1/TriggerAuthentication') {
    const schema = id.endsWith('ScaledObject') ? scaledObjectSchema : triggerAuthenticationSchema;
    const r = schema.safeParse(obj);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  }
  const Model = MODELS[id];
  if (!Model) return [`no schema for ${id}: add it to MODELS in deploy/helm/k8s-validate.ts`];
  const problems: string[] = [];
  try {
    new Model(obj as never).validate();
  } catch (e) {
    problems.push(e instanceof Error ? e.message : String(e));
  }
  return [...problems, ...unknownFields(obj)];
}
