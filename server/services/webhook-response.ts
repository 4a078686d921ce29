import { db } from '../db';
import { json } from '../api/rest';
import { DROPPED_RESPONSE_HEADERS, HTTP_RESPONSE_TAG, httpResponseAgent } from '../agents/http-response';

export interface WebhookAnswer {
  status: number;
  /**
   * Without `headers`: any value, sent as JSON. With `headers` (an answer shaped by an HTTP
   * response node): the exact text to send, or null for no body.
   */
  body: unknown;
  headers?: Record<string, string>;
}

/** Statuses whose answer has no body by definition; a Response with one would throw. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/**
 * Headers on every answer a flow shapes. The webhook address lives on Muninn's own site, so an
 * answer opened in a browser must not run scripts there: `sandbox` gives it an origin of its
 * own, `nosniff` stops browsers from guessing a more dangerous type than the one declared.
 */
const SAFETY_HEADERS: Array<[string, string]> = [
  ['content-security-policy', 'sandbox'],
  ['x-content-type-options', 'nosniff'],
];

type OutputStep = { agentType: string; outputs: Array<{ payload: unknown }> };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The answer for a step's first output: as JSON, or as an HTTP response node shaped it. */
export function answerFromOutput(step: OutputStep): WebhookAnswer {
  const payload = step.outputs[0]?.payload ?? {};
  if (step.agentType !== httpResponseAgent.type || !isRecord(payload) || payload[HTTP_RESPONSE_TAG] !== true) return { status: 200, body: payload };

  const status = typeof payload.status === 'number' && Number.isInteger(payload.status) && payload.status >= 200 && payload.status <= 599 ? payload.status : 200;
  const headers = new Headers();
  for (const [name, value] of Object.entries(isRecord(payload.headers) ? payload.headers : {})) {
    if (typeof value !== 'string' || DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) continue;
    try {
      headers.set(name, value);
    } catch {
      // The agent refuses such headers; an event from an older version is answered without it.
    }
  }
  for (const [name, value] of SAFETY_HEADERS) headers.append(name, value);
  const body = payload.body;
  if (!headers.has('content-type')) headers.set('content-type', typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8');
  const text = NULL_BODY_STATUSES.has(status) || body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
  return { status, headers: Object.fromEntries(headers), body: text };
}

/**
 * Waits for the first output of the node chosen in a webhook's "respond with output of" setting,
 * and turns it into the answer. A failed step or run answers 502, a run that ends without the
 * node answering 204, and waiting too long 504 (the run goes on).
 */
export async function waitForOutput(runId: string, nodeId: string, timeoutMs: number): Promise<WebhookAnswer> {
  const outputs = { select: { payload: true }, take: 1, orderBy: [{ createdAt: 'asc' as const }, { id: 'asc' as const }] };
  const deadline = Date.now() + timeoutMs;
  for (let delay = 20; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
    const step = await db().nodeRun.findFirst({
      where: { runId, nodeId, status: { in: ['succeeded', 'failed'] } },
      select: { status: true, error: true, agentType: true, outputs },
    });
    if (step?.status === 'succeeded') return answerFromOutput(step);
    if (step?.status === 'failed') return { status: 502, body: { runId, error: step.error } };
    const run = await db().run.findUnique({ where: { id: runId }, select: { status: true, error: true } });
    if (run && ['failed', 'cancelled', 'succeeded'].includes(run.status)) {
      // The node may have finished between the two reads: look once more before saying it never answered.
      const last = await db().nodeRun.findFirst({ where: { runId, nodeId, status: 'succeeded' }, select: { agentType: true, outputs } });
      if (last) return answerFromOutput(last);
      return { status: run.status === 'succeeded' ? 204 : 502, body: { runId, status: run.status, error: run.error } };
    }
    await new Promise((r) => setTimeout(r, delay));
  }
  return { status: 504, body: { runId, error: `The flow did not answer within ${Math.round(timeoutMs / 1000)} seconds; the run goes on.` } };
}

/** The HTTP answer of the webhook route. */
export function webhookResponse(answer: WebhookAnswer): Response {
  if (answer.headers) return new Response(answer.body as string | null, { status: answer.status, headers: answer.headers });
  if (answer.status === 204) return new Response(null, { status: 204 });
  return json(answer.body, answer.status);
}
