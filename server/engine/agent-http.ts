import type { AgentHttp } from '../agents/define-agent';

// Temporary: replaced by the SSRF-guarded client in ./safe-http.
export function createAgentHttp(opts: { idempotencyKey: string; signal: AbortSignal; timeoutMs: number }): AgentHttp {
  return {
    fetch(url, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has('idempotency-key')) headers.set('Idempotency-Key', opts.idempotencyKey);
      return fetch(url, { ...init, headers, signal: AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]) });
    },
  };
}
