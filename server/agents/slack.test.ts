import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentAgentError, RetryAfterError } from './define-agent';
import { slackAgent } from './slack';
import { makeTestContext } from './test-context';

const TOKEN = 'xoxb-1111-2222-secret';

interface Request {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

let server: Server;
let base: string;
const requests: Request[] = [];

/** Speaks the documented shapes of incoming webhooks and chat.postMessage. */
function handle(req: IncomingMessage, res: ServerResponse, raw: string) {
  const body = JSON.parse(raw || '{}') as Record<string, unknown>;
  requests.push({ path: req.url ?? '', headers: req.headers, body });
  const text = (status: number, t: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/html', ...headers });
    res.end(t);
  };
  const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(value));
  };

  switch (req.url) {
    case '/services/T1/B1/good':
      return body.text ? text(200, 'ok') : text(400, 'no_text');
    case '/services/T1/B1/blocks-bad':
      return text(400, 'invalid_blocks');
    case '/services/T1/B1/revoked':
      return text(404, 'no_service');
    case '/services/T1/B1/archived':
      return text(410, 'channel_is_archived');
    case '/services/T1/B1/throttled':
      return text(429, 'rate_limited', { 'retry-after': '7' });
    case '/services/T1/B1/broken':
      return text(500, 'rollup_error');
    case '/not-slack':
      return text(404, '<html><body>Not Found</body></html>');
    case '/api/chat.postMessage': {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(200, { ok: false, error: 'invalid_auth' });
      switch (body.channel) {
        case '#nope':
          return json(200, { ok: false, error: 'channel_not_found' });
        case 'private':
          return json(200, { ok: false, error: 'not_in_channel' });
        case '#scopeless':
          return json(200, { ok: false, error: 'missing_scope', needed: 'chat:write', provided: 'users:read' });
        case '#busy':
          return json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '12' });
        case '#down':
          return text(503, 'Service Unavailable');
        case '#flaky':
          return json(200, { ok: false, error: 'internal_error' });
        case '#blocks':
          return json(200, { ok: false, error: 'invalid_blocks', response_metadata: { messages: ['[ERROR] missing required field: type [json-pointer:/blocks/0]'] } });
        default:
          return json(200, {
            ok: true,
            channel: 'C024BE91L',
            ts: '1712345678.000200',
            message: { type: 'message', text: body.text, bot_id: 'B1', ts: '1712345678.000200' },
            warning: 'missing_charset',
            response_metadata: { warnings: ['missing_charset'] },
          });
      }
    }
    default:
      return text(404, 'Not Found');
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => handle(req, res, raw));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function webhook(path: string, options: Record<string, unknown> = {}) {
  return makeTestContext(
    slackAgent,
    { credential: 'cred-1', text: 'Deal won', ...options },
    {},
    { credentials: { get: async () => ({ type: 'slack_webhook', name: 'Sales channel', data: { webhookUrl: `${base}${path}` } }) } },
  );
}

function bot(options: Record<string, unknown>, token = TOKEN) {
  return makeTestContext(
    slackAgent,
    { credential: 'cred-2', text: 'Deal won', ...options },
    {},
    { credentials: { get: async () => ({ type: 'slack_bot', name: 'Muninn bot', data: { token, baseUrl: `${base}/api` } }) } },
  );
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the step to fail');
    },
    (e: unknown) => e as Error,
  );
}

describe('slack agent, incoming webhook', () => {
  it('posts text and blocks and emits ok', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Deal won*' } }];
    const { ctx, logs } = webhook('/services/T1/B1/good', { blocks: JSON.stringify({ blocks }), channel: '#ignored' });
    const events = await slackAgent.run(ctx);
    expect(events).toEqual([{ ok: true, channel: null, ts: null }]);
    const req = requests.at(-1)!;
    expect(req.path).toBe('/services/T1/B1/good');
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(req.body).toEqual({ text: 'Deal won', blocks });
    expect(logs.some((l) => l.level === 'warn' && l.message.startsWith('Channel is ignored'))).toBe(true);
  });

  it('explains webhook errors without showing the webhook URL', async () => {
    const revoked = await failure(slackAgent.run(webhook('/services/T1/B1/revoked').ctx));
    expect(revoked).toBeInstanceOf(PermanentAgentError);
    expect(revoked.message).toBe(
      "Slack no longer accepts the incoming webhook of credential 'Sales channel' (no_service) — it was removed or its app uninstalled. Create a new webhook and update the credential.",
    );

    const archived = await failure(slackAgent.run(webhook('/services/T1/B1/archived').ctx));
    expect(archived).toBeInstanceOf(PermanentAgentError);
    expect(archived.message).toBe("The webhook's channel is archived — unarchive it or choose another channel.");

    const blocks = await failure(slackAgent.run(webhook('/services/T1/B1/blocks-bad', { blocks: [{ nope: 1 }] }).ctx));
    expect(blocks).toBeInstanceOf(PermanentAgentError);
    expect(blocks.message).toMatch(/^Slack refused the blocks: they are not valid Block Kit/);

    const notSlack = await failure(slackAgent.run(webhook('/not-slack').ctx));
    expect(notSlack).toBeInstanceOf(PermanentAgentError);
    expect(notSlack.message).toBe("The incoming webhook of credential 'Sales channel' answered HTTP 404, which is not a Slack answer — check its webhook URL.");

    for (const e of [revoked, archived, blocks, notSlack]) expect(e.message).not.toContain('/services/');
  });

  it('retries rate limits after Retry-After and server errors', async () => {
    const limited = await failure(slackAgent.run(webhook('/services/T1/B1/throttled').ctx));
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfterMs).toBe(7_000);

    const broken = await failure(slackAgent.run(webhook('/services/T1/B1/broken').ctx));
    expect(broken).not.toBeInstanceOf(PermanentAgentError);
    expect(broken.message).toBe('Slack had a temporary problem (HTTP 500); the step will be retried.');
  });
});

