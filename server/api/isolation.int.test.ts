// Tenant isolation, proven on every procedure and every public API route: a member (owner) of
// workspace B calls each one with workspace A's ids and must get "not found"/"forbidden" (or an
// empty list), and no id, name or secret of A may appear anywhere in any answer.
//
// Procedures are enumerated from appRouter._def.procedures and routes from app/api/v1/**/route.ts,
// so a new procedure or route is tested automatically. Inputs are built by field name from the
// table `byField` below; procedures whose input cannot be built that way get a recipe in
// `recipes`. A procedure with neither FAILS this test: add a recipe when you add a procedure.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import superjson from 'superjson';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { resetEnvCache } from '@/server/env';
import { closeQueues } from '@/server/queue/queues';
import { forgetDefaultWorkspace } from '@/server/services/workspaces';
import { appRouter, createCaller } from './root';
import { createContext, type Access } from './trpc';
import { createSession } from '../auth/sessions';
import { hashPassword } from '../auth/passwords';
import { atLeast, type Role } from '../auth/roles';
import { createFlow } from '../services/flows';
import { startRun } from '../services/runs';
import { createCredential } from '../services/credentials';
import { publishTemplate } from '../services/templates';
import { createApiToken } from '../services/api-tokens';
import { inviteMember } from '../services/members';
import { createAlertRule } from '../services/monitoring/alerts';
import { setRetentionPolicy } from '../services/monitoring/retention';
import { runAs } from '../services/audit';

let tdb: TestDatabase;
const stamp = Date.now().toString(36);
const mark = (what: string) => `zz${what}${stamp}`;

/** Everything of workspace A that B must never see. */
const A = {
  workspaceId: '',
  workspaceName: mark('AlphaWorkspace'),
  ownerId: '',
  ownerEmail: `${mark('alphaowner')}@example.com`,
  memberId: '',
  memberEmail: `${mark('alphamember')}@example.com`,
  flowId: '',
  flowName: mark('AlphaFlow'),
  runId: '',
  nodeRunId: '',
  eventSecret: mark('EventPayloadSecret'),
  credentialId: '',
  credentialName: mark('AlphaSlack'),
  credentialSecret: `https://hooks.slack.com/services/T000/B000/${mark('SlackSecret')}`,
  templateSlug: mark('alpha-template').toLowerCase(),
  templateName: mark('AlphaTemplate'),
  tokenId: '',
  tokenName: mark('AlphaToken'),
  token: '',
  invitationId: '',
  invitationEmail: `${mark('invitee')}@example.com`,
  invitationToken: '',
  ruleId: '',
  ruleName: mark('AlphaRule'),
};
const B = { workspaceId: '', userId: '', email: `${mark('bravo')}@example.com`, cookie: '', apiToken: '' };

async function makeUser(email: string): Promise<string> {
  const user = await tdb.db.user.create({ data: { email, name: email.split('@')[0]!, passwordHash: await hashPassword('correct horse battery') } });
  return user.id;
}

