import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentAgentError } from './define-agent';
import { emailAgent } from './email';
import { resetEnvCache } from '../env';
import { makeTestContext } from './test-context';

const PASSWORD = 's3cret-Pa55';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

let server: SMTPServer;
let port: number;
const received: Received[] = [];

beforeAll(async () => {
  // The test SMTP server is on loopback, which the SSRF guard refuses unless allowed.
  process.env.MUNINN_ALLOWED_HOSTS = '127.0.0.1';
  resetEnvCache();
  server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'robot' && auth.password === PASSWORD) return callback(null, { user: 'robot' });
      return callback(new Error('Authentication credentials invalid'));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@nowhere.test')) return callback(new Error('Unknown user'));
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function context(options: Record<string, unknown>, credentialData: Record<string, string> = {}, dryRun = false) {
  return makeTestContext(
    emailAgent,
    { credential: 'cred-1', ...options },
    {},
    {
      dryRun,
      credentials: {
        get: async (id) => {
          expect(id).toBe('cred-1');
          return {
            type: 'smtp',
            name: 'Office mail',
            data: { host: '127.0.0.1', port: String(port), secure: 'false', username: 'robot', password: PASSWORD, from: 'Muninn <robot@example.com>', ...credentialData },
          };
        },
      },
    },
  );
}

describe('email agent', () => {
  it('sends through the SMTP server with the credential and emits the envelope', async () => {
    const { ctx, logs } = context({ to: 'ann@example.com, "Doe, Bob" <bob@example.org>', cc: 'carl@example.net', subject: 'Ticket OPS-42 closed', body: 'All done.\nBye' });
    const before = received.length;
    const [event] = await emailAgent.run(ctx);

    expect(event).toEqual({
      messageId: expect.stringMatching(/^<[0-9a-f]{32}@example\.com>$/),
      accepted: ['ann@example.com', 'bob@example.org', 'carl@example.net'],
      rejected: [],
    });
    expect(received).toHaveLength(before + 1);
    const mail = received.at(-1)!;
    expect(mail.from).toBe('robot@example.com');
    expect(mail.to).toEqual(['ann@example.com', 'bob@example.org', 'carl@example.net']);
    expect(mail.raw).toMatch(/^Subject: Ticket OPS-42 closed$/m);
    expect(mail.raw).toMatch(/^From: Muninn <robot@example\.com>$/m);
    expect(mail.raw).toMatch(/^Cc: carl@example\.net$/m);
    expect(mail.raw).toMatch(/^Content-Type: text\/plain/m);
    expect(mail.raw).toContain('All done.\r\nBye');
    expect(JSON.stringify(logs)).not.toContain(PASSWORD);
  });

  it('sends HTML, and really sends in a test run', async () => {
    const { ctx, logs } = context({ to: 'ann@example.com', subject: 'Hi', body: '<p>Hello <b>Ann</b></p>', html: true }, {}, true);
    const before = received.length;
    const [event] = await emailAgent.run(ctx);
    expect(event?.accepted).toEqual(['ann@example.com']);
    expect(received).toHaveLength(before + 1);
    expect(received.at(-1)!.raw).toMatch(/^Content-Type: text\/html/m);
    expect(logs.map((l) => l.message)).toContain('Test run: this e-mail is really sent.');
  });

  it('reports recipients the server refused when others were accepted', async () => {
    const { ctx, logs } = context({ to: 'ann@example.com, ghost@nowhere.test', subject: 'Hi', body: 'x' });
    const [event] = await emailAgent.run(ctx);
    expect(event).toMatchObject({ accepted: ['ann@example.com'], rejected: ['ghost@nowhere.test'] });
    expect(logs.some((l) => l.level === 'warn' && l.message.includes('ghost@nowhere.test'))).toBe(true);
  });

  it('fails permanently, without the password, when the login is refused', async () => {
    const wrong = 'wrong-Pa55word';
    const { ctx, logs } = context({ to: 'ann@example.com', subject: 'Hi', body: 'x' }, { password: wrong });
    const error = await emailAgent.run(ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PermanentAgentError);
    expect((error as Error).message).toBe("The mail server refused the user name or password of credential 'Office mail'.");
    for (const secret of [wrong, Buffer.from(wrong).toString('base64'), PASSWORD]) {
      expect((error as Error).message).not.toContain(secret);
      expect(JSON.stringify(logs)).not.toContain(secret);
    }
  });

  it('fails permanently when every recipient is refused', async () => {
    const { ctx } = context({ to: 'ghost@nowhere.test', subject: 'Hi', body: 'x' });
    await expect(emailAgent.run(ctx)).rejects.toBeInstanceOf(PermanentAgentError);
  });

  it('validates the rendered recipients before connecting', async () => {
    const { ctx } = context({ to: 'ann@example.com, not an address', subject: 'Hi', body: 'x' });
    await expect(emailAgent.run(ctx)).rejects.toThrow(new PermanentAgentError('To: "not an address" is not an e-mail address.'));
    const { ctx: ccCtx } = context({ to: 'ann@example.com', cc: 'bob@', subject: 'Hi', body: 'x' });
    await expect(emailAgent.run(ccCtx)).rejects.toThrow(/^Cc: "bob@" is not an e-mail address\.$/);
  });

  it('retries when the server cannot be reached', async () => {
    const closed = net.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const { ctx } = context({ to: 'ann@example.com', subject: 'Hi', body: 'x' }, { port: String(closedPort) });
    const error = await emailAgent.run(ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PermanentAgentError);
    expect((error as Error).message).toBe(`The mail server 127.0.0.1:${closedPort} refused the connection; the step will be retried.`);
  });

  it('retries when the server says to try later', async () => {
    const busy = net.createServer((socket) => socket.end('421 mail.example.com Service not available, try later\r\n'));
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const busyPort = (busy.address() as AddressInfo).port;
    try {
      const { ctx } = context({ to: 'ann@example.com', subject: 'Hi', body: 'x' }, { port: String(busyPort) });
      const error = await emailAgent.run(ctx).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(PermanentAgentError);
      expect((error as Error).message).toContain('421');
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });

  it('refuses a credential of another type', async () => {
    const { ctx } = makeTestContext(
      emailAgent,
      { credential: 'c', to: 'ann@example.com', subject: 'Hi', body: 'x' },
      {},
      { credentials: { get: async () => ({ type: 'slack_bot', name: 'Chat', data: { token: 'xoxb-1' } }) } },
    );
    await expect(emailAgent.run(ctx)).rejects.toBeInstanceOf(PermanentAgentError);
  });

  it('refuses a mail server on a private address unless the operator allows it', async () => {
    process.env.MUNINN_ALLOWED_HOSTS = '';
    resetEnvCache();
    try {
      const { ctx } = context({ to: 'ada@example.com', subject: 'Hi', body: 'x' });
      await expect(emailAgent.run(ctx)).rejects.toSatisfy((e: Error) => e instanceof PermanentAgentError && /refused to connect to 127\.0\.0\.1 \(loopback/.test(e.message));
    } finally {
      process.env.MUNINN_ALLOWED_HOSTS = '127.0.0.1';
      resetEnvCache();
    }
  });
});
