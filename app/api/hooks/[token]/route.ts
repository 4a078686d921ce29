import { errorResponse, readTextBody } from '@/server/api/rest';
import { receiveWebhook } from '@/server/services/webhooks';
import { webhookResponse } from '@/server/services/webhook-response';

export const dynamic = 'force-dynamic';

/** Webhook trigger: the JSON body becomes the trigger event of a new run. */
export async function POST(req: Request, ctx: { params: Promise<{ token: string }> }): Promise<Response> {
  try {
    const { token } = await ctx.params;
    const body = await readTextBody(req);
    const answer = await receiveWebhook(token, req.headers, body);
    return webhookResponse(answer);
  } catch (e) {
    return errorResponse(e);
  }
}
