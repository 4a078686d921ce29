import { db } from '../db';
import { AppError, notFound } from '../errors';
import { webhookAgent } from '../agents/webhook';
import { parseJsonBody } from '../api/rest';
import { credentialsFor } from './credentials';
import { rememberBounded } from '../engine/bounded-map';
import { compiledVersion } from './steps';
import { currentFlowVersion, startRun, StaleFlowError } from './runs';
import { deliveryIdOf, verifyHmacSha256, verifyStandardWebhook } from './webhook-signature';
import { waitForOutput, type WebhookAnswer } from './webhook-response';

export type { WebhookAnswer };

interface Route {
  workspaceId: string;
  flowId: string;
  nodeId: string;
}

/** Webhook addresses seen by this process. A route only changes when its flow is saved (a new version), which the run's insert checks. */
const routes = new Map<string, Route>();

async function findRoute(token: string, fresh: boolean): Promise<Route | undefined> {
  const known = routes.get(token);
  if (known && !fresh) return known;
  const route = await db().webhookRoute.findUnique({ where: { token }, select: { workspaceId: true, flowId: true, nodeId: true } });
  if (!route) {
    routes.delete(token);
    return undefined;
  }
  return rememberBounded(routes, token, route, 5_000);
}

/**
 * A request to a webhook address: checks the flow is active and the signature (if the node asks
 * for one), then starts one run per delivery. With "respond with output" it waits for the chosen
 * node's first output event and answers with it.
 *
 * The hot path is one statement: the address, the flow's version and the node's settings come
 * from this process's memory, and the insert of the run checks that they still hold (the flow is
 * active, has that version, the address exists). When they do not, everything is read afresh and
 * checked again, so a deactivated flow or a changed signature setting applies at once.
 */
export async function receiveWebhook(token: string, headers: Headers, rawBody: string): Promise<WebhookAnswer> {
  for (let attempt = 0; ; attempt++) {
    const fresh = attempt > 0;
    const route = await findRoute(token, fresh);
    if (!route) throw notFound('This webhook address');
    const version = await currentFlowVersion(route.workspaceId, route.flowId, fresh);
    if (version === undefined) throw notFound('This webhook address');
    const { graph } = await compiledVersion(route.flowId, version);
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
    let started: { runId: string; duplicate: boolean };
    try {
      started = await startRun(route.workspaceId, {
        flowId: route.flowId,
        triggerKind: 'webhook',
        nodeId: route.nodeId,
        payload,
        requireActive: true,
        routeToken: token,
        expectVersion: version,
        ...(deliveryId ? { dedupKey: deliveryId } : {}),
      });
    } catch (e) {
      if (!(e instanceof StaleFlowError)) throw e;
      // Inactive, saved again, or the address is gone: look again once, then it is not found.
      if (fresh) throw notFound('This webhook address');
      continue;
    }
    const { runId, duplicate } = started;
    if (options.respond === 'immediately' || !options.responseNode) {
      return { status: duplicate ? 200 : 202, body: duplicate ? { runId, duplicate: true } : { runId } };
    }
    return waitForOutput(runId, options.responseNode, options.responseTimeoutSeconds * 1000);
  }
}
