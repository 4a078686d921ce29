import { z } from 'zod';
import { db } from '../../db';
import { AppError, notFound } from '../../errors';
import { Prisma } from '../../generated/prisma/client';
import { alertDelivery, assertDeliveryCredential, deliverAlert, type AlertDelivery } from './alert-delivery';

/**
 * Alert rules on flows, and their incidents.
 *
 * Kinds of condition:
 * - consecutive_failures { count }: the last `count` runs that ended (succeeded or failed) all
 *   failed. Healthy again once a run succeeds.
 * - error_rate { percent, windowMinutes, minRuns }: of the runs that ended in the last
 *   `windowMinutes`, more than `percent` % failed, counted once at least `minRuns` ended. Healthy
 *   again when the rate is at or below `percent` (or nothing ran in the window).
 * - no_success { periodMinutes }: no run has succeeded for `periodMinutes` (counted from the last
 *   success, or from when the rule was created or last changed). Healthy again after a success.
 *   A flow that is turned off is not watched.
 *
 * An incident opens when a rule's condition starts to hold and closes when it stops. A partial
 * unique index allows one open incident per rule: of two evaluators racing (two workers, or the
 * loop and a run that just ended), only the one whose INSERT wins sends the notice, so each rule
 * fires once per incident. Closing is a conditional UPDATE (…WHERE resolvedAt IS NULL), so the
 * "resolved" notice is sent once too. A notice that could not be delivered is retried by the
 * periodic pass (up to MAX_NOTIFY_ATTEMPTS) and its last error is shown on the incident.
 */

export const alertCondition = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('consecutive_failures'), count: z.number().int().min(1).max(100) }).strict(),
  z
    .object({
      kind: z.literal('error_rate'),
      percent: z.number().min(0).max(100),
      windowMinutes: z.number().int().min(1).max(43_200),
      minRuns: z.number().int().min(1).max(100_000).default(5),
    })
    .strict(),
  z.object({ kind: z.literal('no_success'), periodMinutes: z.number().int().min(1).max(43_200) }).strict(),
]);
export type AlertCondition = z.output<typeof alertCondition>;

const uuid = (what: string) => z.string().uuid(`That is not a valid ${what} id`);
const ruleName = z.string().trim().min(1, 'Give the rule a name').max(200, 'Keep the name under 200 characters');

export const createAlertRuleInput = z
  .object({ flowId: uuid('flow'), name: ruleName.optional(), condition: alertCondition, delivery: alertDelivery, enabled: z.boolean().default(true) })
  .strict();
export const updateAlertRuleInput = z
  .object({ id: uuid('rule'), name: ruleName.optional(), condition: alertCondition.optional(), delivery: alertDelivery.optional(), enabled: z.boolean().optional() })
  .strict();
export const listIncidentsInput = z
  .object({
    ruleId: uuid('rule').optional(),
    flowId: uuid('flow').optional(),
    state: z.enum(['open', 'resolved', 'all']).default('all'),
    limit: z.number().int().min(1).max(100).default(50),
    /** The id of the last incident of the previous page. */
    cursor: uuid('incident').nullish(),
    /** Sent by tRPC's infinite-query helper; pages only go forward. */
    direction: z.enum(['forward', 'backward']).optional(),
  })
  .strict();
export const testAlertInput = z.union([
  z.object({ ruleId: uuid('rule') }).strict(),
  z.object({ flowId: uuid('flow').optional(), delivery: alertDelivery }).strict(),
]);

export interface AlertRuleView {
  id: string;
  flowId: string;
  flowName: string;
  name: string;
  condition: AlertCondition;
  delivery: AlertDelivery;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** The open incident, if the rule is firing now. */
  openIncident: { id: string; openedAt: Date; summary: string } | null;
}

export interface AlertIncidentView {
  id: string;
  ruleId: string;
  ruleName: string;
  flowId: string;
  flowName: string;
  summary: string;
  openedAt: Date;
  resolvedAt: Date | null;
  resolvedSummary: string | null;
  /** When the "firing" notice went out (null: not delivered yet, see deliveryError). */
  notifiedAt: Date | null;
  resolveNotifiedAt: Date | null;
  deliveryError: string | null;
}

