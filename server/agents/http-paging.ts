import { getPath } from '../engine/liquid';
import type { JsonValue } from './define-agent';

/**
 * The `rel="next"` target of an RFC 8288 `Link` header, resolved against the page it came with.
 * Params are read up to the next `<`, so commas inside a quoted title do not split a link.
 */
export function nextLinkOf(header: string | null, base: URL): URL | undefined {
  if (!header) return undefined;
  for (const [, target, params] of header.matchAll(/<([^>]*)>([^<]*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params ?? '');
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (!rels.includes('next')) continue;
    try {
      return new URL(target ?? '', base);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A copy of `url` with one query parameter set (replaced if the address already has it). */
export function withParam(url: URL, name: string, value: string): URL {
  const next = new URL(url);
  next.searchParams.set(name, value);
  return next;
}

/**
 * The cursor for the next page at `path` in the answer, as text; undefined when the API says
 * there is no next page (missing, null, empty or false).
 */
export function cursorOf(body: JsonValue, path: string): string | undefined {
  const value = getPath(body, path);
  if (value === undefined || value === null || value === false || value === '') return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
