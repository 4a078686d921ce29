import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { startWorker, waitFor, type WorkerHandle } from '@/server/testing/worker-process';
import { startJiraDouble, type JiraDouble } from '@/server/testing/doubles/jira';
import { startMavenlinkDouble, type MavenlinkDouble } from '@/server/testing/doubles/mavenlink';
import { setDb } from '@/server/db';
import { resetEnvCache } from '@/server/env';
import { closeQueues } from '@/server/queue/queues';
import { closeScheduleQueue } from '@/server/services/schedules';
import { forgetDefaultWorkspace, defaultWorkspaceId } from '@/server/services/workspaces';
import { createCredential } from '@/server/services/credentials';
import { importFlow, setFlowActive } from '@/server/services/flows';
import { getRun, startRun } from '@/server/services/runs';
import type { JsonValue } from '@/server/agents/define-agent';
import { LinkStore } from '@/server/integrations/sync/store';

/**
 * The flagship use case end to end: the two-way JIRA ⇄ Mavenlink template installed into a real
 * database, executed by real worker processes, against local doubles of both APIs.
 */

const ISSUES = 50;
let tdb: TestDatabase;
let worker: WorkerHandle;
let jira: JiraDouble;
let ml: MavenlinkDouble;
let ws: string;
let flowId: string;
let workspaceId: string;
let workerEnv: Record<string, string>;

beforeAll(async () => {
  tdb = await createTestDatabase('jiramavenlink');
  workerEnv = {
    DATABASE_URL: tdb.url,
    MUNINN_QUEUE_PREFIX: testQueuePrefix('jiramavenlink'),
    MUNINN_ALLOWED_HOSTS: '127.0.0.1',
    MUNINN_ENCRYPTION_KEY: `v1:${randomBytes(32).toString('base64')}`,
  };
  Object.assign(process.env, workerEnv);
  resetEnvCache();
  setDb(tdb.db);
  forgetDefaultWorkspace();
  ws = await defaultWorkspaceId();
  [jira, ml] = await Promise.all([startJiraDouble({ timeZone: 'Europe/Berlin' }), startMavenlinkDouble()]);
  worker = startWorker(workerEnv);
});

afterAll(async () => {
  if (flowId) await setFlowActive(ws, flowId, false).catch(() => undefined);
  const code = await worker?.stop('SIGTERM');
  expect(code, worker?.output()).toBe(0);
  await closeQueues();
  await closeScheduleQueue();
  await Promise.all([jira?.close(), ml?.close()]);
  await tdb?.drop();
});

// ---- installing the template: the placeholder convention, applied by hand ----

type Values = { credentials: Record<string, string>; inputs: Record<string, JsonValue> };

/** "$credential:x" and "$input:x" as whole values take the value; "$input:x" inside text becomes text. */
function substitute(value: JsonValue, values: Values): JsonValue {
  if (typeof value === 'string') {
    const cred = /^\$credential:([a-z][a-z0-9_]*)$/.exec(value);
    if (cred) return values.credentials[cred[1]!]!;
    const whole = /^\$input:([a-z][a-z0-9_]*)$/.exec(value);
    if (whole) return values.inputs[whole[1]!]!;
    return value.replace(/\$input:([a-z][a-z0-9_]*)/g, (_, n: string) => String(values.inputs[n]));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, values)]));
  return value;
}

async function installTwoWayTemplate(): Promise<string> {
  const file = path.resolve(import.meta.dirname, '../server/templates/catalog/jira-mavenlink-two-way.json');
  const tpl = JSON.parse(readFileSync(file, 'utf8')) as { name: string; summary: string; nodes: JsonValue; edges: JsonValue };
  const jiraCred = await createCredential(ws, { type: 'jira_cloud', name: 'Acme JIRA', data: { baseUrl: jira.url, email: jira.email, apiToken: jira.apiToken } });
  const mlCred = await createCredential(ws, { type: 'mavenlink', name: 'Acme Mavenlink', data: { baseUrl: ml.url, token: ml.token } });
  const values: Values = { credentials: { jira: jiraCred.id, mavenlink: mlCred.id }, inputs: { jql: 'project = OPS', workspace_id: workspaceId } };
  const { id } = await importFlow(ws, { name: tpl.name, description: tpl.summary, nodes: substitute(tpl.nodes, values), edges: substitute(tpl.edges, values) });
  return id;
}

// ---- running ----

async function settled(runId: string) {
  const run = await waitFor(
    async () => {
      const r = await getRun(ws, runId);
      return r.status === 'succeeded' || r.status === 'failed' ? r : null;
    },
    { what: `run ${runId} to finish`, timeoutMs: 120_000, intervalMs: 200 },
  );
  // A schedule tick may have started a run of its own; let it finish too.
  await waitFor(async () => (await tdb.db.run.count({ where: { flowId: run.flowId, status: { in: ['queued', 'running'] } } })) === 0, {
    what: 'other runs of the flow to finish',
    timeoutMs: 120_000,
    intervalMs: 200,
  });
  return run;
}

/** One press of Run: one poll-and-sync pass. */
async function runOnce() {
  const { runId } = await startRun(ws, { flowId, triggerKind: 'manual', nodeId: 'run_now' });
  const run = await settled(runId);
  expect(run.status, run.error ?? '').toBe('succeeded');
  return run;
}

const storyOf = (key: string) => ml.stories(workspaceId).find((s) => String(s.title).startsWith(`${key}:`));
const counts = () => ({
  mlCreates: ml.writes({ kind: 'create', resource: 'stories' }).length,
  mlUpdates: ml.writes({ kind: 'update', resource: 'stories' }).length,
  jiraWrites: jira.writes().length,
});

