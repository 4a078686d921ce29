import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector, fetch as undiciFetch, Headers, type RequestInit as UndiciRequestInit } from 'undici';
import { PermanentAgentError, type AgentHttp } from '../agents/define-agent';
import { env } from '../env';

/**
 * HTTP for agents with an SSRF guard. Addresses are checked when the socket connects, after DNS,
 * so neither DNS rebinding nor a redirect can lead a request to an internal address: every hop of
 * every request goes through the same guarded connector.
 */

type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;

// ---------------------------------------------------------------------------------------------
// Which addresses are public

const REASONS: Record<string, string> = {
  unspecified: 'unspecified address',
  broadcast: 'broadcast address',
  multicast: 'multicast address',
  linkLocal: 'link-local address, where cloud metadata services live',
  loopback: 'loopback address',
  carrierGradeNat: 'carrier-grade NAT address',
  private: 'private network address',
  uniqueLocal: 'private network address',
  reserved: 'reserved or documentation address',
  benchmarking: 'benchmarking address',
  teredo: 'Teredo tunnel address',
};

/** Only 2000::/3 is handed out for the public IPv6 internet. */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
/** The well-known NAT64 prefix carries an IPv4 address in its last 32 bits. */
const NAT64_V6 = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
const IPV4_TRANSLATED_V6 = ipaddr.IPv6.parseCIDR('::ffff:0:0:0/96');

function v4FromParts(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** IPv6 forms that tunnel to an IPv4 address, which is what really gets reached. */
function embeddedIPv4(ip: ipaddr.IPv6): { form: string; v4: ipaddr.IPv4 } | undefined {
  const p = ip.parts as [number, number, number, number, number, number, number, number];
  if (ip.isIPv4MappedAddress()) return { form: 'IPv4-mapped', v4: ip.toIPv4Address() };
  if (ip.match(IPV4_TRANSLATED_V6)) return { form: 'IPv4-translated', v4: v4FromParts(p[6], p[7]) };
  if (ip.match(NAT64_V6)) return { form: 'NAT64', v4: v4FromParts(p[6], p[7]) };
  if (ip.range() === '6to4') return { form: '6to4', v4: v4FromParts(p[1], p[2]) };
  return undefined;
}

function reasonFor(range: string): string {
  return REASONS[range] ?? 'special-purpose address';
}

/** Why an address is not on the public internet, or undefined when it is. */
export function blockedAddressReason(address: string): string | undefined {
  const ip = parseIp(address);
  if (!ip) return 'not a valid address';
  if (ip.kind() === 'ipv4') {
    const range = ip.range();
    return range === 'unicast' ? undefined : reasonFor(range);
  }
  const v6 = ip as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded) {
    const inner = blockedAddressReason(embedded.v4.toString());
    return inner && `${embedded.form} form of ${embedded.v4.toString()}, a ${inner}`;
  }
  const range = v6.range();
  if (range !== 'unicast') return reasonFor(range);
  if (!v6.match(GLOBAL_UNICAST_V6)) return 'address outside the public internet range';
  return undefined;
}

function parseIp(address: string): IpAddress | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(bare) ? ipaddr.parse(bare) : undefined;
}

// ---------------------------------------------------------------------------------------------
// The operator's allowlist

/**
 * MUNINN_ALLOWED_HOSTS: a comma- (or space-) separated list of exceptions. Two kinds of entries:
 *  - Address ranges (`10.0.0.0/8`, `::1/128`, or one address like `127.0.0.1`) allow connecting
 *    to those addresses, whichever host name or URL led there.
 *  - Host names (`localhost`, `jira.internal`, or `*.internal` for every sub-domain) allow a
 *    request whose URL names that host to reach whatever addresses the name resolves to. They do
 *    not open those addresses to other names: with only `localhost` allowed, a redirect from
 *    http://localhost/ to http://127.0.0.1/ is still refused.
 */
