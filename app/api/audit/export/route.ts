import { authenticateSession } from '@/server/api/session-route';
import { errorResponse } from '@/server/api/rest';
import { AppError } from '@/server/errors';
import { auditCsv, auditFilterInput } from '@/server/services/audit-log';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** The active workspace's audit log as CSV, with the filters of the audit page (?action=&actor=&target=&from=&to=). Admins only. */
export async function GET(req: Request): Promise<Response> {
  try {
    const auth = await authenticateSession(req, 'admin');
    const parsed = auditFilterInput.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!parsed.success) throw new AppError('VALIDATION', 'The filters are not valid: ' + parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const rows = auditCsv(auth.workspaceId, parsed.data);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await rows.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await rows.return(undefined);
      },
    });
    const day = new Date().toISOString().slice(0, 10);
    return new Response(body, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="muninn-audit-${day}.csv"`,
        'cache-control': 'no-store',
      },
    });
  } catch (e) {
    return errorResponse(e);
  }
}
