import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@/server/testing/test-db';
import { startTestServer, type TestServer } from '@/server/testing/http-server';
import { waitFor } from '@/server/testing/worker-process';
import { testContext } from '@/server/testing/auth-context';
import { createCaller } from '@/server/api/root';
import { resetEnvCache } from '@/server/env';
import { createCredential } from '@/server/services/credentials';
import { closeAgentHttp } from '@/server/engine/safe-http';
import type { RunStatus } from '@/server/generated/prisma/client';
import { startMaintenance, stopMaintenance } from '@/worker/maintenance';
import { evaluateAlerts } from './alerts';
import { publishRunChange } from './events';
import { closeMonitoringRedis } from './redis';

let tdb: TestDatabase;
let ws: string;
let other: string;
let slack: TestServer;
let slackStatus = 200;
let smtp: SMTPServer;
const mails: Array<{ to: string[]; raw: string }> = [];
let slackCred: string;
let brokenSlackCred: string;
let smtpCred: string;
let foreignCred: string;

const caller = () => createCaller(testContext(ws, { role: 'builder' }));
const minute = 60_000;

beforeAll(async () => {
  tdb = await createTestDatabase('alerts');
  Object.assign(process.env, { DATABASE_URL: tdb.url, MUNINN_QUEUE_PREFIX: testQueuePrefix('alerts'), MUNINN_ALLOWED_HOSTS: '127.0.0.1' });
  resetEnvCache();
  ws = (await tdb.db.workspace.create({ data: { name: 'Mine', slug: 'mine' } })).id;
  other = (await tdb.db.workspace.create({ data: { name: 'Other', slug: 'other' } })).id;

  slack = await startTestServer((req, res) => {
    if (req.url === '/broken') return void res.writeHead(slackStatus, { 'content-type': 'text/plain' }).end(slackStatus === 200 ? 'ok' : 'service_unavailable');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  slackCred = (await createCredential(ws, { type: 'slack_webhook', name: 'Ops channel', data: { webhookUrl: `${slack.url}/hook` } })).id;
  brokenSlackCred = (await createCredential(ws, { type: 'slack_webhook', name: 'Flaky channel', data: { webhookUrl: `${slack.url}/broken` } })).id;
  smtpCred = (await createCredential(ws, { type: 'smtp', name: 'Mail', data: { host: '127.0.0.1', port: smtpPort, secure: false, from: 'Muninn <robot@example.com>' } })).id;
  foreignCred = (await createCredential(other, { type: 'slack_webhook', name: 'Theirs', data: { webhookUrl: `${slack.url}/theirs` } })).id;
});

afterAll(async () => {
  await stopMaintenance();
  await closeMonitoringRedis();
  await closeAgentHttp();
  await slack?.close();
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  await tdb?.drop();
});

async function newFlow(name: string, workspaceId = ws): Promise<string> {
  return (await tdb.db.flow.create({ data: { workspaceId, name, graph: { nodes: [], edges: [] } } })).id;
}

/** A run that ended `agoMs` before `at`. */
async function ended(flowId: string, status: RunStatus, at: Date, agoMs = 0, error = 'Step "Fetch" failed: 500'): Promise<string> {
  const finishedAt = new Date(at.getTime() - agoMs);
  const run = await tdb.db.run.create({
    data: {
      workspaceId: ws,
      flowId,
      flowVersion: 1,
      status,
      triggerKind: 'webhook',
      triggerNodeId: 'hook',
      error: status === 'failed' ? error : null,
      createdAt: new Date(finishedAt.getTime() - 2_000),
      startedAt: new Date(finishedAt.getTime() - 1_900),
      finishedAt,
    },
  });
  return run.id;
}

/** Subject and text of a received mail (MIME encoded-words and quoted-printable undone). */
function readMail(raw: string): { subject: string; text: string } {
  const [head = '', ...rest] = raw.split('\r\n\r\n');
  const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
  const qBytes = (s: string) => Buffer.from(s.replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  const subjectLine = /^Subject: (.*)$/m.exec(unfolded)?.[1] ?? '';
  const subject = subjectLine.replace(/=\?UTF-8\?Q\?([^?]*)\?=\s*/gi, (_, w: string) => qBytes(w.replace(/_/g, ' '))).trim();
  const text = qBytes(rest.join('\r\n\r\n').replace(/=\r\n/g, ''));
  return { subject, text };
}

const slackTexts = (path = '/hook') => slack.requests.filter((r) => r.url === path).map((r) => (JSON.parse(r.body) as { text: string }).text);

describe('alert rules', () => {
  it('fires once when N runs fail in a row, and resolves after a success', async () => {
    const flowId = await newFlow('Order sync');
    const rule = await caller().monitoring.createAlertRule({
      flowId,
      condition: { kind: 'consecutive_failures', count: 3 },
      delivery: { channel: 'slack', credentialId: slackCred },
    });
    expect(rule).toMatchObject({ name: '3 runs fail in a row', enabled: true, openIncident: null, flowName: 'Order sync' });
    let t = new Date();
    const evaluate = () => evaluateAlerts({ now: t, workspaceId: ws });

    await ended(flowId, 'succeeded', t, 5 * minute);
    await ended(flowId, 'failed', t, 4 * minute);
    await ended(flowId, 'failed', t, 3 * minute);
    expect(await evaluate()).toMatchObject({ fired: 0, resolved: 0 });

    await ended(flowId, 'failed', t, 2 * minute, 'Step "Fetch" failed: GET api.example.com answered 503');
    // Two evaluators at once (two workers, or the loop and a run that just ended): one notice.
    const [a, b] = await Promise.all([evaluate(), evaluate()]);
    expect(a.fired + b.fired).toBe(1);
    expect(slackTexts()).toHaveLength(1);
    expect(slackTexts()[0]).toContain('[Muninn] Alert: 3 runs fail in a row — Order sync');
    expect(slackTexts()[0]).toContain('3 runs in a row failed. The last error: Step "Fetch" failed: GET api.example.com answered 503');

    // Still failing: the same incident, no second notice.
    await ended(flowId, 'failed', t, 1 * minute);
    expect(await evaluate()).toMatchObject({ fired: 0, resolved: 0 });
    expect(slackTexts()).toHaveLength(1);
    const firing = await caller().monitoring.alertRules({ flowId });
    expect(firing[0]!.openIncident?.summary).toMatch(/3 runs in a row failed/);

    t = new Date(t.getTime() + minute);
    await ended(flowId, 'succeeded', t, 10_000);
    expect(await evaluate()).toMatchObject({ fired: 0, resolved: 1 });
    expect(slackTexts()).toHaveLength(2);
    expect(slackTexts()[1]).toContain('[Muninn] Resolved: 3 runs fail in a row — Order sync');
    expect(slackTexts()[1]).toContain('A run succeeded again.');
    expect(await evaluate()).toMatchObject({ fired: 0, resolved: 0 });

    // A new streak of failures is a new incident, announced again.
    t = new Date(t.getTime() + 5 * minute);
    for (let i = 3; i > 0; i--) await ended(flowId, 'failed', t, i * 1_000);
    expect(await evaluate()).toMatchObject({ fired: 1 });
    expect(slackTexts()).toHaveLength(3);

    const history = await caller().monitoring.alertIncidents({ ruleId: rule.id });
    expect(history.items).toHaveLength(2);
    expect(history.items[0]).toMatchObject({ ruleName: '3 runs fail in a row', flowName: 'Order sync', resolvedAt: null, deliveryError: null });
    expect(history.items[0]!.notifiedAt).toBeInstanceOf(Date);
    expect(history.items[1]).toMatchObject({ resolvedSummary: 'A run succeeded again.' });
    expect(history.items[1]!.resolveNotifiedAt).toBeInstanceOf(Date);
    expect((await caller().monitoring.alertIncidents({ ruleId: rule.id, state: 'open' })).items).toHaveLength(1);
    const page1 = await caller().monitoring.alertIncidents({ ruleId: rule.id, limit: 1 });
    const page2 = await caller().monitoring.alertIncidents({ ruleId: rule.id, limit: 1, cursor: page1.nextCursor });
    expect([...page1.items, ...page2.items].map((i) => i.id)).toEqual(history.items.map((i) => i.id));
    await caller().monitoring.updateAlertRule({ id: rule.id, enabled: false });
  });

  it('fires once when the error rate over a window is too high, by e-mail, and resolves', async () => {
    const flowId = await newFlow('Invoices');
    const rule = await caller().monitoring.createAlertRule({
      flowId,
      name: 'Invoices failing',
      condition: { kind: 'error_rate', percent: 50, windowMinutes: 10, minRuns: 4 },
      delivery: { channel: 'email', credentialId: smtpCred, to: 'ops@example.com, Lead <lead@example.com>' },
    });
    const t = new Date();
    const evaluate = () => evaluateAlerts({ now: t, workspaceId: ws });
    // Outside the window: ignored.
    for (let i = 0; i < 5; i++) await ended(flowId, 'failed', t, 20 * minute + i);
    await ended(flowId, 'failed', t, 3 * minute);
    await ended(flowId, 'succeeded', t, 2 * minute);
    expect(await evaluate()).toMatchObject({ fired: 0 }); // 1 of 2: too few runs, and not above 50%
    await ended(flowId, 'failed', t, 90_000);
    await ended(flowId, 'failed', t, 60_000);
    expect(await evaluate()).toMatchObject({ fired: 1 }); // 3 of 4 = 75%
    expect(await evaluate()).toMatchObject({ fired: 0 });
    await waitFor(async () => mails.length === 1, { what: 'the alert e-mail' });
    expect(mails[0]!.to).toEqual(['ops@example.com', 'lead@example.com']);
    expect(readMail(mails[0]!.raw).subject).toBe('[Muninn] Alert: Invoices failing — Invoices');
    expect(readMail(mails[0]!.raw).text).toContain('3 of 4 runs (75%) failed in the last 10 min; the limit is 50%.');

    for (let i = 0; i < 4; i++) await ended(flowId, 'succeeded', t, 30_000 + i);
    expect(await evaluate()).toMatchObject({ resolved: 1 }); // 3 of 8 = 37.5%
    await waitFor(async () => mails.length === 2, { what: 'the resolved e-mail' });
    expect(readMail(mails[1]!.raw).subject).toBe('[Muninn] Resolved: Invoices failing — Invoices');
    await caller().monitoring.updateAlertRule({ id: rule.id, enabled: false });
  });

  it('fires once when no run succeeds for a period, and resolves after a success', async () => {
    const flowId = await newFlow('Nightly export');
    const rule = await caller().monitoring.createAlertRule({
      flowId,
      condition: { kind: 'no_success', periodMinutes: 5 },
      delivery: { channel: 'slack', credentialId: slackCred },
    });
    const created = (await tdb.db.alertRule.findUniqueOrThrow({ where: { id: rule.id } })).updatedAt;
    const at = (m: number) => new Date(created.getTime() + m * minute);
    expect(await evaluateAlerts({ now: at(1), workspaceId: ws })).toMatchObject({ fired: 0 });
    await ended(flowId, 'failed', at(4));
    const before = slackTexts().length;
    expect(await evaluateAlerts({ now: at(6), workspaceId: ws })).toMatchObject({ fired: 1 });
    expect(await evaluateAlerts({ now: at(7), workspaceId: ws })).toMatchObject({ fired: 0 });
    expect(slackTexts().slice(before)).toHaveLength(1);
    expect(slackTexts().at(-1)).toMatch(/No run has succeeded in the \d+ min since this rule was set up/);
    await ended(flowId, 'succeeded', at(8), 0);
    expect(await evaluateAlerts({ now: at(8.5), workspaceId: ws })).toMatchObject({ resolved: 1 });
    expect(slackTexts().slice(before)).toHaveLength(2);
    await caller().monitoring.updateAlertRule({ id: rule.id, enabled: false });
  });

  it('keeps an undelivered notice, shows the error, and delivers it on a later pass', async () => {
    const flowId = await newFlow('Flaky');
    const rule = await caller().monitoring.createAlertRule({
      flowId,
      condition: { kind: 'consecutive_failures', count: 1 },
      delivery: { channel: 'slack', credentialId: brokenSlackCred },
    });
    slackStatus = 503;
    const t = new Date();
    await ended(flowId, 'failed', t, 1_000);
    expect(await evaluateAlerts({ now: t, workspaceId: ws })).toMatchObject({ fired: 1, failedDeliveries: 1 });
    const [incident] = (await caller().monitoring.alertIncidents({ ruleId: rule.id })).items;
    expect(incident).toMatchObject({ notifiedAt: null });
    expect(incident!.deliveryError).toMatch(/Slack had a temporary problem/);

    slackStatus = 200;
    // Not yet: the periodic pass leaves a minute to the evaluator that opened it.
    expect(await evaluateAlerts({ now: t, workspaceId: ws, retryDeliveries: true })).toMatchObject({ notified: 0 });
    expect(await evaluateAlerts({ now: new Date(t.getTime() + 2 * minute), workspaceId: ws, retryDeliveries: true })).toMatchObject({ notified: 1, fired: 0 });
    const [after] = (await caller().monitoring.alertIncidents({ ruleId: rule.id })).items;
    expect(after).toMatchObject({ deliveryError: null });
    expect(after!.notifiedAt).toBeInstanceOf(Date);
    expect(slackTexts('/broken').filter((x) => x.includes('Alert:'))).toHaveLength(2); // the failed try and the retry
    await caller().monitoring.updateAlertRule({ id: rule.id, enabled: false });
  });

  it('sends test alerts and checks every id against the workspace', async () => {
    const flowId = await newFlow('Tested');
    const mailsBefore = mails.length;
    expect(await caller().monitoring.sendTestAlert({ flowId, delivery: { channel: 'email', credentialId: smtpCred, to: 'me@example.com' } })).toEqual({ ok: true, error: null });
    await waitFor(async () => mails.length === mailsBefore + 1, { what: 'the test e-mail' });
    expect(readMail(mails.at(-1)!.raw).subject).toBe('[Muninn] Test alert: Test alert — Tested');
    expect(readMail(mails.at(-1)!.raw).text).toContain('This is a test of the alert delivery.');

    const rule = await caller().monitoring.createAlertRule({ flowId, condition: { kind: 'consecutive_failures', count: 2 }, delivery: { channel: 'slack', credentialId: slackCred } });
    expect(await caller().monitoring.sendTestAlert({ ruleId: rule.id })).toEqual({ ok: true, error: null });
    expect(slackTexts().at(-1)).toContain('[Muninn] Test alert: 2 runs fail in a row — Tested');

    const theirFlow = await newFlow('Theirs', other);
    const theirs = createCaller(testContext(other, { role: 'builder' }));
    await expect(theirs.monitoring.sendTestAlert({ ruleId: rule.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(theirs.monitoring.updateAlertRule({ id: rule.id, enabled: false })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(theirs.monitoring.deleteAlertRule({ id: rule.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await theirs.monitoring.alertRules({})).toEqual([]);
    expect((await theirs.monitoring.alertIncidents({})).items).toEqual([]);
    await expect(
      theirs.monitoring.createAlertRule({ flowId, condition: { kind: 'consecutive_failures', count: 1 }, delivery: { channel: 'slack', credentialId: foreignCred } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Our credential from their workspace: refused.
    await expect(
      theirs.monitoring.createAlertRule({ flowId: theirFlow, condition: { kind: 'consecutive_failures', count: 1 }, delivery: { channel: 'slack', credentialId: slackCred } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/The chosen credential was not found/) });
    // A credential of the wrong kind for the channel.
    await expect(
      caller().monitoring.createAlertRule({ flowId, condition: { kind: 'consecutive_failures', count: 1 }, delivery: { channel: 'email', credentialId: slackCred, to: 'a@b.co' } }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const viewer = createCaller(testContext(ws, { role: 'viewer' }));
    await expect(viewer.monitoring.deleteAlertRule({ id: rule.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await caller().monitoring.deleteAlertRule({ id: rule.id })).toEqual({ id: rule.id });
  });

  it('is evaluated by the worker right after a run ends', async () => {
    const flowId = await newFlow('Watched');
    await caller().monitoring.createAlertRule({ flowId, name: 'Any failure', condition: { kind: 'consecutive_failures', count: 1 }, delivery: { channel: 'slack', credentialId: slackCred } });
    startMaintenance({ workerId: 'alerts-test', heartbeatMs: 60_000, alertsMs: 3_600_000, retentionMs: 3_600_000, dirtyFlowsMs: 100 });
    const before = slackTexts().length;
    const runId = await ended(flowId, 'failed', new Date(), 0, 'Boom');
    // What the worker does after committing a step: announce it. The flow is marked for alerts.
    await publishRunChange(runId);
    await waitFor(async () => slackTexts().length > before, { what: 'the alert after the run', timeoutMs: 10_000 });
    expect(slackTexts().at(-1)).toContain('[Muninn] Alert: Any failure — Watched');
    expect(slackTexts().at(-1)).toContain('A run failed. The last error: Boom');
    await stopMaintenance();
  });
});
