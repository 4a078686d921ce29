import { z } from 'zod';
import { PermanentAgentError, type AgentContext } from './define-agent';

/**
 * The catalogue of credential types. The vault (server/services) stores a credential's `data`
 * encrypted and validates it with `parseCredentialData` on save; agents validate it again when
 * they load it with `loadCredential`. Each schema doubles as the credential form (JSON Schema via
 * `z.toJSONSchema`): a field's `title` is its label, `description` its help text.
 *
 * Values may arrive typed (from the form) or as strings (the vault hands agents
 * `Record<string, string>`), so number and yes/no fields accept both "587" and 587, "true" and
 * true. Empty strings count as "not filled in", so defaults apply.
 *
 * ## How an agent option refers to a credential
 * A string option holding the credential's id, named `credential` (or `<x>Credential` when a node
 * needs several), built with `credentialOption('smtp')` — i.e.
 * `z.string().min(1, …).describe('Credential').meta({ credentialType: 'smtp' })`. zod v4 copies
 * `.meta()` keys into `z.toJSONSchema()`, so the form sees exactly
 *
 *     { "type": "string", "minLength": 1, "description": "Credential", "credentialType": "smtp" }
 *
 * and renders a picker of the workspace's credentials of that type. When several types fit, the
 * value is a list: `"credentialType": ["slack_webhook", "slack_bot"]`.
 */

/** A required text field whose messages name it, e.g. "Enter the host name". */
function text(title: string, description?: string) {
  const missing = `Enter the ${title.toLowerCase()}`;
  return z
    .string({ error: missing })
    .trim()
    .min(1, missing)
    .meta({ title, ...(description ? { description } : {}) });
}

/** An http(s) address, without a trailing slash so that paths can be appended. */
function webAddress(title: string, description?: string) {
  return z
    .string({ error: `Enter the ${title.toLowerCase()}` })
    .trim()
    .min(1, `Enter the ${title.toLowerCase()}`)
    .refine((v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        return false;
      }
    }, `${title} must be a web address starting with https://`)
    .overwrite((v) => v.replace(/\/+$/, ''))
    .meta({ title, ...(description ? { description } : {}) });
}

/** Yes/no that also accepts the strings "true"/"false" (and yes/no, 1/0, on/off). */
const flag = (title: string, description: string) =>
  z.union([z.boolean(), z.stringbool()], { error: `${title} must be yes or no` }).meta({ title, description });