describe('JIRA ⇄ Mavenlink two-way template on real workers', () => {
  it(
    'creates 50 stories once, survives re-polls and a worker restart, and syncs status changes each way once',
    async () => {
      workspaceId = String(ml.seedWorkspace({ title: 'Acme rollout' }).id);
      const issues = Array.from({ length: ISSUES }, (_, i) => jira.seedIssue({ summary: `Rollout task ${i + 1}` }));
      flowId = await installTwoWayTemplate();

      // 1. One manual run: every issue gets its story.
      await runOnce();
      const stories = ml.stories(workspaceId);
      expect(stories).toHaveLength(ISSUES);
      expect(new Set(stories.map((s) => s.title)).size).toBe(ISSUES);
      for (const issue of issues) expect(storyOf(issue.key)).toMatchObject({ title: `${issue.key}: ${issue.fields.summary}`, state: 'not started', story_type: 'task' });
      expect(counts()).toEqual({ mlCreates: ISSUES, mlUpdates: 0, jiraWrites: 0 });
      const memory = await tdb.db.agentMemory.findFirstOrThrow({ where: { flowId, nodeId: 'sync' } });
      expect(new LinkStore(memory.data as JsonValue).size).toBe(ISSUES);

      // 2. Polling again (the stories Muninn created now show up as Mavenlink changes): no writes.
      await runOnce();
      await runOnce();
      expect(counts()).toEqual({ mlCreates: ISSUES, mlUpdates: 0, jiraWrites: 0 });

      // 3. A new worker process continues from the saved memory: still nothing to do.
      expect(await worker.stop('SIGTERM'), worker.output()).toBe(0);
      worker = startWorker(workerEnv);
      await runOnce();
      expect(ml.stories(workspaceId)).toHaveLength(ISSUES);
      expect(counts()).toEqual({ mlCreates: ISSUES, mlUpdates: 0, jiraWrites: 0 });

      // 4. People change 5 statuses on each side; JIRA search lags and Mavenlink rate-limits a little.
      const before = counts();
      const doneInJira = issues.slice(0, 5);
      const startedInMl = issues.slice(10, 15);
      await new Promise((r) => setTimeout(r, 1_100)); // a new second on Mavenlink's clock
      for (const i of doneInJira) jira.humanTransition(i.key, 'Done');
      for (const i of startedInMl) ml.humanUpdateStory(String(storyOf(i.key)!.id), { state: 'started' });
      jira.searchLag(500);
      ml.rateLimit(2, 1);

      const converged = () =>
        doneInJira.every((i) => storyOf(i.key)?.state === 'completed') &&
        startedInMl.every((i) => (jira.issue(i.key)!.fields.status as { name: string }).name === 'In Progress');
      for (let pass = 0; pass < 5 && !converged(); pass++) {
        await runOnce();
        if (!converged()) await new Promise((r) => setTimeout(r, 600));
      }
      expect(converged()).toBe(true);
      // Two more passes read back what Muninn wrote: recognised as echoes, nothing is written.
      await new Promise((r) => setTimeout(r, 600));
      await runOnce();
      await runOnce();

      const after = counts();
      expect(after.mlCreates - before.mlCreates).toBe(0);
      expect(after.mlUpdates - before.mlUpdates).toBe(5);
      for (const i of doneInJira) expect(ml.writes({ kind: 'update', id: String(storyOf(i.key)!.id) })).toHaveLength(1);
      expect(after.jiraWrites - before.jiraWrites).toBe(5);
      for (const i of startedInMl) expect(jira.writes({ key: i.key }).map((w) => w.kind)).toEqual(['transition']);
      // Nothing else moved.
      for (const i of issues.slice(20)) {
        expect(storyOf(i.key)!.state).toBe('not started');
        expect((jira.issue(i.key)!.fields.status as { name: string }).name).toBe('To Do');
      }
    },
    300_000,
  );

  it('a refused token fails the run in plain words, and no secret is stored in events, logs or errors', async () => {
    const wrongToken = `ATATT-wrong-canary-${randomBytes(6).toString('hex')}`;
    const broken = await createCredential(ws, { type: 'jira_cloud', name: 'Broken JIRA', data: { baseUrl: jira.url, email: jira.email, apiToken: wrongToken } });
    const { id } = await importFlow(ws, {
      name: 'Broken poll',
      nodes: [
        { id: 'go', type: 'manual', options: {} },
        { id: 'poll', type: 'jira', label: 'Poll JIRA', options: { action: 'poll', credential: broken.id, jql: 'project = OPS' } },
      ],
      edges: [{ source: 'go', target: 'poll' }],
    });
    const { runId } = await startRun(ws, { flowId: id, triggerKind: 'manual', nodeId: 'go' });
    const run = await settled(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toBe("Step \"Poll JIRA\" failed: JIRA refused the token (401). Check the credential 'Broken JIRA'.");
    expect(run.steps.find((s) => s.nodeId === 'poll')?.attempt).toBe(1);

    const secrets = [
      jira.apiToken,
      ml.token,
      wrongToken,
      Buffer.from(`${jira.email}:${jira.apiToken}`).toString('base64'),
      Buffer.from(`${jira.email}:${wrongToken}`).toString('base64'),
    ];
    const stored = JSON.stringify({
      events: await tdb.db.event.findMany({ select: { payload: true } }),
      nodeRuns: await tdb.db.nodeRun.findMany({ select: { logs: true, error: true, attempts: true } }),
      runs: await tdb.db.run.findMany({ select: { error: true } }),
      memory: await tdb.db.agentMemory.findMany({ select: { data: true } }),
    });
    expect(stored.length).toBeGreaterThan(10_000); // the canary looked at real data
    for (const s of secrets) expect(stored.includes(s), `a secret leaked into the database`).toBe(false);
  });
});