export interface Allowlist {
  hostnames: ReadonlySet<string>;
  /** From `*.example.com` entries, stored as `.example.com`. */
  domainSuffixes: readonly string[];
  networks: ReadonlyArray<[IpAddress, number]>;
}

const HOSTNAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/;

export function parseAllowlist(value: string): Allowlist {
  const hostnames = new Set<string>();
  const domainSuffixes: string[] = [];
  const networks: Array<[IpAddress, number]> = [];
  for (const raw of value.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    const bare = entry.replace(/^\[|\]$/g, '');
    if (ipaddr.isValidCIDR(bare)) {
      networks.push(ipaddr.parseCIDR(bare));
    } else if (ipaddr.isValid(bare)) {
      const ip = ipaddr.parse(bare);
      networks.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
    } else if (HOSTNAME.test(entry)) {
      if (entry.startsWith('*.')) domainSuffixes.push(normaliseHostname(entry.slice(1)));
      else hostnames.add(normaliseHostname(entry));
    } else {
      throw new Error(
        `MUNINN_ALLOWED_HOSTS: "${raw}" is neither a host name (like jira.internal) nor an address range (like 10.0.0.0/8).`,
      );
    }
  }
  return { hostnames, domainSuffixes, networks };
}

function normaliseHostname(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

export function isHostnameAllowed(hostname: string, allowlist: Allowlist): boolean {
  const name = normaliseHostname(hostname);
  return allowlist.hostnames.has(name) || allowlist.domainSuffixes.some((suffix) => name.endsWith(suffix));
}

/** True when an agent may connect to this resolved address: public, or in an allowed range. */
export function isAddressAllowed(address: string, allowlist: Allowlist): boolean {
  const ip = parseIp(address);
  if (!ip) return false;
  // An IPv4-mapped IPv6 address is the IPv4 address, so `127.0.0.1/32` covers `::ffff:127.0.0.1`.
  const candidates: IpAddress[] =
    ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? [ip, (ip as ipaddr.IPv6).toIPv4Address()] : [ip];
  const inAllowedRange = allowlist.networks.some(([network, bits]) =>
    candidates.some((c) => c.kind() === network.kind() && c.match(network, bits)),
  );
  return inAllowedRange || blockedAddressReason(address) === undefined;
}

/** Thrown from the connector; the fetch wrapper turns it into a PermanentAgentError. */
export class AddressRefusedError extends Error {
  constructor(hostname: string, address: string, reason: string) {
    const target = normaliseHostname(hostname) === address ? address : `${normaliseHostname(hostname)} at ${address}`;
    super(
      `Muninn refused to connect to ${target} (${reason}). ` +
        'Ask your administrator to allow it in MUNINN_ALLOWED_HOSTS if this is intended.',
    );
    this.name = 'AddressRefusedError';
  }
}

// ---------------------------------------------------------------------------------------------
// The guarded connector

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A drop-in for dns.lookup that only hands out allowed addresses. Node calls it for every host
 * name it connects to (once per connection, so a rebinding DNS answer is checked each time).
 */
function guardedLookup(allowlist: Allowlist) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const byName = isHostnameAllowed(hostname, allowlist);
      const usable = byName ? addresses : addresses.filter((a) => isAddressAllowed(a.address, allowlist));
      const first = usable[0];
      if (!first) {
        const refused = addresses[0];
        const reason = refused ? (blockedAddressReason(refused.address) ?? 'not allowed') : 'no address';
        return callback(new AddressRefusedError(hostname, refused?.address ?? hostname, reason), '', 0);
      }
      if (options.all) callback(null, usable);
      else callback(null, first.address, first.family);
    });
  };
}

