/**
 * The Sprig and Helm functions our chart uses, with Helm's semantics (see template.ts for the
 * value model: `bigint` is Go's int, `number` is float64). Anything not listed here is an error
 * at render time, which keeps the chart inside what this renderer can check.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { TemplateError, goString, isMap, kindOf, truthy, type TemplateFunction, type Value } from './template.ts';

/** Sprig's `toInt64` / `cast.ToInt`: floats truncate, strings parse (base prefixes allowed), junk is 0. */
export function toInt(v: Value): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^[-+]?(0x[0-9a-f]+|0o?[0-7]+|0b[01]+|[0-9]+)$/i.test(s)) {
      const neg = s.startsWith('-');
      const body = s.replace(/^[-+]/, '');
      const n = /^0[0-7]+$/.test(body) ? BigInt('0o' + body.slice(1)) : BigInt(body);
      return neg ? -n : n;
    }
    return 0n;
  }
  return 0n;
}

/** Sprig's `empty`: nil, false, 0, "" and empty collections. */
const empty = (v: Value): boolean => !truthy(v);

/** Go's text/template comparison: both sides must be of the same basic kind (an int is not a float). */
function compare(fn: string, a: Value, b: Value): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb || !['int', 'float64', 'string'].includes(ka)) {
    throw new TemplateError(`${fn}: incompatible types for comparison (${ka} and ${kb})`);
  }
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

function eq(a: Value, ...rest: Value[]): boolean {
  for (const b of rest) {
    const ka = kindOf(a);
    const kb = kindOf(b);
    if (ka === 'invalid' || kb === 'invalid') {
      if (ka === kb) return true;
      continue;
    }
    if (ka !== kb) throw new TemplateError(`eq: incompatible types for comparison (${ka} and ${kb})`);
    if (ka === 'slice' || ka === 'map') throw new TemplateError('eq: non-comparable type');
    if (a === b) return true;
  }
  return false;
}

/** Go's `%q`: a double-quoted string literal (JSON's escaping is a compatible subset for YAML). */
const goQuote = (s: string): string => JSON.stringify(s);

/** Go fmt's `Sprintf` for the verbs we use: %s %d %v %q %%. */
export function sprintf(format: string, ...args: Value[]): string {
  let k = 0;
  return format.replace(/%([sdvq%])/g, (_m, verb: string) => {
    if (verb === '%') return '%';
    if (k >= args.length) throw new TemplateError(`printf ${JSON.stringify(format)}: missing argument`);
    const a = args[k++];
    if (verb === 'd') {
      if (typeof a !== 'bigint') throw new TemplateError(`printf %d needs an int, got ${kindOf(a)} (use int)`);
      return a.toString();
    }
    return verb === 'q' ? goQuote(goString(a)) : goString(a);
  });
}

