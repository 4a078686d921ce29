import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentAgentError } from '../agents/define-agent';
import {
  blockedAddressReason,
  closeAgentHttp,
  createAgentHttp,
  isAddressAllowed,
  isHostnameAllowed,
  parseAllowlist,
} from './safe-http';

interface TestServer {
  port: number;
  requests: http.IncomingMessage[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records the requests it gets. */
async function startServer(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<TestServer> {
  const requests: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const LOOPBACK_ALLOWED = '127.0.0.1/32,::1/128,localhost';

function guardedHttp(allowedHosts: string, extra: Partial<Parameters<typeof createAgentHttp>[0]> = {}) {
  return createAgentHttp({ idempotencyKey: 'run-1:node-1:event-1', timeoutMs: 5_000, allowedHosts, ...extra });
}

describe('address policy', () => {
  const blocked = [
    '127.0.0.1', '127.255.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1',
    '0.0.0.0', '255.255.255.255', '224.0.0.1', '198.18.0.1', '192.0.2.1', '240.0.0.1',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1',
    '::ffff:169.254.169.254', '::ffff:0:10.0.0.1', '64:ff9b::7f00:1', '64:ff9b::a00:1', '64:ff9b:1::1',
    '2002:7f00:1::1', '2002:a9fe:a9fe::1', '2001:0:4136:e378::1', '2001:db8::1', '::7f00:1', '100::1',
  ];
  const allowed = [
    '8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808',
    '2002:808:808::1',
  ];
  const none = parseAllowlist('');

  it.each(blocked)('refuses %s', (ip) => {
    expect(isAddressAllowed(ip, none)).toBe(false);
    expect(blockedAddressReason(ip)).toBeTruthy();
  });

  it.each(allowed)('allows public %s', (ip) => {
    expect(isAddressAllowed(ip, none)).toBe(true);
  });

  it('explains embedded IPv4 addresses', () => {
    expect(blockedAddressReason('::ffff:127.0.0.1')).toBe('IPv4-mapped form of 127.0.0.1, a loopback address');
    expect(blockedAddressReason('2002:a9fe:a9fe::1')).toMatch(/^6to4 form of 169\.254\.169\.254, a link-local/);
  });

  it('reads ranges and host names from the allowlist', () => {
    const list = parseAllowlist('127.0.0.1/32, ::1/128 localhost,*.internal, 10.0.0.5');
    expect(isAddressAllowed('127.0.0.1', list)).toBe(true);
    expect(isAddressAllowed('::ffff:127.0.0.1', list)).toBe(true);
    expect(isAddressAllowed('::1', list)).toBe(true);
    expect(isAddressAllowed('10.0.0.5', list)).toBe(true);
    expect(isAddressAllowed('127.0.0.2', list)).toBe(false);
    expect(isAddressAllowed('10.0.0.6', list)).toBe(false);
    expect(isHostnameAllowed('LOCALHOST.', list)).toBe(true);
    expect(isHostnameAllowed('jira.internal', list)).toBe(true);
    expect(isHostnameAllowed('internal', list)).toBe(false);
    expect(isHostnameAllowed('localhost.evil.com', list)).toBe(false);
  });

  it('rejects allowlist entries it cannot read', () => {
    expect(() => parseAllowlist('10.0.0.0/33')).toThrow(/MUNINN_ALLOWED_HOSTS: "10.0.0.0\/33"/);
    expect(() => parseAllowlist('http://x')).toThrow(/neither a host name/);
  });
});

describe('createAgentHttp', () => {
  let target: TestServer;

  beforeAll(async () => {
    target = await startServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url }));
    });
  });

  afterAll(async () => {
    await target.close();
    await closeAgentHttp();
  });

  async function expectRefused(promise: Promise<unknown>, message: RegExp) {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PermanentAgentError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain('MUNINN_ALLOWED_HOSTS');
  }

