import { db } from '@/server/db';
import { notFound } from '@/server/errors';
import { errorResponse, json, readJsonBody } from '@/server/api/rest';
import { startRun } from '@/server/services/runs';

export const dynamic = 'force-dynamic';

/** Webhook trigger: the JSON body becomes the trigger event of a new run. */
export async function POST(req: Request, ctx: { params: Promise<{ token: string }> }): Promise<Response> {
  try {
    const { token } = await ctx.params;
    const route = await db().webhookRoute.findUnique({ where: { token }, select: { workspaceId: true, flowId: true, nodeId: true } });
    if (!route) throw notFound('This webhook address');
    const payload = await readJsonBody(req);
    const { runId } = await startRun(route.workspaceId, {
      flowId: route.flowId,
      triggerKind: 'webhook',
      nodeId: route.nodeId,
      payload,
      requireActive: true,
    });
    return json({ runId }, 202);
  } catch (e) {
    return errorResponse(e);
  }
}