beforeAll(async () => {
  tdb = await createTestDatabase('isolation');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: testQueuePrefix('isolation') });
  delete process.env.MUNINN_API_TOKEN;
  resetEnvCache();
  forgetDefaultWorkspace();

  // Workspace A, with one of everything.
  A.ownerId = await makeUser(A.ownerEmail);
  A.memberId = await makeUser(A.memberEmail);
  const wsA = await tdb.db.workspace.create({
    data: { name: A.workspaceName, slug: mark('alpha').toLowerCase(), memberships: { create: [{ userId: A.ownerId, role: 'owner' }, { userId: A.memberId, role: 'viewer' }] } },
  });
  A.workspaceId = wsA.id;
  await runAs({ userId: A.ownerId, label: A.ownerEmail }, async () => {
    A.credentialId = (await createCredential(A.workspaceId, { type: 'slack_webhook', name: A.credentialName, data: { webhookUrl: A.credentialSecret } })).id;
    A.flowId = (
      await createFlow(A.workspaceId, {
        name: A.flowName,
        graph: {
          nodes: [
            { id: 'start', type: 'manual', options: {} },
            { id: 'tell', type: 'slack', options: { credential: A.credentialId, text: 'Hello' } },
          ],
          edges: [{ source: 'start', target: 'tell' }],
        },
      })
    ).id;
    A.runId = (await startRun(A.workspaceId, { flowId: A.flowId, triggerKind: 'manual', payload: { note: A.eventSecret } })).runId;
    const trigger = await tdb.db.event.findFirstOrThrow({ where: { runId: A.runId } });
    A.nodeRunId = (
      await tdb.db.nodeRun.create({
        data: { workspaceId: A.workspaceId, runId: A.runId, nodeId: 'start', agentType: 'manual', inputEventId: trigger.id, status: 'failed', error: A.eventSecret, startedAt: new Date(), finishedAt: new Date() },
      })
    ).id;
    await tdb.db.run.update({ where: { id: A.runId }, data: { status: 'failed', finishedAt: new Date(), startedAt: new Date() } });
    await publishTemplate(A.workspaceId, { flowId: A.flowId, slug: A.templateSlug, name: A.templateName, category: 'General', visibility: 'workspace' });
    const token = await createApiToken(A.workspaceId, { userId: A.ownerId, role: 'owner' }, { name: A.tokenName, role: 'admin' });
    A.tokenId = token.id;
    A.token = token.token;
    const invitation = await inviteMember(A.workspaceId, { userId: A.ownerId, role: 'owner' }, { email: A.invitationEmail, role: 'builder' }, 'http://localhost');
    A.invitationId = invitation.id;
    A.invitationToken = invitation.link.split('/invite/')[1]!;
    A.ruleId = (await createAlertRule(A.workspaceId, { flowId: A.flowId, name: A.ruleName, condition: { kind: 'consecutive_failures', count: 2 }, delivery: { channel: 'slack', credentialId: A.credentialId } })).id;
    await setRetentionPolicy(A.workspaceId, { flowId: A.flowId, keepDays: 9, keepFailedDays: null, maxPayloadBytes: null });
  });

  // Workspace B: its owner is the caller.
  B.userId = await makeUser(B.email);
  B.workspaceId = (await tdb.db.workspace.create({ data: { name: 'Bravo', slug: mark('bravo').toLowerCase(), memberships: { create: { userId: B.userId, role: 'owner' } } } })).id;
  B.cookie = (await createSession(B.userId)).token;
  B.apiToken = (await createApiToken(B.workspaceId, { userId: B.userId, role: 'owner' }, { name: 'Bravo admin', role: 'admin' })).token;
}, 120_000);

afterAll(async () => {
  await closeQueues();
  await tdb.drop();
});

/** Values of A that must not appear in any answer to B. */
function secretsOfA(): string[] {
  return [
    A.workspaceId, A.workspaceName, A.ownerId, A.ownerEmail, A.memberId, A.memberEmail, A.flowId, A.flowName, A.runId, A.nodeRunId, A.eventSecret,
    A.credentialId, A.credentialName, mark('SlackSecret'), A.templateSlug, A.templateName, A.tokenId, A.tokenName, A.token, A.invitationId,
    A.invitationEmail, A.invitationToken, A.ruleId, A.ruleName,
  ];
}

/** Input values by field name. An id of A wherever the field names something that belongs to a workspace. */
function byField(router: string): Record<string, unknown> {
  const idOf: Record<string, string> = {
    flows: A.flowId,
    runs: A.runId,
    credentials: A.credentialId,
    tokens: A.tokenId,
    workspaces: A.invitationId,
    monitoring: A.ruleId,
  };
  return {
    id: idOf[router],
    flowId: A.flowId,
    flowIds: [A.flowId],
    runId: A.runId,
    ruleId: A.ruleId,
    credentialId: A.credentialId,
    userId: A.memberId,
    workspaceId: A.workspaceId,
    slug: A.templateSlug,
    // B does not know A's invitation token; holding it is what an invitation means.
    token: 'not-an-invitation-token',
    nodeId: 'start',
    name: 'Probe from B',
    active: false,
    baseVersion: 1,
    graph: { nodes: [{ id: 'start', type: 'manual', options: {} }], edges: [] },
    role: 'viewer',
    email: `probe-${stamp}@example.com`,
    target: A.flowId,
    credentials: { slack: A.credentialId, slack_webhook: A.credentialId },
    inputs: {},
  };
}