describe('slack agent, bot token', () => {
  it('calls chat.postMessage with the bearer token and emits channel and ts', async () => {
    const { ctx, logs } = bot({ channel: '#general', blocks: [{ type: 'divider' }] });
    const events = await slackAgent.run(ctx);
    expect(events).toEqual([{ ok: true, channel: 'C024BE91L', ts: '1712345678.000200' }]);
    const req = requests.at(-1)!;
    expect(req.path).toBe('/api/chat.postMessage');
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(req.body).toEqual({ channel: '#general', text: 'Deal won', blocks: [{ type: 'divider' }] });
    expect(logs.find((l) => l.level === 'warn')?.message).toBe('Slack warns: missing_charset');
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
  });

  it('needs a channel', async () => {
    const error = await failure(slackAgent.run(bot({}).ctx));
    expect(error).toBeInstanceOf(PermanentAgentError);
    expect(error.message).toBe('Enter the channel (#name or ID): with a bot token, Slack needs to know where to post.');
  });

  it('explains Slack error codes in plain words', async () => {
    const cases: Array<[Record<string, unknown>, string, string?]> = [
      [{ channel: '#nope' }, 'Slack says the channel #nope does not exist or the bot is not in it — check the name, and invite the bot to the channel (/invite @your-bot).'],
      [{ channel: 'private' }, 'The bot is not a member of #private — invite the bot to the channel (/invite @your-bot).'],
      [
        { channel: '#scopeless' },
        "The Slack app of credential 'Muninn bot' may not post messages (missing permission chat:write) — add it under OAuth & Permissions and reinstall the app.",
      ],
      [{ channel: '#general' }, "Slack refused the token of credential 'Muninn bot' (invalid_auth) — create a new bot token and update the credential.", 'xoxb-wrong'],
      [
        { channel: '#blocks', blocks: [{}] },
        "Slack refused the blocks: they are not valid Block Kit ([ERROR] missing required field: type [json-pointer:/blocks/0]). Try them in Slack's Block Kit Builder.",
      ],
    ];
    for (const [options, message, token] of cases) {
      const error = await failure(slackAgent.run(bot(options, token).ctx));
      expect(error).toBeInstanceOf(PermanentAgentError);
      expect(error.message).toBe(message);
      expect(error.message).not.toContain('xoxb-');
    }
  });

  it('retries rate limits after Retry-After, 5xx and Slack-side failures', async () => {
    const limited = await failure(slackAgent.run(bot({ channel: '#busy' }).ctx));
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect(limited.message).toBe('Slack is limiting how fast messages can be posted; retrying in 12 seconds.');
    expect((limited as RetryAfterError).retryAfterMs).toBe(12_000);

    const down = await failure(slackAgent.run(bot({ channel: '#down' }).ctx));
    expect(down).not.toBeInstanceOf(PermanentAgentError);
    expect(down.message).toBe('Slack had a temporary problem (HTTP 503); the step will be retried.');

    const flaky = await failure(slackAgent.run(bot({ channel: '#flaky' }).ctx));
    expect(flaky).not.toBeInstanceOf(PermanentAgentError);
    expect(flaky.message).toBe('Slack had a temporary problem (internal_error); the step will be retried.');
  });

  it('retries when Slack cannot be reached, and refuses blocks that are not a list', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { ctx } = makeTestContext(
      slackAgent,
      { credential: 'c', channel: '#general', text: 'x' },
      {},
      { credentials: { get: async () => ({ type: 'slack_bot', name: 'Muninn bot', data: { token: TOKEN, baseUrl: `http://127.0.0.1:${closedPort}/api` } }) } },
    );
    const unreachable = await failure(slackAgent.run(ctx));
    expect(unreachable).not.toBeInstanceOf(PermanentAgentError);
    expect(unreachable.message).toBe(`Could not reach 127.0.0.1:${closedPort} (ECONNREFUSED); the step will be retried.`);

    const notList = await failure(slackAgent.run(bot({ channel: '#general', blocks: '{"type": "divider"}' }).ctx));
    expect(notList).toBeInstanceOf(PermanentAgentError);
    expect(notList.message).toMatch(/^Blocks must be a JSON list/);
  });

  it('refuses a credential of another type', async () => {
    const { ctx } = makeTestContext(
      slackAgent,
      { credential: 'c', channel: '#general', text: 'x' },
      {},
      { credentials: { get: async () => ({ type: 'smtp', name: 'Office mail', data: {} }) } },
    );
    const error = await failure(slackAgent.run(ctx));
    expect(error).toBeInstanceOf(PermanentAgentError);
    expect(error.message).toBe("This node needs a credential of kind Slack incoming webhook or Slack bot token, but 'Office mail' is of kind SMTP server.");
  });
});
