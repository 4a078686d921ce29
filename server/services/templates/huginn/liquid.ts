import { Liquid } from 'liquidjs';

/**
 * Huginn's Liquid has filters and tags of its own (`to_xpath`, `regex_replace`, `{% credential %}`
 * …). Muninn renders options with liquidjs and refuses unknown filters, so templates using them
 * would fail at run time: find them at import time and say which.
 */
const checker = new Liquid({ strictFilters: true });

function explain(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return (msg.split(', line:')[0] ?? msg).trim();
}

/** Problems of every Liquid template among the strings of `value`, deduplicated. */
export function liquidProblems(value: unknown): string[] {
  const out = new Set<string>();
  const visit = (v: unknown) => {
    if (typeof v === 'string') {
      if (!v.includes('{{') && !v.includes('{%')) return;
      try {
        checker.parse(v);
      } catch (e) {
        out.add(explain(e));
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(value);
  return [...out];
}

const CREDENTIAL_TAG = /\{%-?\s*credential\s+['"]?([A-Za-z0-9_.-]+)['"]?\s*-?%\}/g;

/** Names of Huginn credentials referenced with `{% credential name %}`. */
export function credentialTagNames(value: unknown): string[] {
  const names = new Set<string>();
  JSON.stringify(value ?? null).replace(CREDENTIAL_TAG, (_m, name: string) => {
    names.add(name);
    return '';
  });
  return [...names];
}

/** A string that is exactly one `{% credential name %}` tag: its name. */
export function wholeCredentialTag(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\s*\{%-?\s*credential\s+['"]?([A-Za-z0-9_.-]+)['"]?\s*-?%\}\s*$/.exec(value);
  return m?.[1];
}

/**
 * Replaces `{% credential name %}` inside strings with a visible marker, HUGINN_CREDENTIAL_<name>,
 * so that the option still renders and the report can say what to fill in.
 */
export function markCredentialTags<T>(value: T): T {
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(CREDENTIAL_TAG, (_m, name: string) => `HUGINN_CREDENTIAL_${name}`);
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
    return v;
  };
  return visit(value) as T;
}