type Recipe = unknown[];
/** Procedures whose input is not built from `byField`: one or more inputs each. */
const recipes: Record<string, Recipe> = {
  'flows.import': [{ name: 'Probe import', nodes: [{ id: 'tell', type: 'slack', options: { credential: A.credentialId, text: 'x' } }], edges: [] }],
  'flows.version': [{ id: A.flowId, version: 1 }],
  'flows.setConcurrency': [
    { id: A.flowId, maxConcurrentRuns: 1 },
    { id: A.flowId, maxConcurrentRuns: null },
  ],
  // Checks a flow's shape without reading or writing any workspace's data.
  'flows.checkImport': [{ name: 'Probe check', nodes: [{ id: 'start', type: 'manual', options: {} }], edges: [] }],
  'flows.testNode': [
    { flowId: A.flowId, node: { id: 'start', type: 'manual', options: {} }, event: {} },
    { node: { id: 'tell', type: 'slack', options: { credential: A.credentialId, text: 'x' } }, event: {} },
  ],
  'credentials.update': [{ id: A.credentialId, name: 'taken over' }],
  'credentials.create': [{ type: 'slack_webhook', name: 'Probe', data: { webhookUrl: 'https://hooks.slack.com/services/T1/B1/probe' } }],
  'monitoring.setRetention': [{ flowId: A.flowId, keepDays: 1, keepFailedDays: null, maxPayloadBytes: null }],
  'monitoring.createAlertRule': [
    { flowId: A.flowId, name: 'Probe', condition: { kind: 'consecutive_failures', count: 1 }, delivery: { channel: 'slack', credentialId: A.credentialId } },
  ],
  'monitoring.updateAlertRule': [{ id: A.ruleId, enabled: false }],
  'monitoring.sendTestAlert': [{ ruleId: A.ruleId }, { delivery: { channel: 'slack', credentialId: A.credentialId } }],
  'monitoring.stats': [{ flowId: A.flowId, range: '24h' }],
  'monitoring.alertIncidents': [{ ruleId: A.ruleId }, { flowId: A.flowId }],
  'templates.install': [
    { slug: A.templateSlug, credentials: {}, inputs: {} },
    // A template everyone sees, with A's credential: the credential must not be found.
    { slug: 'weekday-standup-reminder', credentials: { slack: A.credentialId }, inputs: {} },
  ],
  'templates.publish': [{ flowId: A.flowId, name: 'Probe', category: 'General', visibility: 'workspace' }],
  'templates.importHuginn': [{ scenario: { name: 'Probe', agents: [], links: [] }, credentials: { slack_webhook: A.credentialId } }],
  'templates.list': [undefined, { search: A.templateName }],
  'audit.list': [{ target: A.flowId }, {}],
  // The name is a guard against slips, not an id: a wrong one is refused and nothing happens.
  'workspaces.delete': [{ confirmName: 'not the name of this workspace' }],
  'account.changePassword': [{ currentPassword: 'wrong', newPassword: 'another long password' }],
};

interface ProcedureDef {
  type: 'query' | 'mutation' | 'subscription';
  meta?: { access?: Access; legacy?: boolean };
  inputs: Array<{ _zod?: { def?: { type?: string; shape?: Record<string, { _zod?: { optin?: string } }>; innerType?: { _zod?: { def?: { shape?: Record<string, unknown> } } } } } }>;
}

function procedures(): Array<[string, ProcedureDef]> {
  const all = (appRouter._def as unknown as { procedures: Record<string, { _def: ProcedureDef }> }).procedures;
  return Object.entries(all).map(([p, proc]) => [p, proc._def]);
}