/** JSON-compatible copy for YAML output: bigint becomes a number, undefined becomes null. */
function plain(v: Value): Value {
  if (typeof v === 'bigint') return Number(v);
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(plain);
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/**
 * Helm's `toYaml` (sigs.k8s.io/yaml): keys sorted, YAML 1.1 quoting (so "yes"/"on" stay strings),
 * lists not indented under their key, no trailing newline.
 */
export function toYaml(v: Value): string {
  const text = stringify(plain(v), { sortMapEntries: true, indentSeq: false, lineWidth: 0, version: '1.1' });
  return text.replace(/\n$/, '');
}

const indent = (n: Value, s: Value): string => {
  const pad = ' '.repeat(Number(toInt(n)));
  return pad + goString(s).replaceAll('\n', '\n' + pad);
};

/** Sprig's `urlParse`. */
function urlParse(s: Value): Record<string, string> {
  let u: URL;
  try {
    u = new URL(goString(s));
  } catch {
    throw new TemplateError(`urlParse: unable to parse url ${JSON.stringify(s)}`);
  }
  const userinfo = u.username || u.password ? (u.password ? `${u.username}:${u.password}` : u.username) : '';
  return {
    scheme: u.protocol.replace(/:$/, ''),
    host: u.host,
    hostname: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    path: decodeURIComponent(u.pathname),
    query: u.search.replace(/^\?/, ''),
    fragment: decodeURIComponent(u.hash.replace(/^#/, '')),
    opaque: '',
    userinfo,
  };
}

export const functions: Record<string, TemplateFunction> = {
  // --- logic and comparison (Go builtins)
  not: (v) => !truthy(v),
  eq,
  ne: (a, b) => !eq(a, b),
  lt: (a, b) => compare('lt', a, b) < 0,
  le: (a, b) => compare('le', a, b) <= 0,
  gt: (a, b) => compare('gt', a, b) > 0,
  ge: (a, b) => compare('ge', a, b) >= 0,
  len: (v) => {
    if (typeof v === 'string' || Array.isArray(v)) return BigInt(v.length);
    if (isMap(v)) return BigInt(Object.keys(v).length);
    throw new TemplateError(`len of ${kindOf(v)}`);
  },
  index: (v, ...keys) => {
    let cur = v;
    for (const key of keys) {
      if (Array.isArray(cur)) cur = cur[Number(toInt(key))];
      else if (isMap(cur)) cur = Object.hasOwn(cur, goString(key)) ? cur[goString(key)] : undefined;
      else if (cur === null || cur === undefined) return undefined;
      else throw new TemplateError(`index of ${kindOf(cur)}`);
    }
    return cur;
  },
  print: (...args) => args.map(goString).join(''),
  printf: (format, ...args) => sprintf(goString(format), ...args),

  // --- Sprig: defaults and flow
  default: (def, given) => (empty(given) ? def : given),
  empty,
  coalesce: (...args) => args.find(truthy),
  ternary: (a, b, cond) => (truthy(cond) ? a : b),
  required: (msg, v) => {
    if (v === null || v === undefined || v === '') throw new TemplateError(goString(msg));
    return v;
  },
  fail: (msg) => {
    throw new TemplateError(goString(msg));
  },

  // --- Sprig: strings
  quote: (...args) => args.filter((a) => a !== null && a !== undefined).map((a) => goQuote(goString(a))).join(' '),
  toString: (v: Value) => goString(v),
  lower: (s) => goString(s).toLowerCase(),
  upper: (s) => goString(s).toUpperCase(),
  trim: (s) => goString(s).trim(),
  trimSuffix: (suffix, s) => {
    const str = goString(s);
    const suf = goString(suffix);
    return suf && str.endsWith(suf) ? str.slice(0, -suf.length) : str;
  },
  trimPrefix: (prefix, s) => {
    const str = goString(s);
    const pre = goString(prefix);
    return str.startsWith(pre) ? str.slice(pre.length) : str;
  },
  trunc: (n, s) => {
    const str = goString(s);
    const c = Number(toInt(n));
    if (c < 0 && str.length + c > 0) return str.slice(str.length + c);
    if (c >= 0 && str.length > c) return str.slice(0, c);
    return str;
  },
  replace: (old, nu, s) => goString(s).replaceAll(goString(old), goString(nu)),
  contains: (sub, s) => goString(s).includes(goString(sub)),
  hasPrefix: (pre, s) => goString(s).startsWith(goString(pre)),
  join: (sep, list) => (Array.isArray(list) ? list.map(goString).join(goString(sep)) : goString(list)),
  indent,
  nindent: (n, s) => '\n' + indent(n, s),
  b64enc: (s) => Buffer.from(goString(s), 'utf8').toString('base64'),
  sha256sum: (s) => createHash('sha256').update(goString(s), 'utf8').digest('hex'),
  urlParse,

  // --- Sprig: numbers (integer math, as Sprig's int64 functions)
  int: (v) => toInt(v),
  add: (...args) => args.reduce<bigint>((a, b) => a + toInt(b), 0n),
  sub: (a, b) => toInt(a) - toInt(b),
  mul: (...args) => args.reduce<bigint>((a, b) => a * toInt(b), 1n),
  max: (...args) => args.map(toInt).reduce((a, b) => (b > a ? b : a)),
  min: (...args) => args.map(toInt).reduce((a, b) => (b < a ? b : a)),

  // --- Sprig: collections
  list: (...args) => args,
  dict: (...args) => {
    const out: Record<string, Value> = {};
    for (let k = 0; k < args.length; k += 2) out[goString(args[k])] = args[k + 1];
    return out;
  },
  hasKey: (m, key) => isMap(m) && Object.prototype.hasOwnProperty.call(m, goString(key)),
  kindIs: (kind, v) => kindOf(v) === goString(kind) || (goString(kind) === 'int64' && kindOf(v) === 'int'),

  // --- Helm
  toYaml,
};
