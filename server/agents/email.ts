import { createHash } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser';
import { z } from 'zod';
import { resolveAllowedHost } from '../engine/safe-http';
import { credentialOption, loadCredential } from './credential-types';
import { defineAgent, PermanentAgentError } from './define-agent';

const options = z
  .object({
    credential: credentialOption('smtp'),
    to: z
      .string({ error: 'Enter at least one recipient' })
      .min(1, 'Enter at least one recipient')
      .describe('To: e-mail addresses separated by commas. Liquid allowed, e.g. {{ customer.email }}.'),
    cc: z.string().optional().describe('Cc: e-mail addresses separated by commas (optional)'),
    subject: z.string({ error: 'Enter a subject' }).min(1, 'Enter a subject').describe('Subject. Liquid allowed.'),
    body: z.string({ error: 'Enter the message' }).describe('The message. Liquid allowed.'),
    html: z.boolean().default(false).describe('The message is HTML (otherwise plain text)'),
  })
  .strict();

/** Kept well under the step timeout so a dead server fails the step with a clear message. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** Parses "a@x.com, Bob <b@y.org>" into bare addresses; anything unparseable fails the step. */
function parseRecipients(value: string, field: 'To' | 'Cc'): string[] {
  const parsed = addressparser(value, { flatten: true });
  const addresses: string[] = [];
  for (const { address, name } of parsed) {
    if (!address || !z.email().safeParse(address).success) {
      throw new PermanentAgentError(`${field}: "${address || name}" is not an e-mail address.`);
    }
    addresses.push(address);
  }
  return addresses;
}

interface SmtpError extends Error {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  permanent?: boolean;
  timeoutType?: string;
}

/**
 * Turns a nodemailer error into a message a user can act on. Permanent: the server's answer will
 * not change (refused login, 5xx replies, TLS set up wrongly, unknown host). Retryable: the server
 * could not be reached or said "try later" (4xx).
 */
function explainSmtpError(err: SmtpError, where: string, credentialName: string): Error {
  const reply = err.response ? ` The server said: ${err.response.slice(0, 300)}` : '';
  const transient = (message: string) => new Error(message);
  const permanent = (message: string) => new PermanentAgentError(message);
  const tlsHint = `Check "Use TLS from the start" in credential '${credentialName}': on for port 465, off for 587 and 25.`;

  switch (err.code) {
    case 'EAUTH':
      if (err.responseCode && err.responseCode >= 400 && err.responseCode < 500) {
        return transient(`The mail server ${where} could not check the user name and password just now; the step will be retried.${reply}`);
      }
      if (!err.responseCode) {
        return permanent(`The mail server ${where} did not accept a login with credential '${credentialName}' (${err.message.slice(0, 200)}).`);
      }
      return permanent(`The mail server refused the user name or password of credential '${credentialName}'.`);
    case 'EDNS':
      if (err.originalCode === 'ENOTFOUND') {
        return permanent(`The mail server host of credential '${credentialName}' (${where}) does not exist. Check the host name.`);
      }
      return transient(`The name of the mail server ${where} could not be looked up just now; the step will be retried.`);
    case 'ETIMEDOUT':
      return transient(
        err.timeoutType === 'GREETING_TIMEOUT' || err.timeoutType === 'CONNECTION_TIMEOUT'
          ? `The mail server ${where} did not answer in time. ${tlsHint}`
          : `The mail server ${where} stopped answering; the step will be retried.`,
      );
    case 'ETLS':
    case 'EREQUIRETLS':
      return permanent(`A secure connection to the mail server ${where} could not be set up. ${tlsHint}`);
    case 'ESOCKET':
    case 'ECONNECTION':
      if (err.originalCode === 'ECONNREFUSED') return transient(`The mail server ${where} refused the connection; the step will be retried.`);
      if (/certificate|self[- ]signed|CERT_|wrong version number|SSL routines/i.test(`${err.message} ${err.originalCode ?? ''}`)) {
        return permanent(`A secure connection to the mail server ${where} failed. ${tlsHint}`);
      }
      return transient(`The connection to the mail server ${where} failed (${err.originalCode ?? err.code}); the step will be retried.${reply}`);
    case 'EENVELOPE':
    case 'EMESSAGE':
      if (err.responseCode === 530) {
        return permanent(`The mail server ${where} requires a login; add a user name and password to credential '${credentialName}'.`);
      }
      if (err.permanent || !err.responseCode) return permanent(`The mail server ${where} refused the message: ${err.message.slice(0, 300)}`);
      return transient(`The mail server ${where} asked to try again later: ${err.message.slice(0, 300)}`);
    default:
      if (err.response) {
        const answer = `The mail server ${where} answered: ${err.response.slice(0, 300)}`;
        return err.permanent ? permanent(answer) : transient(`${answer} — the step will be retried.`);
      }
      return transient(`Sending through ${where} failed (${err.code ?? 'unknown error'}); the step will be retried.`);
  }
}

