import { createHash } from 'node:crypto';
import type { AgentLogger, JsonObject, JsonValue } from '../../agents/define-agent';
import { MAX_PER_PAGE, type MavenlinkClient, type QueryParams } from './client';

/**
 * Polling Mavenlink stories (tasks) for changes: `updated_after=<cursor − lookback>`, oldest change
 * first (`order=updated_at:asc`), page by page until `page_count`. Mavenlink timestamps have
 * one-second precision and `updated_after` is strict, so two changes within the same second
 * would slip past a plain cursor: each poll re-reads a short window and recognises versions it
 * already emitted by `updated_at` plus a hash of the story, so a same-second change is still seen.
 */

export type MavenlinkPollMemory = {
  v: 1;
  query: string;
  cursor?: string;
  /** Story id → "updated_at|content hash" of the version emitted last. */
  seen: { [id: string]: string };
};

export interface MavenlinkPollSettings {
  params: QueryParams;
  lookbackMinutes: number;
  firstPoll: 'all' | 'new';
  maxItems: number;
  perPage?: number;
  maxPages?: number;
}

const SEEN_SLACK_MS = 10 * 60_000;

function hashOf(value: unknown, length = 16): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, length);
}

function readMemory(stored: JsonValue | undefined, query: string): MavenlinkPollMemory | undefined {
  if (!stored || typeof stored !== 'object' || Array.isArray(stored) || stored.v !== 1 || stored.query !== query) return undefined;
  const seen = stored.seen && typeof stored.seen === 'object' && !Array.isArray(stored.seen) ? (stored.seen as Record<string, string>) : {};
  return { v: 1, query, seen: { ...seen }, ...(typeof stored.cursor === 'string' ? { cursor: stored.cursor } : {}) };
}

export async function pollStories(
  client: MavenlinkClient,
  stored: JsonValue | undefined,
  settings: MavenlinkPollSettings,
  log: AgentLogger,
): Promise<{ stories: JsonObject[]; memory: MavenlinkPollMemory }> {
  const query = hashOf([settings.params, settings.firstPoll]);
  let memory = readMemory(stored, query);
  if (!memory) {
    if (stored) log.info('The filter changed: polling starts over.');
    memory = { v: 1, query, seen: {} };
  }
  const perPage = Math.min(settings.perPage ?? MAX_PER_PAGE, MAX_PER_PAGE);
  const maxPages = settings.maxPages ?? 50;

  // first_poll "new": start at the most recent change and only mark the re-read window as seen.
  let silent = false;
  if (!memory.cursor && settings.firstPoll === 'new') {
    const latest = await client.listPage('stories', { ...settings.params, order: 'updated_at:desc' }, 1, 1);
    const at = latest.items[0] ? Date.parse(String(latest.items[0].updated_at)) : NaN;
    memory.cursor = new Date(Number.isNaN(at) ? 0 : at).toISOString();
    silent = true;
  }

  const cursorMs = memory.cursor ? Date.parse(memory.cursor) : undefined;
  const params: QueryParams = {
    ...settings.params,
    order: 'updated_at:asc',
    ...(cursorMs !== undefined ? { updated_after: new Date(cursorMs - settings.lookbackMinutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
  };

  const stories: JsonObject[] = [];
  let maxSeenMs = cursorMs ?? -Infinity;
  let skipped = 0;
  let truncated = false;
  let page = 1;
  outer: for (;;) {
    const res = await client.listPage('stories', params, page, perPage);
    for (const story of res.items) {
      const id = String(story.id);
      const updatedMs = Date.parse(String(story.updated_at));
      if (Number.isNaN(updatedMs)) continue;
      if (updatedMs > maxSeenMs) maxSeenMs = updatedMs;
      const version = `${new Date(updatedMs).toISOString()}|${hashOf(story)}`;
      const prev = memory.seen[id];
      if (prev !== undefined) {
        const prevMs = Date.parse(prev.split('|')[0]!);
        if (prev === version || prevMs > updatedMs) {
          skipped++;
          continue;
        }
      }
      memory.seen[id] = version;
      if (silent) continue;
      stories.push(story);
      if (stories.length >= settings.maxItems) {
        truncated = true;
        break outer;
      }
    }
    if (page >= res.pageCount || res.items.length === 0) break;
    if (page >= maxPages) {
      truncated = true;
      break;
    }
    page++;
  }

  if (Number.isFinite(maxSeenMs)) memory.cursor = new Date(maxSeenMs).toISOString();
  if (memory.cursor) {
    const keepFrom = Date.parse(memory.cursor) - settings.lookbackMinutes * 60_000 - SEEN_SLACK_MS;
    for (const [id, v] of Object.entries(memory.seen)) if (Date.parse(v.split('|')[0]!) < keepFrom) delete memory.seen[id];
  }
  if (silent) {
    log.info('First poll: remembered where Mavenlink is now; stories created or changed from now on will be emitted.');
    return { stories: [], memory };
  }
  log.info(
    `Read Mavenlink stories (${page} page${page === 1 ? '' : 's'}): ${stories.length} new or changed${skipped ? `, ${skipped} already emitted` : ''}` +
      `${truncated ? `; stopped at ${settings.maxItems}, the rest comes with the next poll` : ''}.`,
  );
  return { stories, memory };
}