/** Field names of an object input, and which are required. */
function fieldsOf(def: ProcedureDef): { required: string[]; optional: string[] } | null {
  const schema = def.inputs[0];
  if (!schema) return { required: [], optional: [] };
  const zdef = schema._zod?.def;
  const shape = (zdef?.shape ?? zdef?.innerType?._zod?.def?.shape) as Record<string, { _zod?: { optin?: string } }> | undefined;
  if (!shape) return null;
  // `optin` is "optional" for .optional() and .default() fields (zod 4); defaulted ones need no value either.
  const required = Object.entries(shape).filter(([, s]) => s._zod?.optin !== 'optional' && (s._zod as { def?: { type?: string } })?.def?.type !== 'default').map(([k]) => k);
  const optional = Object.keys(shape).filter((k) => !required.includes(k));
  return { required, optional };
}

/** The inputs to try for one procedure, or an explanation of why none can be built. */
function inputsFor(pathName: string, def: ProcedureDef): { inputs: Recipe } | { missing: string } {
  if (recipes[pathName]) return { inputs: recipes[pathName]! };
  const fields = fieldsOf(def);
  if (!fields) return { missing: `its input is not an object of named fields` };
  if (fields.required.length === 0 && fields.optional.length === 0) return { inputs: [undefined] };
  const values = byField(pathName.split('.')[0]!);
  const unknown = fields.required.filter((f) => values[f] === undefined);
  if (unknown.length) return { missing: `no value for required field(s) ${unknown.join(', ')}` };
  const input: Record<string, unknown> = {};
  for (const f of [...fields.required, ...fields.optional]) if (values[f] !== undefined) input[f] = values[f];
  return { inputs: [input] };
}

function mentionsA(input: unknown): boolean {
  const text = JSON.stringify(input ?? null);
  return secretsOfA().some((s) => text.includes(s));
}

function leaks(answer: unknown): string[] {
  const text = JSON.stringify(superjson.serialize(answer).json);
  return secretsOfA().filter((s) => text.includes(s));
}

function isEmptyList(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (value && typeof value === 'object' && 'items' in value) return Array.isArray((value as { items: unknown }).items) && (value as { items: unknown[] }).items.length === 0;
  return false;
}

async function callAsB(pathName: string, kind: string, input: unknown, role?: Role) {
  const ctx = await createContext({ headers: new Headers({ cookie: `muninn_session=${B.cookie}` }) });
  expect(ctx).toMatchObject({ workspaceId: B.workspaceId, role: 'owner' });
  const caller = createCaller(role ? { ...ctx, role } : ctx) as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>;
  const [ns, name] = pathName.split('.') as [string, string];
  void kind;
  try {
    return { ok: true as const, value: await caller[ns]![name]!(input) };
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    return { ok: false as const, code: e.code, message: e.message, cause: e.cause };
  }
}