function guardedConnector(allowlist: Allowlist): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(allowlist) });
  return (options, callback) => {
    // Node skips the lookup for IP literals (http://127.0.0.1/, http://[::1]/), so check them here.
    // The URL parser has already turned odd spellings (0x7f000001, 2130706433, 127.1) into dotted form.
    const host = normaliseHostname(options.hostname);
    if (net.isIP(host) && !isAddressAllowed(host, allowlist)) {
      callback(new AddressRefusedError(host, host, blockedAddressReason(host) ?? 'not allowed'), null);
      return;
    }
    connect(options, callback);
  };
}

/** One connection pool per allowlist setting, shared by all steps. */
const dispatchers = new Map<string, Agent>();

function dispatcherFor(allowedHosts: string): Agent {
  let agent = dispatchers.get(allowedHosts);
  if (!agent) {
    agent = new Agent({ connect: guardedConnector(parseAllowlist(allowedHosts)) });
    dispatchers.set(allowedHosts, agent);
  }
  return agent;
}

/** Closes pooled connections (graceful shutdown, tests). */
export async function closeAgentHttp(): Promise<void> {
  const agents = [...dispatchers.values()];
  dispatchers.clear();
  await Promise.all(agents.map((a) => a.close()));
}

// ---------------------------------------------------------------------------------------------
// fetch for agents