export function describeCondition(c: AlertCondition): string {
  switch (c.kind) {
    case 'consecutive_failures':
      return c.count === 1 ? 'A run fails' : `${c.count} runs fail in a row`;
    case 'error_rate':
      return `More than ${c.percent}% of runs fail within ${c.windowMinutes} min (at least ${c.minRuns} runs)`;
    case 'no_success':
      return `No successful run for ${c.periodMinutes} min`;
  }
}

const ruleInclude = {
  flow: { select: { name: true } },
  incidents: { where: { resolvedAt: null }, select: { id: true, openedAt: true, summary: true }, take: 1 },
} as const;

type RuleRow = Prisma.AlertRuleGetPayload<{ include: typeof ruleInclude }>;

function toView(r: RuleRow): AlertRuleView {
  const open = r.incidents[0];
  return {
    id: r.id,
    flowId: r.flowId,
    flowName: r.flow.name,
    name: r.name,
    condition: alertCondition.parse(r.condition),
    delivery: alertDelivery.parse(r.delivery),
    enabled: r.enabled,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    openIncident: open ? { id: open.id, openedAt: open.openedAt, summary: open.summary } : null,
  };
}

async function assertFlow(workspaceId: string, flowId: string): Promise<{ id: string; name: string }> {
  const flow = await db().flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true, name: true } });
  if (!flow) throw notFound('This flow');
  return flow;
}

async function findRule(workspaceId: string, id: string): Promise<RuleRow> {
  const rule = await db().alertRule.findFirst({ where: { id, workspaceId }, include: ruleInclude });
  if (!rule) throw notFound('This alert rule');
  return rule;
}

export async function listAlertRules(workspaceId: string, input: { flowId?: string } = {}): Promise<AlertRuleView[]> {
  const rows = await db().alertRule.findMany({
    where: { workspaceId, ...(input.flowId ? { flowId: input.flowId } : {}) },
    include: ruleInclude,
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toView);
}

export async function createAlertRule(workspaceId: string, raw: z.input<typeof createAlertRuleInput>): Promise<AlertRuleView> {
  const input = createAlertRuleInput.parse(raw);
  const flow = await assertFlow(workspaceId, input.flowId);
  await assertDeliveryCredential(workspaceId, input.delivery);
  const rule = await db().alertRule.create({
    data: {
      workspaceId,
      flowId: flow.id,
      name: input.name ?? describeCondition(input.condition),
      condition: input.condition as Prisma.InputJsonValue,
      delivery: input.delivery as Prisma.InputJsonValue,
      enabled: input.enabled,
    },
    include: ruleInclude,
  });
  return toView(rule);
}

/** A changed condition or a disabled rule closes its open incident without a notice. */
export async function updateAlertRule(workspaceId: string, raw: z.input<typeof updateAlertRuleInput>): Promise<AlertRuleView> {
  const input = updateAlertRuleInput.parse(raw);
  const rule = await findRule(workspaceId, input.id);
  if (input.delivery) await assertDeliveryCredential(workspaceId, input.delivery);
  const reset = (input.condition && JSON.stringify(input.condition) !== JSON.stringify(rule.condition)) || input.enabled === false;
  await db().$transaction(async (tx) => {
    await tx.alertRule.update({
      where: { id: rule.id },
      data: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.condition ? { condition: input.condition as Prisma.InputJsonValue } : {}),
        ...(input.delivery ? { delivery: input.delivery as Prisma.InputJsonValue } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      },
    });
    if (reset) {
      await tx.alertIncident.updateMany({
        where: { ruleId: rule.id, resolvedAt: null },
        data: { resolvedAt: new Date(), resolvedSummary: input.enabled === false ? 'The rule was turned off.' : 'The rule was changed.' },
      });
    }
  });
  return toView(await findRule(workspaceId, rule.id));
}

export async function deleteAlertRule(workspaceId: string, id: string): Promise<{ id: string }> {
  const rule = await findRule(workspaceId, id);
  await db().alertRule.delete({ where: { id: rule.id } });
  return { id: rule.id };
}

