/**
 * Huginn addresses values with JSONPath (`results.data[*].title`, `$.items[0].id`,
 * `data['a key']`). Muninn uses dotted paths (`items[0].id`) in Filter and Split, and JSONata for
 * anything that maps over lists. These helpers translate the common subset and say when they
 * cannot (filters `[?(...)]`, unions, slices).
 */

export type PathSegment = { kind: 'name'; name: string } | { kind: 'index'; index: number } | { kind: 'all' } | { kind: 'deep' };

/** Parses a JSONPath into segments; undefined for syntax outside the common subset. */
export function parseJsonPath(path: string): PathSegment[] | undefined {
  let rest = path.trim();
  if (rest.startsWith('$')) rest = rest.slice(1);
  const out: PathSegment[] = [];
  while (rest.length) {
    if (rest.startsWith('..')) {
      out.push({ kind: 'deep' });
      rest = rest.slice(2);
      continue;
    }
    if (rest.startsWith('.')) {
      rest = rest.slice(1);
      if (!rest.length) return undefined;
      continue;
    }
    if (rest.startsWith('[')) {
      const close = rest.indexOf(']');
      if (close < 0) return undefined;
      const inner = rest.slice(1, close).trim();
      rest = rest.slice(close + 1);
      if (inner === '*') out.push({ kind: 'all' });
      else if (/^\d+$/.test(inner)) out.push({ kind: 'index', index: Number(inner) });
      else if (/^'[^']*'$|^"[^"]*"$/.test(inner)) out.push({ kind: 'name', name: inner.slice(1, -1) });
      else return undefined;
      continue;
    }
    const m = /^[^.[\]]+/.exec(rest);
    if (!m) return undefined;
    out.push(m[0] === '*' ? { kind: 'all' } : { kind: 'name', name: m[0] });
    rest = rest.slice(m[0].length);
  }
  return out;
}

/** A JSONPath without wildcards as a Muninn dotted path ("items[0].id"); undefined otherwise. */
export function jsonPathToDotted(path: string): string | undefined {
  const segs = parseJsonPath(path);
  if (!segs || segs.length === 0) return segs && segs.length === 0 ? '' : undefined;
  let out = '';
  for (const s of segs) {
    if (s.kind === 'name') {
      if (/[.[\]\s]/.test(s.name)) return undefined;
      out += out ? `.${s.name}` : s.name;
    } else if (s.kind === 'index') out += `[${s.index}]`;
    else return undefined;
  }
  return out;
}

function jsonataName(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && !['and', 'or', 'in', 'true', 'false', 'null', 'function'].includes(name)
    ? name
    : `\`${name.replace(/`/g, '')}\``;
}

/**
 * A JSONPath as a JSONata path below `root` (e.g. "body"); JSONata maps over lists by itself, so
 * `[*]` simply disappears and `..` becomes `**`. Undefined for unsupported syntax.
 */
export function jsonPathToJsonata(path: string, root?: string): string | undefined {
  const segs = parseJsonPath(path);
  if (!segs) return undefined;
  const parts: string[] = root ? [root] : [];
  let pendingDeep = false;
  for (const s of segs) {
    if (s.kind === 'deep') {
      pendingDeep = true;
      continue;
    }
    if (s.kind === 'all') {
      if (pendingDeep) {
        parts.push('**');
        pendingDeep = false;
      }
      continue;
    }
    if (s.kind === 'index') {
      if (parts.length === 0) parts.push('$');
      parts[parts.length - 1] += `[${s.index}]`;
      continue;
    }
    if (pendingDeep) {
      parts.push('**');
      pendingDeep = false;
    }
    parts.push(jsonataName(s.name));
  }
  return parts.length ? parts.join('.') : '$';
}

/**
 * Splits "results.data[*].title" at its only `[*]`: the list is at "results.data", each item's
 * value at "title". Undefined when the path has no `[*]`, several, or other wildcards.
 */
export function splitAtWildcard(path: string): { list: string; item: string } | undefined {
  const segs = parseJsonPath(path);
  if (!segs) return undefined;
  const at = segs.findIndex((s) => s.kind === 'all');
  if (at < 0 || segs.slice(at + 1).some((s) => s.kind === 'all' || s.kind === 'deep') || segs.slice(0, at).some((s) => s.kind === 'deep')) return undefined;
  const toDotted = (list: PathSegment[]) => {
    let out = '';
    for (const s of list) {
      if (s.kind === 'name') {
        if (/[.[\]\s]/.test(s.name)) return undefined;
        out += out ? `.${s.name}` : s.name;
      } else if (s.kind === 'index') out += `[${s.index}]`;
      else return undefined;
    }
    return out;
  };
  const list = toDotted(segs.slice(0, at));
  const item = toDotted(segs.slice(at + 1));
  if (list === undefined || item === undefined) return undefined;
  return { list, item };
}
