import { PermanentAgentError, type AgentLogger, type JsonObject, type JsonValue } from '../../agents/define-agent';
import { renderValue } from '../../engine/liquid';
import { fingerprint, other, type Link, type LinkStore, type Side } from './store';
import type { SyncRecord, SyncSystem } from './systems';

/**
 * One sync decision: an event about a record of one side arrives; decide whether and how the
 * linked record on the other side is created or updated, do it, and update the link.
 *
 * Fingerprints. For each side, the "projection" is its record rendered through the templates
 * that map it to the other side (A→B templates against an A record). A link remembers the
 * fingerprint of both projections as of the last sync. Then:
 * - an event whose projection fingerprint equals the remembered one changed nothing that is
 *   mapped — or it is Muninn's own write read back (an echo) — and is skipped;
 * - after writing the other side, that side is read back and its projection fingerprint is
 *   remembered, so when its poller reports the write, it is recognised as an echo.
 *
 * Conflicts. Before writing, the target is read. If its projection differs from the remembered
 * one, it too changed since the last sync. The rule decides: `a_wins`/`b_wins`, or
 * `last_writer_wins` by the records' update times. If the target wins, this event is skipped
 * (the target's own change travels the other way when its event comes). If the source wins, the
 * mapped fields are written, but the target's remembered fingerprint is kept, so its other
 * pending changes still flow back on its next event instead of being swallowed.
 */

export type Direction = 'a_to_b' | 'b_to_a';

export interface SyncSettings {
  direction: Direction | 'both';
  create: Direction | 'both' | 'none';
  conflict: 'last_writer_wins' | 'a_wins' | 'b_wins';
  templates: Record<Direction, JsonObject>;
}

export interface SyncOutcome {
  action: 'created' | 'updated' | 'in_sync' | 'unchanged' | 'skipped' | 'would_create' | 'would_update';
  reason?: string;
  direction: Direction;
  source: { system: string; id: string; label: string };
  target?: { system: string; id: string; label: string };
  changed?: string[];
}

const directionOf = (s: Side): Direction => (s === 'a' ? 'a_to_b' : 'b_to_a');

/** Renders a side's templates against a record; fields rendering to nothing are left out. */
export function project(templates: JsonObject, record: SyncRecord): JsonObject {
  const rendered = renderValue(templates, record.context, 'fields');
  const out: JsonObject = {};
  if (!rendered || typeof rendered !== 'object' || Array.isArray(rendered)) return out;
  for (const [k, v] of Object.entries(rendered)) {
    const value: JsonValue = typeof v === 'string' ? v.trim() : v;
    if (value === null || value === '') continue;
    out[k] = value;
  }
  return out;
}

/** Which side an event comes from. */
export function sourceSide(event: JsonObject, systems: Record<Side, SyncSystem>, direction: SyncSettings['direction']): { side: Side; record: SyncRecord } {
  if (direction !== 'both') {
    const side: Side = direction === 'a_to_b' ? 'a' : 'b';
    const record = systems[side].recordFromEvent(event);
    if (!record) throw new PermanentAgentError(`This event holds no ${systems[side].noun} (expected ${systems[side].kind === 'jira' ? '"issue" with an id' : '"story" with an id'}). Connect this node to a ${systems[side].noun} poller or webhook.`);
    return { side, record };
  }
  const a = systems.a.recordFromEvent(event);
  const b = systems.b.recordFromEvent(event);
  if (a && b) throw new PermanentAgentError('This event could come from either side, so the sync cannot tell which way to go. Choose a direction (a_to_b or b_to_a).');
  if (a) return { side: 'a', record: a };
  if (b) return { side: 'b', record: b };
  throw new PermanentAgentError(`This event holds neither a ${systems.a.noun} nor a ${systems.b.noun}. Connect this node to their pollers or webhooks.`);
}