export async function listAlertIncidents(
  workspaceId: string,
  raw: z.input<typeof listIncidentsInput> = {},
): Promise<{ items: AlertIncidentView[]; nextCursor: string | null }> {
  const input = listIncidentsInput.parse(raw);
  let cursor: { openedAt: Date; id: string } | undefined;
  if (input.cursor) {
    const at = await db().alertIncident.findFirst({ where: { id: input.cursor, workspaceId }, select: { openedAt: true, id: true } });
    if (!at) throw new AppError('BAD_REQUEST', 'This list position is no longer valid. Start again from the first page.');
    cursor = at;
  }
  const rows = await db().alertIncident.findMany({
    where: {
      workspaceId,
      ...(input.ruleId ? { ruleId: input.ruleId } : {}),
      ...(input.flowId ? { flowId: input.flowId } : {}),
      ...(input.state === 'open' ? { resolvedAt: null } : input.state === 'resolved' ? { resolvedAt: { not: null } } : {}),
      ...(cursor ? { OR: [{ openedAt: { lt: cursor.openedAt } }, { openedAt: cursor.openedAt, id: { lt: cursor.id } }] } : {}),
    },
    orderBy: [{ openedAt: 'desc' }, { id: 'desc' }],
    take: input.limit + 1,
    include: { rule: { select: { name: true, flow: { select: { name: true } } } } },
  });
  const items = rows.slice(0, input.limit).map((r) => ({
    id: r.id,
    ruleId: r.ruleId,
    ruleName: r.rule.name,
    flowId: r.flowId,
    flowName: r.rule.flow.name,
    summary: r.summary,
    openedAt: r.openedAt,
    resolvedAt: r.resolvedAt,
    resolvedSummary: r.resolvedSummary,
    notifiedAt: r.notifiedAt,
    resolveNotifiedAt: r.resolveNotifiedAt,
    deliveryError: r.deliveryError,
  }));
  return { items, nextCursor: rows.length > input.limit ? (items[items.length - 1]?.id ?? null) : null };
}

