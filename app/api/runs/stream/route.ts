import { createContext, NO_WORKSPACE_MESSAGE, SIGN_IN_MESSAGE } from '@/server/api/trpc';
import { errorResponse } from '@/server/api/rest';
import { AppError } from '@/server/errors';
import { assertStreamTarget, parseRunStreamFilter, runEventStream, SSE_HEADERS } from '@/server/services/monitoring/run-stream';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Live run updates as server-sent events: ?runId=…, ?flowId=…, or every run of the workspace. */
export async function GET(req: Request): Promise<Response> {
  try {
    // The same session and workspace as the tRPC procedures; any member (viewer and up) may watch.
    const ctx = await createContext({ headers: req.headers, url: req.url });
    if (!ctx.user) throw new AppError('UNAUTHORIZED', SIGN_IN_MESSAGE);
    if (!ctx.workspaceId || !ctx.role) throw new AppError('FORBIDDEN', NO_WORKSPACE_MESSAGE);
    const filter = parseRunStreamFilter(new URL(req.url).searchParams);
    await assertStreamTarget(ctx.workspaceId, filter);
    return new Response(runEventStream(ctx.workspaceId, filter, { signal: req.signal }), { headers: SSE_HEADERS });
  } catch (e) {
    return errorResponse(e);
  }
}
