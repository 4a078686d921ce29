import { errorResponse, json, readTextBody } from '@/server/api/rest';
import { receiveWebhook } from '@/server/services/webhooks';

export const dynamic = 'force-dynamic';

/** Webhook trigger: the JSON body becomes the trigger event of a new run. */
export async function POST(req: Request, ctx: { params: Promise<{ token: string }> }): Promise<Response> {
  try {
    const { token } = await ctx.params;
    const body = await readTextBody(req);
    const answer = await receiveWebhook(token, req.headers, body);
    return answer.status === 204 ? new Response(null, { status: 204 }) : json(answer.body, answer.status);
  } catch (e) {
    return errorResponse(e);
  }
}