export async function syncRecord(
  event: JsonObject,
  systems: Record<Side, SyncSystem>,
  settings: SyncSettings,
  store: LinkStore,
  opts: { log: AgentLogger; dryRun: boolean; now?: number },
): Promise<SyncOutcome> {
  const { log, dryRun } = opts;
  const now = opts.now ?? Date.now();
  const { side: s, record: src } = sourceSide(event, systems, settings.direction);
  const t = other(s);
  const direction = directionOf(s);
  const source = { system: systems[s].kind, id: src.id, label: src.label };
  const forward = settings.templates[direction];
  const backward = settings.templates[directionOf(t)];
  const wanted = project(forward, src);
  const f = fingerprint(wanted);
  const h = (l: Link, x: Side) => (x === 'a' ? l.ha : l.hb);
  const setH = (l: Link, x: Side, v: string) => (x === 'a' ? (l.ha = v) : (l.hb = v));
  const ts = (l: Link, x: Side) => (x === 'a' ? l.ta : l.tb);
  const setT = (l: Link, x: Side, v: number) => (x === 'a' ? (l.ta = v) : (l.tb = v));
  const stamp = (v: number) => (Number.isFinite(v) ? v : 0);

  let link = store.find(s, src.id);
  if (link) {
    if (src.updatedMs < ts(link, s)) {
      log.info(`${src.label}: an older version than the one already synced; skipped.`);
      return { action: 'skipped', reason: 'stale', direction, source };
    }
    if (f === h(link, s)) {
      log.info(`${src.label}: no change in the synced fields since the last sync (or it is Muninn's own change read back); skipped.`);
      return { action: 'unchanged', direction, source };
    }
    const current = await systems[t].get(t === 'a' ? link.a : link.b);
    if (!current) {
      log.warn(`${src.label} was linked to ${systems[t].noun} ${t === 'a' ? link.a : link.b}, which no longer exists.`);
      store.remove(link);
      link = undefined;
    } else {
      const target = { system: systems[t].kind, id: current.id, label: current.label };
      const targetPending = fingerprint(project(backward, current)) !== h(link, t);
      if (targetPending) {
        const winner: Side =
          settings.conflict === 'a_wins' ? 'a' : settings.conflict === 'b_wins' ? 'b' : current.updatedMs > src.updatedMs ? t : s;
        if (winner === t) {
          log.info(`${src.label} and ${current.label} both changed since the last sync; ${current.label} wins (${settings.conflict}) and its change will be synced from its side.`);
          return { action: 'skipped', reason: 'conflict', direction, source, target };
        }
        log.info(`${src.label} and ${current.label} both changed since the last sync; ${src.label} wins (${settings.conflict}).`);
      }
      const changes = systems[t].changes(wanted, current);
      const changed = Object.keys(changes);
      if (dryRun) return { action: changed.length ? 'would_update' : 'in_sync', direction, source, target, changed };
      const after = changed.length ? await systems[t].update(current, changes) : current;
      setH(link, s, f);
      setT(link, s, stamp(src.updatedMs));
      // Our write explains the target's new state — unless it had changes of its own, which must still flow back.
      if (!targetPending) setH(link, t, fingerprint(project(backward, after)));
      setT(link, t, stamp(after.updatedMs));
      link.at = now;
      store.touch();
      log.info(changed.length ? `${src.label} → ${after.label}: updated ${changed.join(', ')}.` : `${src.label} → ${after.label}: already in sync.`);
      return { action: changed.length ? 'updated' : 'in_sync', direction, source, target: { ...target, label: after.label }, changed };
    }
  }

  if (settings.create !== 'both' && settings.create !== direction) {
    log.info(`${src.label} is not linked to a ${systems[t].noun}, and this node creates records only ${settings.create === 'none' ? 'never' : `in the direction ${settings.create}`}; skipped.`);
    return { action: 'skipped', reason: 'not_linked', direction, source };
  }
  if (Object.keys(wanted).length === 0) {
    throw new PermanentAgentError(`The ${direction} field mapping rendered nothing for ${src.label}, so there is nothing to create. Check the templates under fields.${direction}.`);
  }
  if (dryRun) return { action: 'would_create', direction, source, changed: Object.keys(wanted) };
  const created = await systems[t].create(wanted);
  const ids = s === 'a' ? { a: src.id, b: created.id, al: src.label, bl: created.label } : { a: created.id, b: src.id, al: created.label, bl: src.label };
  const backFp = fingerprint(project(backward, created));
  store.add({
    ...ids,
    ha: s === 'a' ? f : backFp,
    hb: s === 'a' ? backFp : f,
    ta: stamp(s === 'a' ? src.updatedMs : created.updatedMs),
    tb: stamp(s === 'a' ? created.updatedMs : src.updatedMs),
    at: now,
  });
  log.info(`${src.label} → created ${created.label}.`);
  return { action: 'created', direction, source, target: { system: systems[t].kind, id: created.id, label: created.label }, changed: Object.keys(wanted) };
}
