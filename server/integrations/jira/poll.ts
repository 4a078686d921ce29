import { createHash } from 'node:crypto';
import type { AgentLogger, JsonValue } from '../../agents/define-agent';
import { toIssueEvent, type JiraClient, type JiraIssueEvent } from './client';
import { isValidTimeZone, jqlLowerBound, parseJiraTime } from './time';

/**
 * Polling JIRA for new and changed issues, robustly:
 * - the query is the user's JQL plus `updated >= "<cursor − lookback>"`, ordered by `updated`
 *   ascending, paged with `nextPageToken`;
 * - the cursor is formatted in the JIRA user's own time zone (JQL dates are read in it);
 * - search is eventually consistent (an issue changed a moment ago may be missing or stale), so
 *   every poll re-reads a window of recent minutes; issues already emitted in their current
 *   version (`id` → `updated`) are skipped, older versions are never emitted after newer ones.
 */

export type JiraPollMemory = {
  v: 1;
  /** Fingerprint of the query; when the JQL changes, the poller starts over. */
  query: string;
  /** ISO time of the most recent `updated` processed. */
  cursor?: string;
  /** Issue id → ISO `updated` of the version emitted last, for issues inside the re-read window. */
  seen: { [id: string]: string };
  timeZone?: string;
  timeZoneCheckedAt?: number;
};

export interface JiraPollSettings {
  jql: string;
  fields: readonly string[];
  lookbackMinutes: number;
  firstPoll: 'all' | 'new';
  maxIssues: number;
  reconcileIssues?: readonly number[];
  pageSize?: number;
  maxPages?: number;
}

const TIME_ZONE_TTL_MS = 24 * 3_600_000;
/** Besides the lookback, seen entries are kept this much longer (daylight-saving slack of the bound). */
const SEEN_SLACK_MS = 3 * 3_600_000;

/** The user's JQL without its ORDER BY (the poller orders by `updated` itself). */
export function baseJql(jql: string): string {
  return jql.replace(/\border\s+by\b[\s\S]*$/i, '').trim();
}

function queryFingerprint(s: JiraPollSettings): string {
  return createHash('sha256').update(JSON.stringify([baseJql(s.jql), s.firstPoll])).digest('base64url').slice(0, 16);
}

function readMemory(stored: JsonValue | undefined, query: string): JiraPollMemory | undefined {
  if (!stored || typeof stored !== 'object' || Array.isArray(stored) || stored.v !== 1 || stored.query !== query) return undefined;
  const seen = stored.seen && typeof stored.seen === 'object' && !Array.isArray(stored.seen) ? (stored.seen as Record<string, string>) : {};
  return {
    v: 1,
    query,
    seen: { ...seen },
    ...(typeof stored.cursor === 'string' ? { cursor: stored.cursor } : {}),
    ...(typeof stored.timeZone === 'string' ? { timeZone: stored.timeZone } : {}),
    ...(typeof stored.timeZoneCheckedAt === 'number' ? { timeZoneCheckedAt: stored.timeZoneCheckedAt } : {}),
  };
}

export async function pollJira(
  client: JiraClient,
  stored: JsonValue | undefined,
  settings: JiraPollSettings,
  log: AgentLogger,
  now = Date.now(),
): Promise<{ events: JiraIssueEvent[]; memory: JiraPollMemory }> {
  const query = queryFingerprint(settings);
  const user = baseJql(settings.jql);
  let memory = readMemory(stored, query);
  if (!memory) {
    if (stored) log.info('The JQL changed: polling starts over for the new query.');
    memory = { v: 1, query, seen: {} };
  }

  if (!memory.timeZone || !memory.timeZoneCheckedAt || now - memory.timeZoneCheckedAt > TIME_ZONE_TTL_MS) {
    const me = await client.myself();
    const tz = me.timeZone && isValidTimeZone(me.timeZone) ? me.timeZone : 'UTC';
    if (me.timeZone && tz !== me.timeZone) log.warn(`JIRA reports the unknown time zone "${me.timeZone}"; dates are read as UTC.`);
    memory.timeZone = tz;
    memory.timeZoneCheckedAt = now;
  }
  const timeZone = memory.timeZone;
  const fields = [...new Set([...settings.fields, 'updated'])];
  const pageSize = settings.pageSize ?? 100;
  const maxPages = settings.maxPages ?? 100;

  // first_poll "new": start at the most recent change and only mark the re-read window as seen.
  let silent = false;
  if (!memory.cursor && settings.firstPoll === 'new') {
    const latest = await client.search({ jql: `(${user}) ORDER BY updated DESC`, fields, maxResults: 1 });
    const updated = latest.issues[0] ? parseJiraTime(latest.issues[0].fields.updated) : NaN;
    memory.cursor = new Date(Number.isNaN(updated) ? 0 : updated).toISOString();
    silent = true;
  }

  const cursorMs = memory.cursor ? Date.parse(memory.cursor) : undefined;
  const windowStart = cursorMs === undefined ? undefined : cursorMs - settings.lookbackMinutes * 60_000;
  const bound = windowStart === undefined ? '' : ` AND updated >= "${jqlLowerBound(windowStart, timeZone)}"`;
  const jql = `(${user})${bound} ORDER BY updated ASC`;

  const events: JiraIssueEvent[] = [];
  let maxSeenMs = cursorMs ?? -Infinity;
  let token: string | undefined;
  let pages = 0;
  let skipped = 0;
  let truncated = false;
  outer: do {
    const page = await client.search({ jql, fields, maxResults: pageSize, ...(token ? { nextPageToken: token } : {}), ...(settings.reconcileIssues ? { reconcileIssues: settings.reconcileIssues } : {}) });
    pages++;
    for (const issue of page.issues) {
      const updatedMs = parseJiraTime(issue.fields.updated);
      if (Number.isNaN(updatedMs)) continue;
      if (updatedMs > maxSeenMs) maxSeenMs = updatedMs;
      const prev = memory.seen[issue.id];
      if (prev !== undefined && Date.parse(prev) >= updatedMs) {
        skipped++;
        continue;
      }
      memory.seen[issue.id] = new Date(updatedMs).toISOString();
      if (silent) continue;
      events.push(toIssueEvent(issue));
      if (events.length >= settings.maxIssues) {
        truncated = !page.isLast || page.issues[page.issues.length - 1] !== issue;
        break outer;
      }
    }
    token = page.isLast ? undefined : page.nextPageToken;
    if (token && pages >= maxPages) {
      truncated = true;
      break;
    }
  } while (token);

  if (Number.isFinite(maxSeenMs)) memory.cursor = new Date(maxSeenMs).toISOString();
  if (memory.cursor) {
    const keepFrom = Date.parse(memory.cursor) - settings.lookbackMinutes * 60_000 - SEEN_SLACK_MS;
    for (const [id, at] of Object.entries(memory.seen)) if (Date.parse(at) < keepFrom) delete memory.seen[id];
  }
  if (silent) {
    log.info('First poll: remembered where JIRA is now; issues created or changed from now on will be emitted.');
    return { events: [], memory };
  }
  log.info(
    `Searched JIRA (${pages} page${pages === 1 ? '' : 's'}): ${events.length} new or changed issue${events.length === 1 ? '' : 's'}` +
      `${skipped ? `, ${skipped} already emitted` : ''}${truncated ? `; stopped at ${settings.maxIssues}, the rest comes with the next poll` : ''}.`,
  );
  return { events, memory };
}