describe('tenant isolation: every tRPC procedure', () => {
  it('declares who may call it, with a procedure builder (not the deprecated workspaceProcedure)', () => {
    const problems = procedures()
      .filter(([, def]) => !def.meta?.access || def.meta.legacy)
      .map(([p, def]) => `${p}: ${def.meta?.legacy ? 'uses workspaceProcedure; use viewerProcedure for reads, builderProcedure for changes, adminProcedure for people and tokens' : 'has no access level; build it from a procedure builder in server/api/trpc.ts'}`);
    expect(problems).toEqual([]);
  });

  it('never lets a viewer change anything (mutations need builder or more, with listed exceptions)', () => {
    const selfService = new Set(['workspaces.leave', 'workspaces.create', 'workspaces.switch', 'workspaces.acceptInvitation', 'account.changePassword']);
    const loose = procedures()
      .filter(([p, def]) => def.type === 'mutation' && !selfService.has(p) && !atLeast(def.meta?.access as Role, 'builder'))
      .map(([p, def]) => `${p} (${def.meta?.access})`);
    expect(loose).toEqual([]);
  });

  it('has an input recipe for every procedure', () => {
    const missing = procedures()
      .map(([p, def]) => [p, inputsFor(p, def)] as const)
      .filter(([, r]) => 'missing' in r)
      .map(([p, r]) => `${p}: ${(r as { missing: string }).missing}. Add a recipe in server/api/isolation.int.test.ts.`);
    expect(missing).toEqual([]);
  });

  it("answers B's owner with not found / forbidden (or nothing) for A's ids, and never shows A's data", async () => {
    const failures: string[] = [];
    const before = await snapshotA();
    for (const [p, def] of procedures()) {
      const r = inputsFor(p, def);
      if ('missing' in r) continue;
      for (const input of r.inputs) {
        const answer = await callAsB(p, def.type, input);
        const where = `${p}(${JSON.stringify(input)?.slice(0, 120)})`;
        const leaked = leaks(answer.ok ? answer.value : { message: answer.message, code: answer.code, issues: (answer.cause as { issues?: unknown })?.issues });
        if (leaked.length) failures.push(`${where} leaked ${leaked.join(', ')}`);
        if (!answer.ok) {
          if (answer.code === 'BAD_REQUEST' && /^Some values are not valid/.test(answer.message)) {
            failures.push(`${where}: the recipe does not fit the input (${answer.message}); fix it so the scoping is really tested`);
          } else if (mentionsA(input) && !['NOT_FOUND', 'FORBIDDEN'].includes(answer.code) && !(answer.code === 'BAD_REQUEST' && /not found|another workspace/i.test(answer.message))) {
            failures.push(`${where}: expected NOT_FOUND or FORBIDDEN, got ${answer.code}: ${answer.message}`);
          }
        } else if (mentionsA(input) && !isEmptyList(answer.value) && def.type === 'query') {
          failures.push(`${where}: a query with A's ids answered with data: ${JSON.stringify(superjson.serialize(answer.value).json).slice(0, 200)}`);
        } else if (mentionsA(input) && def.type === 'mutation') {
          failures.push(`${where}: a mutation with A's ids succeeded`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshotA()).toEqual(before);
  }, 120_000);

  it('refuses each procedure to a member whose role is one below what it needs', async () => {
    const below: Record<Role, Role | null> = { viewer: null, builder: 'viewer', admin: 'builder', owner: 'admin' };
    const wrong: string[] = [];
    for (const [p, def] of procedures()) {
      const access = def.meta?.access;
      if (!access || access === 'public' || access === 'signedIn') continue;
      const role = below[access];
      if (!role) continue;
      // The role check runs before input validation, so any input shows it.
      const answer = await callAsB(p, def.type, {}, role);
      if (answer.ok || answer.code !== 'FORBIDDEN') wrong.push(`${p} as ${role}: ${answer.ok ? 'allowed' : answer.code}`);
    }
    expect(wrong).toEqual([]);
  }, 60_000);
});

/** Rows of A that B's calls must not have changed. */
async function snapshotA() {
  const [flow, credential, members, token, rule, invitation, template, retention] = await Promise.all([
    tdb.db.flow.findUnique({ where: { id: A.flowId }, select: { name: true, version: true, active: true, graph: true } }),
    tdb.db.credential.findUnique({ where: { id: A.credentialId }, select: { name: true, ciphertext: true } }),
    tdb.db.membership.findMany({ where: { workspaceId: A.workspaceId }, select: { userId: true, role: true }, orderBy: { userId: 'asc' } }),
    tdb.db.apiToken.findUnique({ where: { id: A.tokenId }, select: { revokedAt: true } }),
    tdb.db.alertRule.findUnique({ where: { id: A.ruleId }, select: { enabled: true, name: true } }),
    tdb.db.invitation.findUnique({ where: { id: A.invitationId }, select: { acceptedAt: true } }),
    tdb.db.template.findUnique({ where: { slug: A.templateSlug }, select: { version: true, installCount: true } }),
    tdb.db.retentionPolicy.findMany({ where: { workspaceId: A.workspaceId }, select: { keepDays: true } }),
  ]);
  const runs = await tdb.db.run.findMany({ where: { workspaceId: A.workspaceId }, select: { id: true, status: true } });
  const flows = await tdb.db.flow.count({ where: { workspaceId: A.workspaceId } });
  return { flow, credential, members, token, rule, invitation, template, retention, runs, flows };
}

// ------------------------------------------------------------------------------------------------

const V1_DIR = path.join(process.cwd(), 'app/api/v1');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

async function routeFiles(dir = V1_DIR): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await routeFiles(full)));
    else if (entry.name === 'route.ts') out.push(full);
  }
  return out.sort();
}