export interface AgentHttpOptions {
  /** Sent as Idempotency-Key unless the agent sets its own. */
  idempotencyKey: string;
  /** The step's signal: cancelling the run aborts the request. */
  signal?: AbortSignal;
  /** Per request, including reading the body. Defaults to MUNINN_STEP_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Defaults to MUNINN_ALLOWED_HOSTS. */
  allowedHosts?: string;
  maxResponseBytes?: number;
  maxRedirects?: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

export function createAgentHttp(opts: AgentHttpOptions): AgentHttp {
  const timeoutMs = opts.timeoutMs ?? env().MUNINN_STEP_TIMEOUT_MS;
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const dispatcher = dispatcherFor(opts.allowedHosts ?? env().MUNINN_ALLOWED_HOSTS);

  return {
    async fetch(url, init = {}) {
      const target = parseWebUrl(url);
      const timeout = AbortSignal.timeout(timeoutMs);
      const signals = [timeout, opts.signal, init.signal].filter((s): s is AbortSignal => !!s);
      const signal = AbortSignal.any(signals);
      const explain = (err: unknown): Error => {
        if (timeout.aborted) return new Error(`${target.host} did not answer within ${formatSeconds(timeoutMs)}.`);
        if (signal.aborted) return err instanceof Error ? err : new Error(String(err)); // run or caller cancelled
        return explainNetworkError(err, target.host);
      };

      const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
      if (!headers.has('idempotency-key')) headers.set('idempotency-key', opts.idempotencyKey);
      if (!headers.has('user-agent')) headers.set('user-agent', 'Muninn');

      let current = target;
      let method = (init.method ?? 'GET').toUpperCase();
      let body = init.body ?? undefined;
      for (let hop = 0; ; hop++) {
        let res: Awaited<ReturnType<typeof undiciFetch>>;
        try {
          res = await undiciFetch(current, {
            ...(init as UndiciRequestInit),
            method,
            headers,
            body: body as UndiciRequestInit['body'],
            signal,
            redirect: 'manual',
            dispatcher,
          });
        } catch (err) {
          throw explain(err);
        }
        const location = res.headers.get('location');
        if (!REDIRECT_STATUSES.has(res.status) || !location || init.redirect === 'manual') {
          return limitBody(res, current, hop > 0, maxBytes, explain);
        }
        await res.body?.cancel().catch(() => undefined);
        if (init.redirect === 'error') {
          throw new PermanentAgentError(`${current.host} answered with a redirect (${res.status}), which this request does not follow.`);
        }
        if (hop >= maxRedirects) {
          throw new PermanentAgentError(`${target.host} redirected more than ${maxRedirects} times, so Muninn stopped following.`);
        }
        const next = parseWebUrl(new URL(location, current).toString());
        // Same method and body rules as browsers (Fetch standard, "HTTP-redirect fetch").
        if ((res.status === 303 && method !== 'HEAD') || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
          for (const h of BODY_HEADERS) headers.delete(h);
        } else if (body instanceof ReadableStream) {
          throw new PermanentAgentError(`${current.host} redirected a streamed upload, which cannot be sent twice.`);
        }
        if (next.origin !== current.origin) for (const h of CREDENTIAL_HEADERS) headers.delete(h);
        current = next;
      }
    },
  };
}

function parseWebUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PermanentAgentError(`"${url}" is not a valid web address. It should start with https:// or http://.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new PermanentAgentError(`Only http:// and https:// addresses can be called, not "${parsed.protocol}".`);
  }
  return parsed;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${s} second${s === 1 ? '' : 's'}`;
}

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err; e && chain.length < 10; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

/** undici reports "fetch failed" with the real reason in `cause`; surface that reason. */
function explainNetworkError(err: unknown, host: string): Error {
  const chain = causes(err);
  const refused = chain.find((e) => e instanceof AddressRefusedError);
  if (refused) return new PermanentAgentError(refused.message);
  if (chain.some((e) => e instanceof PermanentAgentError)) return err as Error;
  const code = chain.map((e) => (e as NodeJS.ErrnoException)?.code).find(Boolean);
  if (code === 'ENOTFOUND') return new Error(`Could not find the server "${host}". Check the address for typos.`);
  if (code === 'ECONNREFUSED') return new Error(`${host} refused the connection. Is the service running?`);
  if (code === 'ECONNRESET') return new Error(`${host} closed the connection unexpectedly.`);
  const innermost = chain[chain.length - 1] as Error | undefined;
  return new Error(`Could not reach ${host}: ${innermost?.message ?? String(err)}`);
}

/**
 * Returns the response with a body that stops at maxBytes (measured after decompression, so a
 * small gzip bomb cannot fill memory), and with network errors while reading explained.
 */
function limitBody(
  res: Awaited<ReturnType<typeof undiciFetch>>,
  url: URL,
  redirected: boolean,
  maxBytes: number,
  explain: (err: unknown) => Error,
): Response {
  const tooLarge = () =>
    new PermanentAgentError(
      `The answer from ${url.host} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB, the most Muninn reads from one request.`,
    );
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    void res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  let body: ReadableStream<Uint8Array> | null = null;
  if (res.body && !NULL_BODY_STATUSES.has(res.status)) {
    const reader = res.body.getReader();
    let received = 0;
    body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          received += value.byteLength;
          if (received > maxBytes) {
            await reader.cancel().catch(() => undefined);
            return controller.error(tooLarge());
          }
          controller.enqueue(value);
        } catch (err) {
          controller.error(explain(err));
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
  }
  const out = new Response(body, { status: res.status, statusText: res.statusText, headers: [...res.headers] });
  Object.defineProperties(out, { url: { value: url.toString() }, redirected: { value: redirected } });
  return out;
}

/**
 * For clients that open their own sockets (SMTP through nodemailer): resolves the host once,
 * refuses it like the HTTP guard would, and returns the checked address to connect to, so DNS
 * cannot answer differently between the check and the connection.
 */
export async function resolveAllowedHost(hostname: string, allowlist = parseAllowlist(env().MUNINN_ALLOWED_HOSTS)): Promise<string> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  const addresses = ipaddr.isValid(bare) ? [bare] : (await dns.promises.lookup(hostname, { all: true })).map((a) => a.address);
  const byName = isHostnameAllowed(hostname, allowlist);
  for (const address of addresses) {
    if (byName || isAddressAllowed(address, allowlist)) return address;
  }
  const first = addresses[0] ?? hostname;
  throw new PermanentAgentError(new AddressRefusedError(hostname, first, blockedAddressReason(first) ?? 'not allowed').message);
}