  it.each([
    ['127.0.0.1', () => `http://127.0.0.1:${target.port}/`, /refused to connect to 127\.0\.0\.1 \(loopback address\)/],
    ['IPv4-mapped IPv6', () => `http://[::ffff:127.0.0.1]:${target.port}/`, /IPv4-mapped form of 127\.0\.0\.1/],
    ['hex integer', () => `http://0x7f000001:${target.port}/`, /127\.0\.0\.1 \(loopback/],
    ['decimal integer', () => `http://2130706433:${target.port}/`, /127\.0\.0\.1 \(loopback/],
    ['short form', () => `http://127.1:${target.port}/`, /127\.0\.0\.1 \(loopback/],
    ['metadata service', () => 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 \(link-local/],
    ['a name resolving to loopback', () => `http://localhost:${target.port}/`, /localhost at 127\.0\.0\.1 \(loopback/],
  ])('refuses %s without the allowlist', async (_name, url, message) => {
    const before = target.requests.length;
    await expectRefused(guardedHttp('').fetch(url()), message);
    expect(target.requests.length).toBe(before);
  });

  it('connects to allowed addresses and sends the idempotency key', async () => {
    const agentHttp = guardedHttp(LOOPBACK_ALLOWED);
    for (const url of [`http://127.0.0.1:${target.port}/a`, `http://localhost:${target.port}/b`, `http://0x7f000001:${target.port}/c`]) {
      const res = await agentHttp.fetch(url);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ path: new URL(url).pathname });
    }
    const last = target.requests.at(-1)!;
    expect(last.headers['idempotency-key']).toBe('run-1:node-1:event-1');
    expect(last.headers['user-agent']).toBe('Muninn');
  });

  it("keeps the agent's own Idempotency-Key", async () => {
    await guardedHttp(LOOPBACK_ALLOWED).fetch(`http://127.0.0.1:${target.port}/`, { headers: { 'Idempotency-Key': 'mine' } });
    expect(target.requests.at(-1)!.headers['idempotency-key']).toBe('mine');
  });

  it('reaches an IPv4-mapped address allowed by its IPv4 range', async () => {
    const res = await guardedHttp('127.0.0.1/32').fetch(`http://[::ffff:127.0.0.1]:${target.port}/mapped`);
    expect(await res.json()).toEqual({ path: '/mapped' });
  });

  describe('redirects', () => {
    let redirector: TestServer;

    beforeAll(async () => {
      redirector = await startServer((req, res) => {
        if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
        else if (req.url === '/see-other') res.writeHead(303, { location: `http://127.0.0.1:${target.port}/after-303` }).end();
        else res.writeHead(302, { location: `http://127.0.0.1:${target.port}/internal` }).end();
      });
    });
    afterAll(() => redirector.close());

    it('refuses a redirect from an allowed host name to a loopback address', async () => {
      const before = target.requests.length;
      await expectRefused(
        guardedHttp('localhost').fetch(`http://localhost:${redirector.port}/`),
        /refused to connect to 127\.0\.0\.1 \(loopback address\)/,
      );
      expect(redirector.requests.length).toBeGreaterThan(0); // the first hop was allowed
      expect(target.requests.length).toBe(before); // the second never connected
    });

    it('follows the same redirect when the address is allowed too', async () => {
      const res = await guardedHttp('localhost,127.0.0.1/32').fetch(`http://localhost:${redirector.port}/`);
      expect(res.status).toBe(200);
      expect(res.redirected).toBe(true);
      expect(res.url).toBe(`http://127.0.0.1:${target.port}/internal`);
      expect(await res.json()).toEqual({ path: '/internal' });
    });

    it('turns a POST into a GET on 303, as browsers do', async () => {
      const res = await guardedHttp(LOOPBACK_ALLOWED).fetch(`http://127.0.0.1:${redirector.port}/see-other`, {
        method: 'POST',
        body: '{"a":1}',
        headers: { 'content-type': 'application/json' },
      });
      expect(await res.json()).toEqual({ path: '/after-303' });
      const last = target.requests.at(-1)!;
      expect(last.method).toBe('GET');
      expect(last.headers['content-type']).toBeUndefined();
    });

    it('stops after 5 redirects', async () => {
      await expect(guardedHttp(LOOPBACK_ALLOWED).fetch(`http://127.0.0.1:${redirector.port}/loop`)).rejects.toThrow(
        /redirected more than 5 times/,
      );
    });
  });

  describe('limits', () => {
    let slow: TestServer;
    let big: TestServer;

    beforeAll(async () => {
      slow = await startServer(() => {
        /* never answers */
      });
      big = await startServer((req, res) => {
        const chunk = Buffer.alloc(64 * 1024, 'x');
        if (req.url === '/declared') res.setHeader('content-length', String(2 * 1024 * 1024));
        let sent = 0;
        const write = () => {
          while (sent < 2 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', write);
          }
          res.end();
        };
        write();
      });
    });
    afterAll(async () => {
      await slow.close();
      await big.close();
    });

    it('gives up on a server that does not answer in time', async () => {
      await expect(guardedHttp(LOOPBACK_ALLOWED, { timeoutMs: 200 }).fetch(`http://127.0.0.1:${slow.port}/`)).rejects.toThrow(
        `127.0.0.1:${slow.port} did not answer within 0.2 seconds.`,
      );
    });

    it('stops reading an answer larger than the cap', async () => {
      const agentHttp = guardedHttp(LOOPBACK_ALLOWED, { maxResponseBytes: 1024 * 1024 });
      const res = await agentHttp.fetch(`http://127.0.0.1:${big.port}/streamed`);
      const err = await res.text().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PermanentAgentError);
      expect((err as Error).message).toMatch(/larger than 1 MB/);
      await expect(agentHttp.fetch(`http://127.0.0.1:${big.port}/declared`)).rejects.toThrow(/larger than 1 MB/);
    });

    it('follows the step signal', async () => {
      const controller = new AbortController();
      const pending = guardedHttp(LOOPBACK_ALLOWED, { signal: controller.signal }).fetch(`http://127.0.0.1:${slow.port}/`);
      controller.abort(new Error('Run cancelled'));
      await expect(pending).rejects.toThrow('Run cancelled');
    });
  });

  it('refuses addresses that are not web addresses', async () => {
    await expect(guardedHttp('').fetch('file:///etc/passwd')).rejects.toThrow(/Only http:\/\/ and https:\/\//);
    await expect(guardedHttp('').fetch('not a url')).rejects.toBeInstanceOf(PermanentAgentError);
  });
});