/** Removes any trace of the password (as is, or base64 as in AUTH PLAIN/LOGIN) from a message. */
function scrub(message: string, username: string | undefined, password: string | undefined): string {
  if (!password) return message;
  const forms = [
    password,
    Buffer.from(password).toString('base64'),
    Buffer.from(`\u0000${username ?? ''}\u0000${password}`).toString('base64'),
  ];
  return forms.reduce((m, f) => m.split(f).join('•••'), message);
}

export const emailAgent = defineAgent({
  type: 'email',
  name: 'Email',
  category: 'Notify',
  icon: 'Mail',
  summary: 'Send an e-mail through your mail server.',
  description: `Sends one e-mail for each incoming event through the SMTP server of an **SMTP server**
credential. Recipients, subject and message can use values from the event with Liquid, e.g.
\`{{ customer.email }}\` or \`Ticket {{ issue.key }} was closed\`.

- **To** and **Cc** take one or more addresses separated by commas (\`Ann <ann@example.com>\` works too).
- **HTML** sends the message as HTML instead of plain text.

"Test this node" really sends the e-mail, so you can see how it looks.

A wrong user name or password, an unknown host or an address the server refuses fails the step at
once; a server that cannot be reached or asks to try later is retried. If the server accepts some
recipients and refuses others, the mail goes to the accepted ones and \`rejected\` lists the rest.

**Emits** one event: \`messageId\`, \`accepted\` and \`rejected\` (lists of addresses).`,
  exampleEvent: { messageId: '<3f2a9c0e5b1d4e7a@example.com>', accepted: ['ann@example.com'], rejected: [] },
  options,
  defaultOptions: { credential: '', to: '', subject: 'Hello from Muninn', body: 'Hello {{ name }}', html: false },
  capabilities: { receives: true, dryRun: true },
  async run(ctx) {
    const { to, cc, subject, body, html } = ctx.options;
    const toList = parseRecipients(to, 'To');
    const ccList = cc?.trim() ? parseRecipients(cc, 'Cc') : [];
    if (toList.length === 0) throw new PermanentAgentError('To: enter at least one e-mail address.');

    const cred = await loadCredential(ctx, ctx.options.credential, ['smtp']);
    const { host, port, secure, username, password, from } = cred.data;
    const where = `${host}:${port}`;

    // nodemailer opens its own sockets, so ctx.http's SSRF guard does not apply: check the
    // address here and connect to exactly that address (TLS still verifies the host name).
    const address = await resolveAllowedHost(host);

    // Loaded on first use: most workers never send mail, and nodemailer is ~3 MB of heap.
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport({
      host: address,
      tls: { servername: host },
      port,
      secure,
      ...(username ? { auth: { user: username, pass: password } } : {}),
      ...SMTP_TIMEOUTS,
    });
    const abort = () => transport.close();
    ctx.signal.addEventListener('abort', abort, { once: true });

    const fromAddress = addressparser(from, { flatten: true })[0]?.address ?? '';
    // A Message-ID fixed by the step lets mail systems drop a copy sent again by a retry after
    // a crash. Not in test runs: their step id may repeat, and the test mail must arrive.
    const messageId = ctx.dryRun
      ? undefined
      : `<${createHash('sha256').update(ctx.step.idempotencyKey).digest('hex').slice(0, 32)}@${fromAddress.split('@')[1] ?? 'muninn'}>`;

    if (ctx.dryRun) ctx.log.info('Test run: this e-mail is really sent.');
    ctx.log.info(`Sending "${subject.slice(0, 100)}" to ${[...toList, ...ccList].join(', ')} through ${where}`);

    try {
      const info = await transport.sendMail({
        from,
        to: toList,
        ...(ccList.length ? { cc: ccList } : {}),
        subject,
        ...(html ? { html: body } : { text: body }),
        ...(messageId ? { messageId } : {}),
        // Message content never reads local files or fetches URLs.
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      const addressOf = (a: string | { address: string }) => (typeof a === 'string' ? a : a.address);
      const accepted = info.accepted.map(addressOf);
      const rejected = info.rejected.map(addressOf);
      if (rejected.length) ctx.log.warn(`The mail server refused these recipients: ${rejected.join(', ')}`);
      ctx.log.info(`Sent: ${info.response ?? 'accepted'}`);
      return [{ messageId: info.messageId, accepted, rejected }];
    } catch (e) {
      if (ctx.signal.aborted) throw new Error('Sending was stopped.');
      const explained = explainSmtpError(e as SmtpError, where, cred.name);
      explained.message = scrub(explained.message, username, password);
      throw explained;
    } finally {
      ctx.signal.removeEventListener('abort', abort);
      transport.close();
    }
  },
});
