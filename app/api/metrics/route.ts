import { errorResponse } from '@/server/api/rest';
import { checkMetricsAuth, renderMetrics } from '@/server/services/monitoring/metrics';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Prometheus scrape endpoint; bearer-protected when MUNINN_METRICS_TOKEN is set. */
export async function GET(req: Request): Promise<Response> {
  try {
    checkMetricsAuth(req.headers.get('authorization'));
    const { contentType, body } = await renderMetrics();
    return new Response(body, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
  } catch (e) {
    return errorResponse(e);
  }
}
