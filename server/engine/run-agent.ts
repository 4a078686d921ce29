import type {
  AgentCredentials,
  AgentDefinition,
  AgentHttp,
  AgentMemory,
  JsonObject,
  JsonValue,
  StepIdentity,
} from '../agents/define-agent';
import { PermanentAgentError, RetryAfterError } from '../agents/define-agent';
import { renderOptions, TemplateError } from './liquid';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  at: string;
  data?: JsonValue;
}

export interface RunAgentDeps {
  memory: AgentMemory;
  credentials: AgentCredentials;
  http: (signal: AbortSignal) => AgentHttp;
  dryRun: boolean;
  timeoutMs: number;
  maxEvents: number;
  maxEventBytes: number;
}

export type RunAgentResult =
  | { ok: true; events: JsonObject[]; logs: LogLine[] }
  | { ok: false; error: string; permanent: boolean; logs: LogLine[]; retryAfterMs?: number };

export { RetryAfterError };

function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * One agent invocation, shared by the worker and "Test this node": render the options with
 * Liquid, validate them with the agent's schema, run with a timeout, check what came out.
 * Never throws: the result says what happened in words a user can act on.
 */
export async function runAgent(
  agent: AgentDefinition,
  rawOptions: JsonObject,
  event: JsonObject,
  step: StepIdentity,
  deps: RunAgentDeps,
): Promise<RunAgentResult> {
  const logs: LogLine[] = [];
  const push = (level: LogLine['level']) => (message: string, data?: JsonValue) => {
    if (logs.length < 500) logs.push({ level, message: String(message).slice(0, 4_000), at: new Date().toISOString(), ...(data === undefined ? {} : { data }) });
  };

  let options: unknown;
  try {
    const rendered = renderOptions(rawOptions, event, agent.rawOptions ?? []);
    const parsed = agent.options.safeParse(rendered);
    if (!parsed.success) {
      const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
      return { ok: false, permanent: true, logs, error: `The settings of this node are not valid for this event: ${msg}` };
    }
    options = parsed.data;
  } catch (e) {
    if (e instanceof TemplateError) return { ok: false, permanent: true, logs, error: e.message };
    throw e;
  }

  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`The step took longer than ${Math.round(deps.timeoutMs / 1000)} seconds and was stopped.`));
    }, deps.timeoutMs);
  });

  try {
    const emitted = await Promise.race([
      agent.run({
        options,
        event,
        log: { info: push('info'), warn: push('warn'), error: push('error') },
        http: deps.http(controller.signal),
        memory: deps.memory,
        credentials: deps.credentials,
        step,
        dryRun: deps.dryRun,
        signal: controller.signal,
      }),
      timeout,
    ]);
    if (!Array.isArray(emitted)) throw new PermanentAgentError('The agent returned something that is not a list of events.');
    if (emitted.length > deps.maxEvents) {
      throw new PermanentAgentError(`This step emitted ${emitted.length} events; the limit is ${deps.maxEvents} per step.`);
    }
    const events: JsonObject[] = [];
    for (const ev of emitted) {
      const obj = isPlainObject(ev) ? ev : { value: ev as JsonValue };
      const size = Buffer.byteLength(JSON.stringify(obj));
      if (size > deps.maxEventBytes) {
        throw new PermanentAgentError(
          `An emitted event is ${(size / 1_000_000).toFixed(1)} MB; the limit is ${(deps.maxEventBytes / 1_000_000).toFixed(1)} MB per event.`,
        );
      }
      events.push(obj);
    }
    return { ok: true, events, logs };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    push('error')(error);
    return {
      ok: false,
      error,
      logs,
      permanent: e instanceof PermanentAgentError || e instanceof TemplateError,
      ...(e instanceof RetryAfterError ? { retryAfterMs: e.retryAfterMs } : {}),
    };
  } finally {
    clearTimeout(timer);
  }
}
