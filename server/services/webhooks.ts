import { db } from '../db';
import { AppError, notFound } from '../errors';
import { webhookAgent } from '../agents/webhook';
import { parseJsonBody } from '../api/rest';
import { credentialsFor } from './credentials';
import { loadFlowVersion } from './flows';
import { startRun } from './runs';
import { deliveryIdOf, verifyHmacSha256, verifyStandardWebhook } from './webhook-signature';

export interface WebhookAnswer {
  status: number;
  body: unknown;
}

/**
 * A request to a webhook address: checks the flow is active and the signature (if the node asks
 * for one), then starts one run per delivery. With "respond with output" it waits for the chosen
 * node's first output event and answers with it.
 */
export async function receiveWebhook(token: string, headers: Headers, rawBody: string): Promise<WebhookAnswer> {
  const route = await db().webhookRoute.findUnique({ where: { token }, select: { workspaceId: true, flowId: true, nodeId: true } });
  if (!route) throw notFound('This webhook address');
  const flow = await db().flow.findFirst({ where: { id: route.flowId, workspaceId: route.workspaceId, active: true }, select: { version: true } });
  if (!flow) throw notFound('This webhook address');
  const graph = await loadFlowVersion(route.flowId, flow.version);
  const node = graph.nodes.find((n) => n.id === route.nodeId);
  const parsed = webhookAgent.options.safeParse(node?.options ?? {});
  if (!node || !parsed.success) throw notFound('This webhook address');
  const options = parsed.data;

  let deliveryId = deliveryIdOf(headers);
  if (options.signature !== 'none') {
    if (!options.secret) throw new AppError('FORBIDDEN', 'This webhook checks signatures, but no signing secret is chosen in its settings.');
    const { data } = await credentialsFor(route.workspaceId).get(options.secret);
    const secret = data.secret ?? '';
    if (options.signature === 'standard_webhooks') deliveryId = `webhook-id:${verifyStandardWebhook(secret, headers, rawBody)}`;
    else verifyHmacSha256(secret, headers, rawBody);
  }

  const payload = parseJsonBody(rawBody);
  const { runId, duplicate } = await startRun(route.workspaceId, {
    flowId: route.flowId,
    triggerKind: 'webhook',
    nodeId: route.nodeId,
    payload,
    requireActive: true,
    ...(deliveryId ? { dedupKey: deliveryId } : {}),
  });
  if (options.respond === 'immediately' || !options.responseNode) {
    return { status: duplicate ? 200 : 202, body: duplicate ? { runId, duplicate: true } : { runId } };
  }
  return waitForOutput(runId, options.responseNode, options.responseTimeoutSeconds * 1000);
}

async function waitForOutput(runId: string, nodeId: string, timeoutMs: number): Promise<WebhookAnswer> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 20; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
    const step = await db().nodeRun.findFirst({
      where: { runId, nodeId, status: { in: ['succeeded', 'failed'] } },
      select: { status: true, error: true, outputs: { select: { payload: true }, take: 1, orderBy: { createdAt: 'asc' } } },
    });
    if (step?.status === 'succeeded') return { status: 200, body: step.outputs[0]?.payload ?? {} };
    if (step?.status === 'failed') return { status: 502, body: { runId, error: step.error } };
    const run = await db().run.findUnique({ where: { id: runId }, select: { status: true, error: true } });
    if (run && ['failed', 'cancelled', 'succeeded'].includes(run.status)) {
      // The node may have finished between the two reads: look once more before saying it never answered.
      const last = await db().nodeRun.findFirst({
        where: { runId, nodeId, status: 'succeeded' },
        select: { outputs: { select: { payload: true }, take: 1, orderBy: { createdAt: 'asc' } } },
      });
      if (last) return { status: 200, body: last.outputs[0]?.payload ?? {} };
      return { status: run.status === 'succeeded' ? 204 : 502, body: { runId, status: run.status, error: run.error } };
    }
    await new Promise((r) => setTimeout(r, delay));
  }
  return { status: 504, body: { runId, error: `The flow did not answer within ${Math.round(timeoutMs / 1000)} seconds; the run goes on.` } };
}
