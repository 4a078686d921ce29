import { resolveAllowedHost } from '../engine/safe-http';
import { CredentialDataError, credentialTypes, isCredentialType, parseCredentialData, type CredentialData } from '../agents/credential-types';

/**
 * "Test connection" for a saved credential: one harmless call per type that proves the values
 * work, answered in words a non-technical user can act on. Nothing is posted or sent.
 */
export interface CredentialTestResult {
  ok: boolean;
  message: string;
}

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

interface Checked {
  name: string;
  fetch: Fetch;
}

/** A check that ends with a message for the user (unreachable host, unexpected answer…). */
class CheckFailed extends Error {}

const SLACK_TOKEN_CODES = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'invalid_token', 'no_team', 'team_disabled']);
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 15_000 };

export async function checkCredential(
  cred: { type: string; name: string; data: Record<string, string> },
  fetch: Fetch,
): Promise<CredentialTestResult> {
  const { type, name } = cred;
  if (!isCredentialType(type)) return { ok: false, message: `Credential '${name}' is of kind "${type}", which Muninn no longer knows.` };
  let result: CredentialTestResult;
  try {
    const ctx = { name, fetch };
    switch (type) {
      case 'jira_cloud':
        result = await checkJira(parseCredentialData(type, cred.data), ctx);
        break;
      case 'mavenlink':
        result = await checkMavenlink(parseCredentialData(type, cred.data), ctx);
        break;
      case 'slack_bot':
        result = await checkSlackBot(parseCredentialData(type, cred.data), ctx);
        break;
      case 'slack_webhook':
        result = checkSlackWebhook(parseCredentialData(type, cred.data));
        break;
      case 'smtp':
        result = await checkSmtp(parseCredentialData(type, cred.data), ctx);
        break;
      default:
        parseCredentialData(type, cred.data);
        result = { ok: true, message: `Credential '${name}' is saved. There is nothing to call for a ${credentialTypes[type].name} credential on its own; it will be used when a node calls its API.` };
    }
  } catch (e) {
    if (e instanceof CredentialDataError) {
      result = { ok: false, message: `Credential '${name}' is incomplete or invalid — ${e.issues.map((i) => i.message).join('; ')}. Edit it and save it again.` };
    } else if (e instanceof CheckFailed) {
      result = { ok: false, message: e.message };
    } else {
      throw e;
    }
  }
  // Last line of defence: no message ever repeats a secret, whatever a server echoed back.
  return { ...result, message: scrubSecrets(result.message, type, cred.data) };
}

/** Removes every secret value, as is or base64-encoded (basic auth, SMTP AUTH PLAIN), from a text. */
export function scrubSecrets(text: string, type: string, data: Record<string, string>): string {
  const secretFields = isCredentialType(type) ? (credentialTypes[type].secretFields as readonly string[]) : Object.keys(data);
  const values = Object.entries(data).filter(([k, v]) => secretFields.includes(k) && v.length >= 4).map(([, v]) => v);
  const forms = values.flatMap((v) => [v, Buffer.from(v).toString('base64'), encodeURIComponent(v)]);
  const others = Object.values(data);
  for (const secret of values) {
    for (const other of others) {
      forms.push(Buffer.from(`${other}:${secret}`).toString('base64'), Buffer.from(`\u0000${other}\u0000${secret}`).toString('base64'));
    }
  }
  return forms.sort((a, b) => b.length - a.length).reduce((t, f) => t.split(f).join('•••'), text);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the server';
  }
}

/** One request; a network failure becomes a message naming the host and what to check. */
async function request(ctx: Checked, url: string, init: RequestInit, service: string): Promise<Response> {
  const host = hostOf(url);
  try {
    return await ctx.fetch(url, { redirect: 'manual', ...init });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const code = err.cause?.code ?? '';
    if (err.name === 'TimeoutError' || err.name === 'AbortError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
      throw new CheckFailed(`${service} at ${host} did not answer in time. Check the address of credential '${ctx.name}', then try again.`);
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new CheckFailed(`The host ${host} could not be found. Check the address of credential '${ctx.name}'.`);
    }
    if (code === 'ECONNREFUSED') throw new CheckFailed(`${host} refused the connection. Check the address of credential '${ctx.name}'.`);
    if (/certificate|CERT_|SSL|TLS/i.test(`${code} ${err.cause?.message ?? ''}`)) {
      throw new CheckFailed(`A secure connection to ${host} could not be set up (${code || 'TLS error'}).`);
    }
    // The SSRF guard (and anything else) explains itself; keep its words but cap the length.
    throw new CheckFailed(`${service} at ${host} could not be reached: ${(err.cause?.message ?? err.message).slice(0, 200)}`);
  }
}