/** Sends a sample notice through a saved rule's delivery, or through one being edited. */
export async function sendTestAlert(workspaceId: string, raw: z.input<typeof testAlertInput>): Promise<{ ok: boolean; error: string | null }> {
  const input = testAlertInput.parse(raw);
  let delivery: AlertDelivery;
  let ruleName = 'Test alert';
  let flow = { id: '', name: 'Your flow' };
  if ('ruleId' in input) {
    const rule = await findRule(workspaceId, input.ruleId);
    delivery = alertDelivery.parse(rule.delivery);
    ruleName = rule.name;
    flow = { id: rule.flowId, name: rule.flow.name };
  } else {
    delivery = input.delivery;
    if (input.flowId) flow = await assertFlow(workspaceId, input.flowId);
  }
  await assertDeliveryCredential(workspaceId, delivery);
  const result = await deliverAlert(workspaceId, delivery, {
    kind: 'test',
    ruleName,
    flowId: flow.id,
    flowName: flow.name,
    summary: 'This is a test of the alert delivery. When the rule fires you get a message like this one.',
    at: new Date(),
    noticeId: `test-${Date.now()}`,
  });
  return result.ok ? { ok: true, error: null } : { ok: false, error: result.error };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export const MAX_NOTIFY_ATTEMPTS = 5;
/** The evaluator that opened an incident delivers at once; the periodic retry waits this long. */
const RETRY_AFTER_MS = 60_000;

type Verdict = { state: 'firing'; summary: string } | { state: 'healthy'; summary: string } | { state: 'unknown' };

interface EvalRule {
  id: string;
  workspaceId: string;
  flowId: string;
  condition: AlertCondition;
  updatedAt: Date;
  flowActive: boolean;
}

function ts(d: Date): Prisma.Sql {
  return Prisma.sql`${d.toISOString().slice(0, 23).replace('T', ' ')}::timestamp`;
}

async function judge(rule: EvalRule, now: Date): Promise<Verdict> {
  const c = rule.condition;
  if (c.kind === 'consecutive_failures') {
    const last = await db().$queryRaw<Array<{ status: string; error: string | null }>>`
      SELECT status::text AS status, error FROM "Run"
       WHERE "flowId" = ${rule.flowId}::uuid AND status IN ('succeeded', 'failed') AND "finishedAt" IS NOT NULL AND "finishedAt" <= ${ts(now)}
       ORDER BY "finishedAt" DESC LIMIT ${c.count}`;
    if (last.length === c.count && last.every((r) => r.status === 'failed')) {
      const error = last[0]?.error ? ` The last error: ${last[0].error.slice(0, 500)}` : '';
      return { state: 'firing', summary: `${c.count === 1 ? 'A run failed.' : `${c.count} runs in a row failed.`}${error}` };
    }
    if (last[0]?.status === 'succeeded') return { state: 'healthy', summary: 'A run succeeded again.' };
    return last.length ? { state: 'unknown' } : { state: 'healthy', summary: 'No run has ended yet.' };
  }
  if (c.kind === 'error_rate') {
    const since = new Date(now.getTime() - c.windowMinutes * 60_000);
    const [row] = await db().$queryRaw<Array<{ failed: number; total: number }>>`
      SELECT count(*) FILTER (WHERE status = 'failed')::int AS failed, count(*)::int AS total FROM "Run"
       WHERE "flowId" = ${rule.flowId}::uuid AND status IN ('succeeded', 'failed') AND "finishedAt" > ${ts(since)} AND "finishedAt" <= ${ts(now)}`;
    const { failed = 0, total = 0 } = row ?? {};
    if (total === 0) return { state: 'healthy', summary: `No run ended in the last ${c.windowMinutes} min.` };
    const rate = (100 * failed) / total;
    const text = `${failed} of ${total} runs (${rate.toFixed(rate < 10 ? 1 : 0)}%) failed in the last ${c.windowMinutes} min`;
    if (rate > c.percent) return total >= c.minRuns ? { state: 'firing', summary: `${text}; the limit is ${c.percent}%.` } : { state: 'unknown' };
    return { state: 'healthy', summary: `${text}, within the limit of ${c.percent}%.` };
  }
  if (!rule.flowActive) return { state: 'healthy', summary: 'The flow was turned off.' };
  const [row] = await db().$queryRaw<Array<{ at: Date | null }>>`
    SELECT max("finishedAt") AS at FROM "Run"
     WHERE "flowId" = ${rule.flowId}::uuid AND status = 'succeeded' AND "finishedAt" <= ${ts(now)}`;
  const lastSuccess = row?.at ? new Date(row.at) : null;
  const since = lastSuccess && lastSuccess > rule.updatedAt ? lastSuccess : rule.updatedAt;
  const quietMinutes = Math.floor((now.getTime() - since.getTime()) / 60_000);
  if (now.getTime() - since.getTime() > c.periodMinutes * 60_000) {
    return {
      state: 'firing',
      summary: lastSuccess
        ? `No run has succeeded for ${quietMinutes} min (the last success: ${lastSuccess.toISOString()}).`
        : `No run has succeeded in the ${quietMinutes} min since this rule was set up.`,
    };
  }
  return { state: 'healthy', summary: lastSuccess ? `A run succeeded at ${lastSuccess.toISOString()}.` : 'Waiting for the first successful run.' };
}

export interface EvaluationResult {
  evaluated: number;
  fired: number;
  resolved: number;
  /** Notices sent (firing, resolved and retried). */
  notified: number;
  failedDeliveries: number;
}

interface NoticeTarget {
  incidentId: string;
  workspaceId: string;
  flowId: string;
  flowName: string;
  ruleName: string;
  delivery: unknown;
}

async function notify(target: NoticeTarget, kind: 'firing' | 'resolved', summary: string, at: Date, result: EvaluationResult): Promise<void> {
  const parsed = alertDelivery.safeParse(target.delivery);
  const outcome = parsed.success
    ? await deliverAlert(target.workspaceId, parsed.data, {
        kind,
        ruleName: target.ruleName,
        flowId: target.flowId,
        flowName: target.flowName,
        summary,
        at,
        noticeId: `${target.incidentId}:${kind}`,
      })
    : { ok: false as const, error: 'The delivery settings of this rule are not valid any more; edit the rule.' };
  if (outcome.ok) {
    result.notified++;
    await db().alertIncident.update({
      where: { id: target.incidentId },
      data: { ...(kind === 'firing' ? { notifiedAt: new Date() } : { resolveNotifiedAt: new Date() }), deliveryError: null, notifyAttempts: { increment: 1 } },
    });
  } else {
    result.failedDeliveries++;
    await db().alertIncident.update({
      where: { id: target.incidentId },
      data: { deliveryError: outcome.error.slice(0, 2_000), notifyAttempts: { increment: 1 } },
    });
  }
}

function isUniqueViolation(e: unknown): boolean {
  return e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002';
}

/**
 * Evaluates enabled rules (all, or those of `flowIds`) as of `now`, opening and closing
 * incidents and sending their notices. With `retryDeliveries`, notices that failed earlier are
 * sent again (the periodic pass does this; the per-run evaluation does not).
 */
export async function evaluateAlerts(opts: { flowIds?: string[]; now?: Date; retryDeliveries?: boolean; workspaceId?: string } = {}): Promise<EvaluationResult> {
  const now = opts.now ?? new Date();
  const result: EvaluationResult = { evaluated: 0, fired: 0, resolved: 0, notified: 0, failedDeliveries: 0 };
  if (opts.flowIds && opts.flowIds.length === 0) return result;
  const rules = await db().alertRule.findMany({
    where: { enabled: true, ...(opts.flowIds ? { flowId: { in: opts.flowIds } } : {}), ...(opts.workspaceId ? { workspaceId: opts.workspaceId } : {}) },
    include: { flow: { select: { name: true, active: true } }, incidents: { where: { resolvedAt: null }, take: 1 } },
  });
  for (const rule of rules) {
    const condition = alertCondition.safeParse(rule.condition);
    if (!condition.success) continue;
    result.evaluated++;
    const verdict = await judge(
      { id: rule.id, workspaceId: rule.workspaceId, flowId: rule.flowId, condition: condition.data, updatedAt: rule.updatedAt, flowActive: rule.flow.active },
      now,
    );
    const open = rule.incidents[0];
    const target = (incidentId: string): NoticeTarget => ({
      incidentId,
      workspaceId: rule.workspaceId,
      flowId: rule.flowId,
      flowName: rule.flow.name,
      ruleName: rule.name,
      delivery: rule.delivery,
    });
    if (verdict.state === 'firing' && !open) {
      let created: { id: string } | null = null;
      try {
        created = await db().alertIncident.create({
          data: { workspaceId: rule.workspaceId, ruleId: rule.id, flowId: rule.flowId, summary: verdict.summary, openedAt: now },
          select: { id: true },
        });
      } catch (e) {
        if (!isUniqueViolation(e)) throw e; // another evaluator opened it first: it notifies
      }
      if (created) {
        result.fired++;
        await notify(target(created.id), 'firing', verdict.summary, now, result);
      }
    } else if (verdict.state === 'healthy' && open) {
      const closed = await db().alertIncident.updateMany({
        where: { id: open.id, resolvedAt: null },
        data: { resolvedAt: now, resolvedSummary: verdict.summary },
      });
      if (closed.count === 1) {
        result.resolved++;
        // Nobody was told it fired: no need to tell them it is over.
        if (open.notifiedAt) await notify(target(open.id), 'resolved', verdict.summary, now, result);
      }
    }
  }
  if (opts.retryDeliveries) await retryDeliveries(now, result, opts.workspaceId);
  return result;
}

/** Notices that failed to go out: try again, a few times, oldest first. */
async function retryDeliveries(now: Date, result: EvaluationResult, workspaceId?: string): Promise<void> {
  const before = new Date(now.getTime() - RETRY_AFTER_MS);
  const pending = await db().alertIncident.findMany({
    where: {
      ...(workspaceId ? { workspaceId } : {}),
      notifyAttempts: { lt: MAX_NOTIFY_ATTEMPTS },
      deliveryError: { not: null },
      OR: [
        { notifiedAt: null, resolvedAt: null, openedAt: { lt: before } },
        { notifiedAt: { not: null }, resolvedAt: { not: null, lt: before }, resolveNotifiedAt: null },
      ],
    },
    include: { rule: { select: { name: true, delivery: true, flow: { select: { name: true } } } } },
    orderBy: { openedAt: 'asc' },
    take: 50,
  });
  for (const i of pending) {
    const target: NoticeTarget = { incidentId: i.id, workspaceId: i.workspaceId, flowId: i.flowId, flowName: i.rule.flow.name, ruleName: i.rule.name, delivery: i.rule.delivery };
    if (i.resolvedAt) await notify(target, 'resolved', i.resolvedSummary ?? 'Healthy again.', i.resolvedAt, result);
    else await notify(target, 'firing', i.summary, i.openedAt, result);
  }
}
