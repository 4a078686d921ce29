import type { AgentContext } from './define-agent';
import { PermanentAgentError } from './define-agent';
import { loadCredential, type CredentialData } from './credential-types';

/** Credential kinds the HTTP request agent can sign requests with. */
export const httpAuthTypes = ['http_basic', 'http_header', 'bearer_token', 'oauth2_client_credentials'] as const;

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Access tokens from OAuth2 client credentials, per credential and its settings. A token is
 * reused until shortly before it expires, then a new one is requested ("refresh"); a 401 from the
 * API drops it so the retry asks for a fresh one.
 */
const tokens = new Map<string, CachedToken>();
const EARLY_MS = 60_000;

function cacheKey(id: string, d: CredentialData<'oauth2_client_credentials'>): string {
  return `${id}\u0000${d.tokenUrl}\u0000${d.clientId}\u0000${d.scope ?? ''}`;
}

async function clientCredentialsToken(ctx: Pick<AgentContext<unknown>, 'http' | 'log'>, id: string, name: string, d: CredentialData<'oauth2_client_credentials'>): Promise<string> {
  const key = cacheKey(id, d);
  const hit = tokens.get(key);
  if (hit && hit.expiresAt - EARLY_MS > Date.now()) return hit.token;
  const form = new URLSearchParams({ grant_type: 'client_credentials', ...(d.scope ? { scope: d.scope } : {}) });
  const res = await ctx.http.fetch(d.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(d.clientId)}:${encodeURIComponent(d.clientSecret)}`).toString('base64')}`,
    },
    body: form.toString(),
  });
  const text = await res.text();
  let body: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Reported below.
  }
  if (!res.ok || typeof body.access_token !== 'string') {
    const why = typeof body.error === 'string' ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}` : `status ${res.status}`;
    const message = `The token service refused credential '${name}' (${why}). Check its client ID, client secret and scope.`;
    if (res.status >= 500) throw new Error(message);
    throw new PermanentAgentError(message);
  }
  const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : 3_600_000;
  tokens.set(key, { token: body.access_token, expiresAt: Date.now() + lifetime });
  ctx.log.info(`Got a new access token for credential '${name}' (valid ${Math.round(lifetime / 60_000)} min).`);
  return body.access_token;
}

/** Headers that authenticate a request with the chosen credential. Values never reach logs or events. */
export async function authHeaders(ctx: Pick<AgentContext<unknown>, 'http' | 'log' | 'credentials'>, credentialId: string): Promise<Record<string, string>> {
  const cred = await loadCredential(ctx, credentialId, httpAuthTypes);
  switch (cred.type) {
    case 'http_basic':
      return { authorization: `Basic ${Buffer.from(`${cred.data.username}:${cred.data.password}`).toString('base64')}` };
    case 'http_header':
      return { [cred.data.headerName]: cred.data.value };
    case 'bearer_token':
      return { authorization: `Bearer ${cred.data.token}` };
    case 'oauth2_client_credentials':
      return { authorization: `Bearer ${await clientCredentialsToken(ctx, credentialId, cred.name, cred.data)}` };
  }
}

/** After a 401: a cached OAuth2 token may have been revoked early; the next attempt fetches a new one. */
export function forgetTokens(credentialId: string): void {
  for (const key of tokens.keys()) if (key.startsWith(`${credentialId}\u0000`)) tokens.delete(key);
}
