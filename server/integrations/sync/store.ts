import { createHash } from 'node:crypto';
import type { JsonValue } from '../../agents/define-agent';

/**
 * The link store of a sync node, kept in its node memory (one JSON value per flow node).
 *
 *     { "v": 1, "links": [ { "a": "10001", "al": "OPS-1", "b": "4701", "bl": "story 4701",
 *                            "ha": "…", "hb": "…", "ta": 1767600000000, "tb": 1767600001000,
 *                            "at": 1767600002000 } ] }
 *
 * A link pairs a record of side A with one of side B. `ha` is the fingerprint of A's mapped
 * fields (the A→B templates rendered against A) as last synced, `hb` the same for B (B→A
 * templates against B); `ta`/`tb` are the record versions (their `updated` times) last seen;
 * `at` is when the pair was last synced. Labels are for people reading logs and memory.
 */

export type Side = 'a' | 'b';
export const other = (s: Side): Side => (s === 'a' ? 'b' : 'a');

export type Link = {
  a: string;
  b: string;
  al?: string;
  bl?: string;
  ha: string;
  hb: string;
  ta: number;
  tb: number;
  at: number;
};

/** About 170 bytes per link; the whole list is one memory row, read and rewritten by every sync step. */
export const MAX_LINKS = 20_000;

/** Order-independent JSON: objects with sorted keys, so equal values have equal text. */
export function stableJson(value: JsonValue | undefined): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(',')}}`;
}

/** A short, collision-safe fingerprint (128 bits) of a value. */
export function fingerprint(value: JsonValue): string {
  return createHash('sha256').update(stableJson(value)).digest('base64url').slice(0, 22);
}

function isLink(v: unknown): v is Link {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const l = v as Record<string, unknown>;
  return typeof l.a === 'string' && typeof l.b === 'string' && typeof l.ha === 'string' && typeof l.hb === 'string';
}

export class LinkStore {
  private readonly links: Link[];
  private readonly index: Record<Side, Map<string, Link>> = { a: new Map(), b: new Map() };
  /** True once anything changed, i.e. the memory needs saving. */
  changed = false;

  constructor(stored: JsonValue | undefined) {
    const raw = stored && typeof stored === 'object' && !Array.isArray(stored) && Array.isArray(stored.links) ? stored.links : [];
    this.links = raw.filter(isLink).map((l) => ({ ...l, ta: Number(l.ta) || 0, tb: Number(l.tb) || 0, at: Number(l.at) || 0 }));
    for (const l of this.links) {
      this.index.a.set(l.a, l);
      this.index.b.set(l.b, l);
    }
  }

  get size(): number {
    return this.links.length;
  }

  find(side: Side, id: string): Link | undefined {
    return this.index[side].get(id);
  }

  add(link: Link): void {
    for (const s of ['a', 'b'] as const) {
      const existing = this.index[s].get(link[s]);
      if (existing) this.remove(existing);
    }
    this.links.push(link);
    this.index.a.set(link.a, link);
    this.index.b.set(link.b, link);
    this.changed = true;
  }

  /** Call after changing a link found with `find`. */
  touch(): void {
    this.changed = true;
  }

  remove(link: Link): void {
    const i = this.links.indexOf(link);
    if (i >= 0) this.links.splice(i, 1);
    if (this.index.a.get(link.a) === link) this.index.a.delete(link.a);
    if (this.index.b.get(link.b) === link) this.index.b.delete(link.b);
    this.changed = true;
  }

  toJSON(): JsonValue {
    return { v: 1, links: this.links };
  }
}