/** Dynamic segments: [id] under flows/ is A's flow, under runs/ A's run; [slug] A's template. */
function paramValue(segment: string, parent: string): string | undefined {
  if (segment === 'id') return ({ flows: A.flowId, runs: A.runId, credentials: A.credentialId } as Record<string, string>)[parent];
  if (segment === 'slug') return A.templateSlug;
  return undefined;
}

/** Request bodies by route (path with [params]) and method. */
const bodies: Record<string, unknown> = {
  'POST /api/v1/flows': { name: 'Probe', nodes: [{ id: 'tell', type: 'slack', options: { credential: A.credentialId, text: 'x' } }], edges: [] },
  'POST /api/v1/flows/[id]/runs': { hello: 'world' },
  'POST /api/v1/flows/import/huginn': { scenario: { name: 'Probe', agents: [], links: [] }, credentials: { slack_webhook: A.credentialId } },
  'POST /api/v1/credentials': { type: 'slack_webhook', name: 'Probe', data: { webhookUrl: 'https://hooks.slack.com/services/T1/B1/probe' } },
  'POST /api/v1/templates/[slug]/install': { credentials: {}, inputs: {} },
};

describe('tenant isolation: every /api/v1 route', () => {
  it("answers B's token with 404/403 for A's ids, and never shows A's data", async () => {
    const files = await routeFiles();
    expect(files.length).toBeGreaterThan(3);
    const failures: string[] = [];
    const before = await snapshotA();
    for (const file of files) {
      const rel = path.relative(V1_DIR, path.dirname(file)).split(path.sep).filter(Boolean);
      const route = `/api/v1${rel.length ? '/' + rel.join('/') : ''}`;
      const params: Record<string, string> = {};
      const urlParts: string[] = [];
      let unknownParam: string | null = null;
      rel.forEach((segment, i) => {
        const m = /^\[(\w+)\]$/.exec(segment);
        if (!m) return urlParts.push(segment);
        const value = paramValue(m[1]!, rel[i - 1] ?? '');
        if (value === undefined) unknownParam = segment;
        params[m[1]!] = value ?? '';
        urlParts.push(value ?? '');
      });
      if (unknownParam) {
        failures.push(`${route}: no value for ${unknownParam}; add it to paramValue() in server/api/isolation.int.test.ts`);
        continue;
      }
      const mod = (await import(file)) as Record<string, unknown>;
      for (const method of METHODS) {
        const handler = mod[method] as ((req: Request, ctx: { params: Promise<unknown> }) => Promise<Response>) | undefined;
        if (!handler) continue;
        const key = `${method} ${route}`;
        if (method !== 'GET' && !(key in bodies)) {
          failures.push(`${key}: no request body recipe; add one to \`bodies\` in server/api/isolation.int.test.ts`);
          continue;
        }
        const url = `http://localhost/api/v1/${urlParts.join('/')}`;
        const req = new Request(url, {
          method,
          headers: { authorization: `Bearer ${B.apiToken}`, 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : JSON.stringify(bodies[key]),
        });
        const res = await handler(req, { params: Promise.resolve(params) });
        const text = await res.text();
        const leaked = secretsOfA().filter((s) => text.includes(s));
        if (leaked.length) failures.push(`${key} leaked ${leaked.join(', ')}`);
        const refersToA = Object.keys(params).length > 0 || mentionsA(bodies[key]);
        if (refersToA && ![403, 404].includes(res.status) && !(res.status === 400 && /not found|another workspace/i.test(text))) {
          failures.push(`${key}: expected 404 or 403, got ${res.status}: ${text.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshotA()).toEqual(before);
  }, 120_000);

  it("A's own token still works (the probes were refused because of scoping, not because the routes are broken)", async () => {
    const { GET } = await import('@/app/api/v1/flows/[id]/route');
    const res = await GET(new Request(`http://localhost/api/v1/flows/${A.flowId}`, { headers: { authorization: `Bearer ${A.token}` } }), { params: Promise.resolve({ id: A.flowId }) });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(A.flowName);
  });
});