async function jsonOf(res: Response): Promise<Record<string, unknown> | undefined> {
  const body = (await res.json().catch(() => undefined)) as unknown;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

/** What an unexpected HTTP status means, for the statuses every API shares. */
function otherStatus(service: string, res: Response, fix: string): CredentialTestResult {
  if (res.status >= 500) return { ok: false, message: `${service} had a problem answering (${res.status}). Try again in a few minutes.` };
  if (res.status >= 300 && res.status < 400) return { ok: false, message: `${service} redirected the request (${res.status}). ${fix}` };
  return { ok: false, message: `${service} answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}. ${fix}` };
}

async function checkJira(d: CredentialData<'jira_cloud'>, ctx: Checked): Promise<CredentialTestResult> {
  const host = hostOf(d.baseUrl);
  const res = await request(
    ctx,
    `${d.baseUrl}/rest/api/3/myself`,
    { headers: { authorization: `Basic ${Buffer.from(`${d.email}:${d.apiToken}`).toString('base64')}`, accept: 'application/json' } },
    'Jira',
  );
  const checkAddress = `Check the site address of credential '${ctx.name}', e.g. https://your-company.atlassian.net.`;
  if (res.status === 401) return { ok: false, message: `Jira refused the token (401). Check the email and API token of credential '${ctx.name}'.` };
  if (res.status === 403) {
    return { ok: false, message: `Jira refused access (403). After failed logins Atlassian may ask for a CAPTCHA: log in once in the browser as ${d.email}, then test again.` };
  }
  if (res.status === 404) return { ok: false, message: `No Jira site answered at ${host} (404). ${checkAddress}` };
  if (!res.ok) return otherStatus('Jira', res, checkAddress);
  const me = await jsonOf(res);
  if (typeof me?.accountId !== 'string') return { ok: false, message: `The site at ${host} answered, but not like Jira Cloud. ${checkAddress}` };
  const who = typeof me.displayName === 'string' ? me.displayName : d.email;
  return { ok: true, message: `Connected to Jira at ${host} as ${who}.` };
}

async function checkMavenlink(d: CredentialData<'mavenlink'>, ctx: Checked): Promise<CredentialTestResult> {
  const host = hostOf(d.baseUrl);
  const res = await request(ctx, `${d.baseUrl}/users/me.json`, { headers: { authorization: `Bearer ${d.token}`, accept: 'application/json' } }, 'Mavenlink');
  const checkAddress = `Check the API address of credential '${ctx.name}' (leave it empty for Mavenlink itself).`;
  if (res.status === 401) return { ok: false, message: `Mavenlink refused the token (401). Check the token of credential '${ctx.name}'; it may have expired.` };
  if (res.status === 403) return { ok: false, message: `Mavenlink accepted the token but refused access (403). The user of credential '${ctx.name}' may lack API access.` };
  if (res.status === 404) return { ok: false, message: `No Mavenlink API answered at ${host} (404). ${checkAddress}` };
  if (!res.ok) return otherStatus('Mavenlink', res, checkAddress);
  const body = await jsonOf(res);
  const users = body?.users && typeof body.users === 'object' ? Object.values(body.users as Record<string, { full_name?: unknown }>) : undefined;
  if (!users) return { ok: false, message: `The server at ${host} answered, but not like Mavenlink. ${checkAddress}` };
  const who = typeof users[0]?.full_name === 'string' ? ` as ${users[0].full_name}` : '';
  return { ok: true, message: `Connected to Mavenlink${who}.` };
}

async function checkSlackBot(d: CredentialData<'slack_bot'>, ctx: Checked): Promise<CredentialTestResult> {
  const res = await request(
    ctx,
    `${d.baseUrl}/auth.test`,
    { method: 'POST', headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: '' },
    'Slack',
  );
  if (!res.ok) return otherStatus('Slack', res, `Check the API address of credential '${ctx.name}' (leave it empty for Slack itself).`);
  const body = await jsonOf(res);
  if (body?.ok === true) {
    const team = typeof body.team === 'string' ? ` workspace '${body.team}'` : '';
    const user = typeof body.user === 'string' ? ` as ${body.user}` : '';
    return { ok: true, message: `Connected to Slack${team}${user}.` };
  }
  const code = typeof body?.error === 'string' && /^[a-z][a-z0-9_]*$/.test(body.error) ? body.error : 'unknown_error';
  if (SLACK_TOKEN_CODES.has(code)) return { ok: false, message: `Slack refused the token (${code}). Check the bot token of credential '${ctx.name}'.` };
  return { ok: false, message: `Slack did not accept the token (${code}).` };
}

/** Posting would put a message into the channel, so only the address is checked. */
function checkSlackWebhook(d: CredentialData<'slack_webhook'>): CredentialTestResult {
  const url = new URL(d.webhookUrl);
  const nothingPosted = 'Nothing was posted; the first real message will show whether Slack accepts it.';
  if (url.hostname === 'hooks.slack.com') {
    if (url.protocol === 'https:' && /^\/services\/[A-Z0-9]+\/[A-Z0-9]+\/[A-Za-z0-9]+\/?$/.test(url.pathname)) {
      return { ok: true, message: `The webhook address looks right. ${nothingPosted}` };
    }
    return { ok: false, message: 'This hooks.slack.com address is incomplete: it should look like https://hooks.slack.com/services/T…/B…/… — copy it again from Slack.' };
  }
  return { ok: true, message: `The webhook address is not a hooks.slack.com address; that is fine for Slack-compatible services. ${nothingPosted}` };
}

async function checkSmtp(d: CredentialData<'smtp'>, ctx: Checked): Promise<CredentialTestResult> {
  const where = `${d.host}:${d.port}`;
  // nodemailer opens its own sockets: check the address as the HTTP guard would (see agents/email.ts).
  let address: string;
  try {
    address = await resolveAllowedHost(d.host);
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
  const { default: nodemailer } = await import('nodemailer'); // on first use: the worker loads this file too
  const transport = nodemailer.createTransport({
    host: address,
    tls: { servername: d.host },
    port: d.port,
    secure: d.secure,
    ...(d.username ? { auth: { user: d.username, pass: d.password } } : {}),
    ...SMTP_TIMEOUTS,
  });
  const tlsHint = `Check "Use TLS from the start" in credential '${ctx.name}': on for port 465, off for 587 and 25.`;
  try {
    await transport.verify();
    return { ok: true, message: d.username ? `Connected to the mail server ${where} and logged in as ${d.username}.` : `Connected to the mail server ${where} (no login configured).` };
  } catch (e) {
    const err = e as Error & { code?: string; originalCode?: string; responseCode?: number; timeoutType?: string };
    const detail = `${err.code ?? ''} ${err.originalCode ?? ''} ${err.message}`;
    if (err.code === 'EAUTH') return { ok: false, message: `The mail server ${where} refused the user name or password of credential '${ctx.name}'.` };
    if (err.originalCode === 'ENOTFOUND' || /ENOTFOUND/.test(detail)) return { ok: false, message: `The mail server host ${d.host} does not exist. Check the host name.` };
    if (err.originalCode === 'ECONNREFUSED' || /ECONNREFUSED/.test(detail)) return { ok: false, message: `The mail server ${where} refused the connection. Check the host name and port.` };
    if (err.code === 'ETIMEDOUT') return { ok: false, message: `The mail server ${where} did not answer in time. ${tlsHint}` };
    if (err.code === 'ETLS' || /certificate|self[- ]signed|CERT_|wrong version number|SSL routines/i.test(detail)) {
      return { ok: false, message: `A secure connection to the mail server ${where} could not be set up. ${tlsHint}` };
    }
    if (err.responseCode === 530) return { ok: false, message: `The mail server ${where} requires a login; add a user name and password to credential '${ctx.name}'.` };
    return { ok: false, message: `The mail server ${where} could not be used: ${err.message.slice(0, 200)}` };
  } finally {
    transport.close();
  }
}