const EMAIL_OR_NAMED = /^(?:[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+|[^<>]*<[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+>)$/;

const smtp = z
  .object({
    host: text('Host name', 'The mail server, e.g. smtp.example.com'),
    port: z.coerce
      .number({ error: 'Port must be a number' })
      .int('Port must be a whole number')
      .min(1, 'Port must be between 1 and 65535')
      .max(65535, 'Port must be between 1 and 65535')
      .default(587)
      .meta({ title: 'Port', description: '587 (STARTTLS) or 465 (TLS) usually; 25 for internal relays' }),
    secure: flag('Use TLS from the start', 'Turn on for port 465. Leave off for 587 and 25, which switch to TLS when the server offers it.').default(false),
    username: text('User name').optional(),
    password: text('Password').optional(),
    from: z
      .string({ error: 'Enter the sender address' })
      .trim()
      .regex(EMAIL_OR_NAMED, 'Sender must be an e-mail address, e.g. robot@example.com or Robot <robot@example.com>')
      .meta({ title: 'Sender', description: 'The From address, e.g. Muninn <robot@example.com>' }),
  })
  .strict()
  .refine((d) => !d.username || d.password, { path: ['password'], message: 'Enter the password for this user name' });

const slackWebhook = z
  .object({
    webhookUrl: webAddress('Webhook URL', 'The incoming webhook address Slack shows, https://hooks.slack.com/services/…'),
  })
  .strict();

const slackBot = z
  .object({
    token: text('Bot token', 'The Bot User OAuth Token of your Slack app, starting with xoxb-').regex(
      /^xox[bp]-/,
      'Bot token must start with xoxb- (Slack app → OAuth & Permissions → Bot User OAuth Token)',
    ),
    baseUrl: webAddress('API address', 'Leave empty for Slack itself').default('https://slack.com/api'),
  })
  .strict();

const httpBasic = z.object({ username: text('User name'), password: text('Password') }).strict();

const httpHeader = z
  .object({
    headerName: text('Header name', 'e.g. X-API-Key').regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'Header name may contain only letters, digits and - (no spaces or colons)'),
    value: text('Header value'),
  })
  .strict();

const bearerToken = z.object({ token: text('Token', 'Sent as Authorization: Bearer <token>') }).strict();

const jiraCloud = z
  .object({
    baseUrl: webAddress('Site address', 'e.g. https://your-company.atlassian.net'),
    email: z.email({ error: 'Email must be the e-mail address of the Atlassian account' }).meta({ title: 'Email' }),
    apiToken: text('API token', 'Create one at id.atlassian.com → Security → API tokens'),
  })
  .strict();

const mavenlink = z
  .object({
    baseUrl: webAddress('API address', 'Leave empty for Kantata/Mavenlink itself').default('https://api.mavenlink.com/api/v1'),
    token: text('Token', 'OAuth token of the Mavenlink user the flow acts as'),
  })
  .strict();

const oauth2ClientCredentials = z
  .object({
    tokenUrl: webAddress('Token URL', 'Where access tokens are requested, e.g. https://login.example.com/oauth/token'),
    clientId: text('Client ID'),
    clientSecret: text('Client secret'),
    scope: z.string().trim().optional().meta({ title: 'Scope', description: 'Space-separated scopes, if the API needs them' }),
  })
  .strict();

const webhookSecret = z
  .object({
    secret: text('Signing secret', 'Shared with the sender. Standard Webhooks secrets start with whsec_; any other text is used as the HMAC key as it is.'),
  })
  .strict();

interface CredentialTypeDefinition<S extends z.ZodType> {
  type: string;
  name: string;
  description: string;
  schema: S;
  /** Fields the browser never sees again after saving (the form shows "unchanged" instead). */
  secretFields: readonly string[];
  /** Shown next to the form: where to find the values, what to check when it fails. */
  testHint?: string;
}

function defineCredentialType<S extends z.ZodType>(def: CredentialTypeDefinition<S> & { secretFields: readonly (keyof z.output<S> & string)[] }) {
  return def;
}

export const credentialTypes = {
  smtp: defineCredentialType({
    type: 'smtp',
    name: 'SMTP server',
    description: 'A mail server that sends e-mail for the Email agent.',
    schema: smtp,
    secretFields: ['password'],
    testHint: 'Port 465 needs "Use TLS from the start"; 587 and 25 do not. Gmail and Microsoft 365 need an app password.',
  }),
  slack_webhook: defineCredentialType({
    type: 'slack_webhook',
    name: 'Slack incoming webhook',
    description: 'Posts into the one channel chosen when the webhook was created.',
    schema: slackWebhook,
    // The URL itself is the secret: anyone holding it can post.
    secretFields: ['webhookUrl'],
    testHint: 'Slack app → Incoming Webhooks → Add New Webhook to Workspace.',
  }),
  slack_bot: defineCredentialType({
    type: 'slack_bot',
    name: 'Slack bot token',
    description: 'A Slack app bot that can post into any channel it has been invited to.',
    schema: slackBot,
    secretFields: ['token'],
    testHint: 'The app needs the chat:write scope, and the bot must be invited to private channels (/invite @bot).',
  }),
  http_basic: defineCredentialType({
    type: 'http_basic',
    name: 'HTTP basic auth',
    description: 'User name and password sent as Authorization: Basic.',
    schema: httpBasic,
    secretFields: ['password'],
  }),
  http_header: defineCredentialType({
    type: 'http_header',
    name: 'HTTP header',
    description: 'A secret sent in a request header of your choice, e.g. X-API-Key.',
    schema: httpHeader,
    secretFields: ['value'],
  }),
  bearer_token: defineCredentialType({
    type: 'bearer_token',
    name: 'Bearer token',
    description: 'A token sent as Authorization: Bearer.',
    schema: bearerToken,
    secretFields: ['token'],
  }),
  jira_cloud: defineCredentialType({
    type: 'jira_cloud',
    name: 'Jira Cloud',
    description: 'An Atlassian account e-mail and API token for a Jira Cloud site.',
    schema: jiraCloud,
    secretFields: ['apiToken'],
    testHint: 'Use the e-mail address you log in to Atlassian with, not a user name.',
  }),
  mavenlink: defineCredentialType({
    type: 'mavenlink',
    name: 'Mavenlink (Kantata)',
    description: 'An OAuth token for the Mavenlink / Kantata OX API.',
    schema: mavenlink,
    secretFields: ['token'],
  }),
  oauth2_client_credentials: defineCredentialType({
    type: 'oauth2_client_credentials',
    name: 'OAuth2 client credentials',
    description: 'A client ID and secret exchanged for short-lived access tokens (machine-to-machine).',
    schema: oauth2ClientCredentials,
    secretFields: ['clientSecret'],
  }),
  webhook_secret: defineCredentialType({
    type: 'webhook_secret',
    name: 'Webhook signing secret',
    description: 'Checks that requests to a Webhook trigger really come from the sender who knows this secret.',
    schema: webhookSecret,
    secretFields: ['secret'],
  }),
};

export type CredentialType = keyof typeof credentialTypes;
export type CredentialData<T extends CredentialType> = z.output<(typeof credentialTypes)[T]['schema']>;

export function isCredentialType(type: string): type is CredentialType {
  return Object.hasOwn(credentialTypes, type);
}

/** Invalid credential data; `message` names the field and never contains a value. */
export class CredentialDataError extends Error {
  constructor(
    message: string,
    readonly issues: Array<{ field?: string; message: string }>,
  ) {
    super(message);
    this.name = 'CredentialDataError';
  }
}

/**
 * Validates stored or submitted credential data and returns it typed. Throws CredentialDataError
 * whose message names the field, e.g. `SMTP server: Port must be between 1 and 65535`.
 */
export function parseCredentialData<T extends CredentialType>(type: T, data: Record<string, unknown>): CredentialData<T> {
  const def = credentialTypes[type] as CredentialTypeDefinition<z.ZodType> | undefined;
  if (!def || !isCredentialType(type)) {
    throw new CredentialDataError(`"${String(type)}" is not a known kind of credential.`, [{ message: 'Unknown credential type' }]);
  }
  const cleaned = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== '' && v !== undefined && v !== null));
  const parsed = def.schema.safeParse(cleaned);
  if (parsed.success) return parsed.data as CredentialData<T>;
  const issues = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return { message: `Unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
    }
    const field = issue.path.map(String).join('.') || undefined;
    return { ...(field ? { field } : {}), message: issue.message };
  });
  throw new CredentialDataError(`${def.name}: ${issues.map((i) => i.message).join('; ')}`, issues);
}

/** The string option that holds a credential id (see the convention at the top of this file). */
export function credentialOption(type: CredentialType | readonly CredentialType[]) {
  return z
    .string({ error: 'Choose a credential' })
    .min(1, 'Choose a credential')
    .describe('Credential')
    .meta({ credentialType: typeof type === 'string' ? type : [...type] });
}

export type LoadedCredential<T extends CredentialType> = {
  [K in T]: { type: K; name: string; data: CredentialData<K> };
}[T];

/**
 * For agents: fetches a credential, checks that it is of an accepted type and that its data is
 * complete. Problems become PermanentAgentError (retrying cannot fix a wrong credential).
 */
export async function loadCredential<T extends CredentialType>(
  ctx: Pick<AgentContext<unknown>, 'credentials'>,
  credentialId: string,
  accepted: readonly T[],
): Promise<LoadedCredential<T>> {
  const cred = await ctx.credentials.get(credentialId);
  if (!(accepted as readonly string[]).includes(cred.type)) {
    const wanted = accepted.map((t) => credentialTypes[t].name).join(' or ');
    const actual = isCredentialType(cred.type) ? credentialTypes[cred.type].name : cred.type;
    throw new PermanentAgentError(`This node needs a credential of kind ${wanted}, but '${cred.name}' is of kind ${actual}.`);
  }
  try {
    return { type: cred.type, name: cred.name, data: parseCredentialData(cred.type as T, cred.data) } as LoadedCredential<T>;
  } catch (e) {
    if (e instanceof CredentialDataError) {
      throw new PermanentAgentError(`Credential '${cred.name}' is incomplete or invalid — ${e.issues.map((i) => i.message).join('; ')}. Edit it under Credentials.`);
    }
    throw e;
  }
}
