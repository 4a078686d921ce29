/**
 * Finds values in a flow's options that look like secrets, so that publishing a flow as a
 * template never shares them. Three signals:
 *
 * 1. the field's name says it holds a secret (`Authorization`, `X-API-Key`, `password`, `token`…);
 * 2. a web address carries one (`?api_key=…`, `https://user:password@host`);
 * 3. the text has the shape of a well-known kind of token (Slack `xoxb-…`, GitHub `ghp_…`, a
 *    Slack incoming-webhook URL, AWS `AKIA…`, a JWT, `Bearer …`, a private key).
 *
 * Values that are Liquid (`{{ … }}`) or placeholders (`$input:` / `$credential:`) are not secrets:
 * they are filled in at run or install time.
 */

export type SecretKind = 'named_field' | 'url_parameter' | 'url_password' | 'token' | 'private_key';

export interface SecretFinding {
  /** Dotted path below the node's options, e.g. "headers.Authorization". */
  path: string;
  kind: SecretKind;
  /** The secret part of the string (never shown to anyone; used for replacing). */
  secret: string;
  /** A name hint for the input that replaces it, e.g. "authorization", "api_key". */
  hint: string;
  /** In words: "an Authorization header", "a Slack token"… */
  what: string;
}

const SENSITIVE_NAME =
  /^(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|apikey|api[-_]?token|x-auth-token|x-access-token|access[-_]?token|auth[-_]?token|refresh[-_]?token|bearer|token|secret|client[-_]?secret|app[-_]?secret|password|passwd|pass|private[-_]?key|signing[-_]?key|x-[a-z0-9-]*-(?:token|key|secret))$/i;
const URL_PARAM = /([?&;])(api[-_]?key|apikey|key|token|access[-_]?token|auth|auth[-_]?token|secret|client[-_]?secret|password|passwd|sig|signature|private[-_]?token)=([^&#\s"'<>]+)/gi;
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@"'<>]+:([^/\s@"'<>]+)@/gi;
const AUTH_SCHEME = /^(Bearer|Basic|Token|Bot|Digest|ApiKey|token)\s+(\S.*)$/;

const TOKEN_SHAPES: Array<{ re: RegExp; what: string; hint: string }> = [
  { re: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]{10,}/g, what: 'a Slack incoming-webhook address', hint: 'slack_webhook_url' },
  { re: /\bxox[abposre]-[A-Za-z0-9-]{10,}/g, what: 'a Slack token', hint: 'slack_token' },
  { re: /\bgh[pousr]_[A-Za-z0-9]{30,}/g, what: 'a GitHub token', hint: 'github_token' },
  { re: /\bgithub_pat_[A-Za-z0-9_]{30,}/g, what: 'a GitHub token', hint: 'github_token' },
  { re: /\bglpat-[A-Za-z0-9_-]{20,}/g, what: 'a GitLab token', hint: 'gitlab_token' },
  { re: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g, what: 'a Stripe key', hint: 'stripe_key' },
  { re: /\bsk-[A-Za-z0-9_-]{20,}/g, what: 'an API secret key', hint: 'api_key' },
  { re: /\bAKIA[0-9A-Z]{16}\b/g, what: 'an AWS access key', hint: 'aws_access_key' },
  { re: /\bAIza[0-9A-Za-z_-]{35}\b/g, what: 'a Google API key', hint: 'google_api_key' },
  { re: /\bATATT[A-Za-z0-9_=-]{20,}/g, what: 'an Atlassian API token', hint: 'atlassian_token' },
  { re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, what: 'a JSON Web Token', hint: 'token' },
  { re: /\bBearer\s+([A-Za-z0-9._~+/-]{16,}=*)/g, what: 'a bearer token', hint: 'token' },
];
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Liquid or a placeholder: filled in later, not a secret. */
export function isDynamic(text: string): boolean {
  return /\{\{|\{%|\$input:|\$credential:/.test(text);
}

function nameHint(key: string): string {
  const h = key.toLowerCase().replace(/^x-/, '').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return h || 'secret';
}

/** The secrets in one string found at `path` (whose last segment is `key`). */
export function findSecretsInString(value: string, path: string, key: string): SecretFinding[] {
  const out: SecretFinding[] = [];
  const trimmed = value.trim();
  if (!trimmed) return out;
  const add = (f: Omit<SecretFinding, 'path'>) => {
    if (f.secret.length >= 4 && !isDynamic(f.secret) && !out.some((o) => o.secret === f.secret)) out.push({ path, ...f });
  };

  if (PRIVATE_KEY.test(value)) {
    add({ kind: 'private_key', secret: value, hint: 'private_key', what: 'a private key' });
    return out;
  }
  if (SENSITIVE_NAME.test(key) && !isDynamic(trimmed)) {
    const scheme = AUTH_SCHEME.exec(trimmed);
    add({
      kind: 'named_field',
      secret: scheme ? scheme[2]! : trimmed,
      hint: scheme && key.toLowerCase() === 'authorization' ? (scheme[1]!.toLowerCase() === 'basic' ? 'basic_auth' : 'api_token') : nameHint(key),
      what: `the value of "${key}"`,
    });
  }
  for (const m of value.matchAll(URL_PASSWORD)) add({ kind: 'url_password', secret: m[1]!, hint: 'password', what: 'a password in a web address' });
  for (const m of value.matchAll(URL_PARAM)) add({ kind: 'url_parameter', secret: m[3]!, hint: nameHint(m[2]!), what: `the "${m[2]}" parameter of a web address` });
  for (const shape of TOKEN_SHAPES) {
    for (const m of value.matchAll(shape.re)) add({ kind: 'token', secret: m[1] ?? m[0], hint: shape.hint, what: shape.what });
  }
  // A token found inside a larger secret (e.g. xoxb- inside a named field) is the same secret.
  return out.filter((f) => !out.some((o) => o !== f && o.secret.includes(f.secret) && o.secret.length > f.secret.length));
}

/** Every secret in a node's options, skipping the fields listed in `skip` (credential ids). */
export function findSecrets(options: unknown, skip: ReadonlySet<string> = new Set()): SecretFinding[] {
  const out: SecretFinding[] = [];
  const walk = (v: unknown, path: string, key: string) => {
    if (skip.has(path)) return;
    if (typeof v === 'string') out.push(...findSecretsInString(v, path, key));
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, path ? `${path}.${i}` : String(i), key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k, k);
  };
  walk(options, '', '');
  return out;
}
