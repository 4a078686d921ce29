import type { JsonObject, JsonValue } from '../../../agents/define-agent';
import { getAgent } from '../../../agents/registry';
import type { FlowEdge, FlowNode } from '../../../engine/graph';
import { credentialTagNames, markCredentialTags, wholeCredentialTag } from './liquid';
import { jsonPathToDotted, jsonPathToJsonata, splitAtWildcard } from './paths';
import { mapHuginnCron, scheduleAsDuration } from './schedule';
import { boolish, intOf, shortType, type HuginnAgent } from './scenario';

export type MappingStatus = 'mapped' | 'approximated' | 'needs_attention';

/** What one Huginn agent became: its nodes, where incoming and outgoing links attach, and notes. */
export interface MappedAgent {
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** Node that receives the agent's incoming links; undefined when it cannot receive (a trigger). */
  entry?: string;
  /** Node whose events leave along the agent's outgoing links. */
  exit?: string;
  /** The agent polls on its Huginn schedule: a Schedule node should feed `entry`. */
  polls?: boolean;
  status: MappingStatus;
  notes: string[];
}

export interface CredentialNeed {
  key: string;
  /** Accepted Muninn credential types. */
  types: string[];
  /** Create this credential from values found in the Huginn options (e.g. a Slack webhook URL). */
  create?: { type: string; name: string; data: Record<string, string> };
  /** Which agent needs it, for the report. */
  agentIndex: number;
  why: string;
}

export interface MapContext {
  agent: HuginnAgent;
  index: number;
  options: Record<string, unknown>;
  hasIncoming: boolean;
  hasOutgoing: boolean;
  /** A node id unique in the flow, made from the agent's name and a suffix. */
  id(suffix?: string): string;
  /** Registers a credential the node needs; returns the `$credential:<key>` to put in its options. */
  credential(need: Omit<CredentialNeed, 'key' | 'agentIndex'>): string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

function node(id: string, type: string, label: string, options: JsonObject): FlowNode {
  return { id, type, label: label.slice(0, 200), options };
}

function chain(ids: string[]): FlowEdge[] {
  return ids.slice(1).map((target, i) => ({ source: ids[i]!, target }));
}

function labelOf(ctx: MapContext, what?: string): string {
  const base = ctx.agent.name?.trim() || shortType(ctx.agent.type);
  return what ? `${base} (${what})` : base;
}

/** A node that keeps the agent's place, its original options and what to do. */
export function placeholderFor(ctx: MapContext, reason: string, extraNotes: string[] = []): MappedAgent {
  const id = ctx.id();
  return {
    nodes: [
      node(id, 'placeholder', `Needs attention: ${ctx.agent.name?.trim() || shortType(ctx.agent.type)}`, {
        source: 'Huginn',
        originalType: ctx.agent.type,
        originalOptions: (ctx.options ?? {}) as JsonValue,
        reason,
      }),
    ],
    edges: [],
    entry: id,
    exit: id,
    status: 'needs_attention',
    notes: [reason, ...extraNotes],
  };
}

/** Huginn credentials (`{% credential x %}`) cannot come along; say where they were used. */
function credentialTagNotes(value: unknown): string[] {
  const names = credentialTagNames(value);
  return names.length
    ? [`Uses the Huginn credential${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')}, which cannot be imported: replace HUGINN_CREDENTIAL_… with the value, or better, a Muninn credential.`]
    : [];
}

function headersOf(options: Record<string, unknown>, notes: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const given = options.headers;
  if (given && typeof given === 'object' && !Array.isArray(given)) {
    for (const [k, v] of Object.entries(given)) {
      const s = str(v);
      if (s !== undefined) headers[k] = s;
    }
  }
  const ua = str(options.user_agent);
  if (ua && !Object.keys(headers).some((k) => k.toLowerCase() === 'user-agent')) headers['User-Agent'] = ua;
  const basic = options.basic_auth;
  const pair = Array.isArray(basic) ? basic.map(String) : typeof basic === 'string' && basic.includes(':') ? [basic.slice(0, basic.indexOf(':')), basic.slice(basic.indexOf(':') + 1)] : undefined;
  if (pair && pair.length === 2) {
    if (credentialTagNames(pair).length) {
      notes.push('basic_auth used Huginn credentials; add an Authorization header (Basic) with your user name and password.');
    } else {
      headers.Authorization = `Basic ${Buffer.from(`${pair[0]}:${pair[1]}`).toString('base64')}`;
      notes.push('basic_auth became an Authorization header stored in the flow; anyone who can open the flow can read it.');
    }
  }
  if (boolish(options.disable_ssl_verification)) notes.push('disable_ssl_verification is not supported: Muninn always checks certificates.');
  return headers;
}

function ignoredNotes(options: Record<string, unknown>, keys: Record<string, string>): string[] {
  return Object.entries(keys)
    .filter(([k]) => options[k] !== undefined && options[k] !== '' && options[k] !== null)
    .map(([k, why]) => `${k}: ${why}`);
}

// ---------------------------------------------------------------------------------------------
// WebsiteAgent

function jsonExtraction(ctx: MapContext, extract: Record<string, Record<string, unknown>>, notes: string[]): { nodes: FlowNode[]; ok: boolean } {
  const entries = Object.entries(extract);
  const visible = entries.filter(([, d]) => !boolish(d.hidden));
  const paths = entries.map(([name, d]) => ({ name, path: str(d.path) ?? '', repeat: boolish(d.repeat), hidden: boolish(d.hidden) }));
  if (paths.some((p) => !p.path)) return { nodes: [], ok: false };

  // Common case: every path is "<list>[*].<field>" over the same list → Split + Transform.
  const splits = paths.map((p) => ({ ...p, split: splitAtWildcard(p.path) }));
  const lists = new Set(splits.map((s) => s.split?.list));
  if (splits.every((s) => s.split && !s.repeat && !s.hidden) && lists.size === 1) {
    const list = splits[0]!.split!.list;
    const template: JsonObject = Object.fromEntries(splits.map((s) => [s.name, s.split!.item ? `{{ ${s.split!.item} }}` : '{{ value }}']));
    if (splits.some((s) => !s.split!.item)) notes.push('Items that are not objects arrive as { value, index }; their fields read {{ value }}.');
    return {
      ok: true,
      nodes: [
        node(ctx.id('items'), 'split', labelOf(ctx, 'one event per item'), { path: list ? `body.${list}` : 'body' }),
        node(ctx.id('fields'), 'transform', labelOf(ctx, 'extract'), { template, mode: 'replace' }),
      ],
    };
  }
  // No wildcard anywhere → one event built from single values.
  const dotted = paths.map((p) => ({ ...p, dotted: jsonPathToDotted(p.path) }));
  if (dotted.every((d) => d.dotted !== undefined)) {
    const template: JsonObject = Object.fromEntries(dotted.filter((d) => !d.hidden).map((d) => [d.name, `{{ body${d.dotted ? `.${d.dotted}` : ''} }}`.replace('body.[', 'body[')]));
    if (dotted.some((d) => d.hidden)) notes.push('Hidden extractions were left out.');
    return { ok: true, nodes: [node(ctx.id('fields'), 'transform', labelOf(ctx, 'extract'), { template, mode: 'replace' })] };
  }
  // Anything else: JSONata zips the lists like Huginn does.
  const exprs = paths.map((p) => ({ ...p, expr: jsonPathToJsonata(p.path, 'body') }));
  if (exprs.some((e) => !e.expr)) return { nodes: [], ok: false };
  const lead = exprs.find((e) => !e.repeat) ?? exprs[0]!;
  const vars = exprs.map((e, i) => `  $v${i} := [${e.expr}];`).join('\n');
  const fields = exprs
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => !e.hidden)
    .map(({ e, i }) => `"${e.name.replace(/"/g, '\\"')}": ${e.repeat ? `$v${i}[0]` : `$v${i}[$i]`}`)
    .join(', ');
  const expression = `(\n${vars}\n  $map($v${exprs.indexOf(lead)}, function($x, $i) { { ${fields} } })\n)`;
  if (visible.length !== entries.length) notes.push('Hidden extractions were left out.');
  return { ok: true, nodes: [node(ctx.id('extract'), 'jsonata', labelOf(ctx, 'extract'), { expression, mode: 'each' })] };
}

function textExtraction(ctx: MapContext, extract: Record<string, Record<string, unknown>>, notes: string[]): FlowNode | undefined {
  const entries = Object.entries(extract);
  const parts: Array<{ name: string; regex: string; index: number; hidden: boolean }> = [];
  for (const [name, d] of entries) {
    const re = str(d.regexp) ?? str(d.regex);
    const index = intOf(d.index);
    if (!re || index === undefined) return undefined;
    parts.push({ name, regex: re, index, hidden: boolish(d.hidden) });
  }
  const js = (re: string) => re.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$').replace(/(?<!\\)\//g, '\\/');
  const vars = parts.map((p, i) => `  $v${i} := $match($string(body), /${js(p.regex)}/m).${p.index === 0 ? 'match' : `groups[${p.index - 1}]`};`).join('\n');
  const fields = parts
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => !p.hidden)
    .map(({ p, i }) => `"${p.name.replace(/"/g, '\\"')}": [$v${i}][$i]`)
    .join(', ');
  notes.push('Text extraction uses JavaScript regular expressions (with ^ and $ matching at line ends, as in Ruby); check patterns that use Ruby-only syntax.');
  return node(ctx.id('extract'), 'jsonata', labelOf(ctx, 'extract'), { expression: `(\n${vars}\n  $map([$v0], function($x, $i) { { ${fields} } })\n)`, mode: 'each' });
}

export function mapWebsiteAgent(ctx: MapContext): MappedAgent {
  const o = ctx.options;
  const notes: string[] = [];
  let status: MappingStatus = 'mapped';
  if (o.data_from_event !== undefined) {
    return placeholderFor(ctx, 'data_from_event (parsing data carried by the incoming event) has no direct equivalent: extract the fields with a Transform or JSONata node instead.');
  }
  const urls = Array.isArray(o.url) ? o.url.map(String) : str(o.url) ? [str(o.url)!] : [];
  const fromEvent = str(o.url_from_event);
  const url = ctx.hasIncoming && fromEvent ? fromEvent : urls[0] ?? fromEvent;
  if (!url) return placeholderFor(ctx, 'The agent has no url to fetch.');
  if (urls.length > 1) {
    notes.push(`Huginn fetched ${urls.length} addresses; only the first (${urls[0]}) was imported. Add one HTTP request node per address.`);
    status = 'needs_attention';
  }
  const headers = headersOf(o, notes);
  if (notes.some((n) => n.startsWith('basic_auth used Huginn credentials'))) status = 'needs_attention';
  const method = (str(o.method) ?? 'GET').toUpperCase();
  const http = node(ctx.id(), 'http_request', labelOf(ctx), {
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? method : 'GET',
    url,
    ...(Object.keys(headers).length ? { headers } : {}),
  });
  const nodes: FlowNode[] = [http];
  notes.push(...credentialTagNotes({ url, headers }));
  if (credentialTagNames({ url, headers }).length) status = 'needs_attention';

  const type = (str(o.type) ?? (/\.json(\?|$)/i.test(url) ? 'json' : /\.(rss|xml)(\?|$)/i.test(url) ? 'xml' : 'html')).toLowerCase();
  const extract = (o.extract && typeof o.extract === 'object' && !Array.isArray(o.extract) ? o.extract : undefined) as Record<string, Record<string, unknown>> | undefined;
  if (type === 'json') {
    if (!extract || Object.keys(extract).length === 0) {
      nodes.push(node(ctx.id('body'), 'jsonata', labelOf(ctx, 'response'), { expression: 'body', mode: 'one' }));
      notes.push('Without extract, the parsed JSON answer is the event (as in Huginn).');
    } else {
      const { nodes: extraction, ok } = jsonExtraction(ctx, extract, notes);
      if (!ok) {
        return placeholderFor(ctx, `The JSONPath extractions (${Object.values(extract).map((d) => str(d.path)).join(', ')}) use syntax Muninn cannot translate (filters, unions or slices).`);
      }
      nodes.push(...extraction);
    }
  } else if (type === 'text' && extract) {
    const n = textExtraction(ctx, extract, notes);
    if (!n) return placeholderFor(ctx, 'The text extractions need a regexp and a numeric index; named groups cannot be translated.');
    nodes.push(n);
    status = status === 'mapped' ? 'approximated' : status;
  } else {
    nodes.push(
      node(ctx.id('extract'), 'placeholder', `Needs attention: ${labelOf(ctx, `${type.toUpperCase()} extraction`)}`, {
        source: 'Huginn',
        originalType: ctx.agent.type,
        originalOptions: { type, extract: (extract ?? {}) as JsonValue },
        reason: `Muninn cannot yet select parts of ${type.toUpperCase()} pages with CSS or XPath. The page is fetched; extract what you need from {{ body }} (for example with a Code node), then delete this node.`,
      }),
    );
    notes.push(`${type.toUpperCase()} extraction with CSS/XPath has no Muninn equivalent: the page is fetched and a placeholder stands for the extraction.`);
    status = 'needs_attention';
  }

  const template = o.template && typeof o.template === 'object' && !Array.isArray(o.template) ? (o.template as JsonObject) : undefined;
  if (template && type === 'json') {
    nodes.push(node(ctx.id('template'), 'transform', labelOf(ctx, 'template'), { template: markCredentialTags(template), mode: 'merge' }));
    if (JSON.stringify(template).match(/_response_|_url_/)) {
      notes.push('The template uses _response_ or _url_, which do not exist in Muninn (the HTTP answer has status, headers and body).');
      status = 'needs_attention';
    }
  }
  const mode = str(o.mode) ?? 'all';
  if (mode === 'on_change') {
    const lookback = Math.min(Math.max(intOf(o.uniqueness_look_back) ?? 200, 1), 10_000);
    nodes.push(node(ctx.id('new'), 'dedup', labelOf(ctx, 'only new'), { key: '', lookback }));
    notes.push(`mode on_change became a De-duplicate node remembering the last ${lookback} events.`);
  } else if (mode === 'merge') {
    notes.push('mode merge (keep the incoming event and add the extracted fields) is not reproduced: only the extracted fields are emitted.');
    status = status === 'mapped' ? 'approximated' : status;
  }
  notes.push(
    ...ignoredNotes(o, {
      http_success_codes: 'Muninn treats answers outside 200–299 as failures.',
      force_encoding: 'ignored; answers are read as UTF-8 unless they say otherwise.',
      unzip: 'ignored; compressed answers are handled by HTTP itself.',
      use_namespaces: 'ignored.',
    }),
  );
  if (ignoredNotes(o, { http_success_codes: '' }).length) status = status === 'mapped' ? 'approximated' : status;
  return { nodes, edges: chain(nodes.map((n) => n.id)), entry: http.id, exit: nodes[nodes.length - 1]!.id, polls: true, status, notes };
}

// ---------------------------------------------------------------------------------------------
// PostAgent

function formBody(payload: Record<string, unknown>): string {
  return Object.entries(payload)
    .map(([k, v]) => {
      const s = typeof v === 'string' ? v : JSON.stringify(v);
      const whole = /^\s*\{\{([\s\S]*?)\}\}\s*$/.exec(s);
      return `${encodeURIComponent(k)}=${whole ? `{{${whole[1]!.trimEnd()} | url_encode }}` : s.includes('{{') ? s : encodeURIComponent(s)}`;
    })
    .join('&');
}

export function mapPostAgent(ctx: MapContext): MappedAgent {
  const o = ctx.options;
  const notes: string[] = [];
  let status: MappingStatus = 'mapped';
  const postUrl = str(o.post_url);
  if (!postUrl) return placeholderFor(ctx, 'The agent has no post_url.');
  const method = (str(o.method) ?? 'post').toUpperCase();
  if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) return placeholderFor(ctx, `The method "${method}" is not supported.`);
  const headers = headersOf(o, notes);
  const payload = o.payload;
  const contentType = str(o.content_type) ?? 'form';
  let url = postUrl;
  let body: JsonValue | undefined;
  if (method === 'GET' || method === 'DELETE') {
    if (payload && typeof payload === 'object' && !Array.isArray(payload) && Object.keys(payload).length) {
      url += (url.includes('?') ? '&' : '?') + formBody(payload as Record<string, unknown>);
      notes.push('The payload became query parameters of the address, as Huginn sends it for GET and DELETE.');
    }
  } else if (contentType === 'json') {
    body = (payload ?? {}) as JsonValue;
  } else if (contentType === 'form') {
    if (payload && typeof payload === 'object' && !Array.isArray(payload)) {
      body = formBody(payload as Record<string, unknown>);
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      notes.push('The form-encoded payload became a text body with Content-Type application/x-www-form-urlencoded; nested values are sent as JSON text.');
    } else body = (payload ?? {}) as JsonValue;
  } else if (contentType === 'xml') {
    body = (payload ?? {}) as JsonValue;
    notes.push('content_type xml is not supported: the payload is sent as JSON. Build the XML as text if the receiver needs it.');
    status = 'needs_attention';
  } else if (/^\w+\/.+$/.test(contentType)) {
    body = typeof payload === 'string' ? payload : JSON.stringify(payload ?? {});
    headers['Content-Type'] = contentType;
  }
  if (ctx.hasIncoming && !boolish(o.no_merge, false) && method !== 'GET' && method !== 'DELETE') {
    notes.push('Huginn also merged the incoming event into the payload (no_merge is false); Muninn sends only the payload. Add the fields you need to the body, e.g. "title": "{{ title }}".');
    status = 'approximated';
  }
  if (ctx.hasOutgoing && !boolish(o.emit_events, false)) {
    notes.push('emit_events was off in Huginn, yet other agents were linked after it; Muninn always passes the answer (status, headers, body) on.');
  }
  if (str(o.output_mode) === 'merge') {
    notes.push('output_mode merge is not reproduced: the event passed on is the answer only.');
    status = status === 'mapped' ? 'approximated' : status;
  }
  notes.push(...credentialTagNotes({ url, headers, body }));
  if (credentialTagNames({ url, headers, body }).length) status = 'needs_attention';
  if (notes.some((n) => n.startsWith('basic_auth used Huginn credentials'))) status = 'needs_attention';
  const id = ctx.id();
  const http = node(id, 'http_request', labelOf(ctx), markCredentialTags({
    method,
    url,
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(body !== undefined ? { body } : {}),
  }) as JsonObject);
  return { nodes: [http], edges: [], entry: id, exit: id, polls: true, status, notes };
}

// ---------------------------------------------------------------------------------------------
// TriggerAgent

const RUBY_ONLY = /\\[AzZhG]|\(\?<[a-z]|\(\?[imx]*-[imx]+\)|\+\+|\*\+|\?\+/;

function rubyRegex(value: string, notes: Set<string>): string {
  let pattern = value;
  let ignoreCase = true;
  if (pattern.startsWith('(?-i)')) {
    pattern = pattern.slice(5);
    ignoreCase = false;
  }
  pattern = pattern.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  if (RUBY_ONLY.test(pattern)) notes.add(`The pattern "${value}" uses Ruby-only syntax; check it.`);
  return `${ignoreCase ? '(?i)' : ''}${pattern}`;
}

type Condition = { path: string; op: string; value?: JsonValue } | { match: 'all' | 'any'; rules: Condition[] };

function ruleToCondition(rule: Record<string, unknown>, notes: Set<string>): Condition | undefined {
  const type = str(rule.type);
  const rawPath = str(rule.path) ?? '';
  const path = jsonPathToDotted(rawPath);
  if (!type || path === undefined || path === '') {
    notes.add(`The rule on "${rawPath}" uses a path Muninn cannot read (wildcards or filters).`);
    return undefined;
  }
  const values = Array.isArray(rule.value) ? rule.value : [rule.value];
  const one = (v: unknown): Condition | undefined => {
    const text = typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
    const num = typeof v === 'number' ? v : text.trim() !== '' && Number.isFinite(Number(text)) && !text.includes('{{') ? Number(text) : text;
    switch (type) {
      case 'regex':
        return { path, op: 'regex', value: rubyRegex(text, notes) };
      case '!regex': {
        const p = rubyRegex(text, notes);
        const flags = p.startsWith('(?i)') ? '(?i)' : '';
        return { path, op: 'regex', value: `${flags}^(?![\\s\\S]*?(?:${p.slice(flags.length)}))` };
      }
      case 'field>value':
        return { path, op: 'gt', value: num };
      case 'field>=value':
        return { path, op: 'gte', value: num };
      case 'field<value':
        return { path, op: 'lt', value: num };
      case 'field<=value':
        return { path, op: 'lte', value: num };
      case 'field==value':
        return { path, op: 'eq', value: text };
      case 'field!=value':
        return { path, op: 'ne', value: text };
      case 'not in':
        return { path, op: 'not_in', value: text.split(',').map((s) => s.trim()) };
      default:
        notes.add(`The rule type "${type}" is not known.`);
        return undefined;
    }
  };
  const conds = values.map(one);
  if (conds.some((c) => !c)) return undefined;
  if (['field>value', 'field>=value', 'field<value', 'field<=value'].includes(type)) {
    notes.add('Huginn compared numbers treating text as 0; Muninn lets text that is not a number fail the comparison.');
  }
  // Huginn: with several values, the rule matches when any of them does.
  return conds.length === 1 ? conds[0] : { match: 'any', rules: conds as Condition[] };
}

function combinations<T>(items: T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [first, ...rest] = items;
  return [...combinations(rest, k - 1).map((c) => [first!, ...c]), ...combinations(rest, k)];
}

export function mapTriggerAgent(ctx: MapContext): MappedAgent {
  const o = ctx.options;
  const noteSet = new Set<string>();
  const rules = Array.isArray(o.rules) ? (o.rules as Array<Record<string, unknown>>) : [];
  if (rules.length === 0) return placeholderFor(ctx, 'The TriggerAgent has no rules.');
  const conds = rules.map((r) => (r && typeof r === 'object' ? ruleToCondition(r, noteSet) : undefined));
  if (conds.some((c) => !c)) return placeholderFor(ctx, `Some rules could not be translated. ${[...noteSet].join(' ')}`);
  const list = conds as Condition[];
  let status: MappingStatus = 'mapped';
  const mustMatch = intOf(o.must_match);
  let options: JsonObject;
  if (mustMatch === undefined || mustMatch >= list.length) options = { match: 'all', rules: list as JsonValue[] };
  else if (mustMatch <= 1) options = { match: 'any', rules: list as JsonValue[] };
  else {
    const combos = combinations(list, mustMatch);
    if (combos.length <= 20) {
      options = { match: 'any', rules: combos.map((c) => ({ match: 'all', rules: c })) as JsonValue[] };
      noteSet.add(`must_match ${mustMatch} of ${list.length} became "any" of the ${combos.length} combinations of ${mustMatch} rules.`);
    } else {
      options = { match: 'any', rules: list as JsonValue[] };
      noteSet.add(`must_match ${mustMatch} of ${list.length} cannot be written compactly; the filter now passes when any rule matches. Tighten it by hand.`);
      status = 'approximated';
    }
  }
  const filterId = ctx.id();
  const nodes: FlowNode[] = [node(filterId, 'filter', labelOf(ctx), options)];
  const keep = boolish(o.keep_event, false);
  const message = str(o.message);
  if (!keep) {
    nodes.push(node(ctx.id('message'), 'transform', labelOf(ctx, 'message'), { template: { message: message ?? '' }, mode: 'replace' }));
    noteSet.add('keep_event is off: like Huginn, the event passed on is { "message": … } only.');
  } else if (message) {
    nodes.push(node(ctx.id('message'), 'transform', labelOf(ctx, 'message'), { template: { message }, mode: 'merge' }));
  }
  return { nodes, edges: chain(nodes.map((n) => n.id)), entry: filterId, exit: nodes[nodes.length - 1]!.id, status, notes: [...noteSet] };
}

// ---------------------------------------------------------------------------------------------
// Shaping, memory, time

export function mapEventFormattingAgent(ctx: MapContext): MappedAgent {
  const o = ctx.options;
  const notes: string[] = [];
  let status: MappingStatus = 'mapped';
  const instructions = o.instructions && typeof o.instructions === 'object' && !Array.isArray(o.instructions) ? (o.instructions as JsonObject) : {};
  const mode = str(o.mode) === 'merge' ? 'merge' : 'replace';
  if (Array.isArray(o.matchers) && o.matchers.length) {
    notes.push('matchers (regular expressions whose captures become variables) are not supported: templates using those variables render empty. Use a JSONata node with $match instead.');
    status = 'needs_attention';
  }
  if (str(o.mode) && !['clean', 'merge'].includes(str(o.mode)!)) notes.push(`mode "${str(o.mode)}" is unknown; "clean" (replace) was used.`);
  if (boolish(o.skip_created_at)) notes.push('skip_created_at is not needed: Muninn events have no created_at field.');
  else if (JSON.stringify(instructions).includes('created_at')) notes.push('Huginn added created_at to events; Muninn events do not have it.');
  const id = ctx.id();
  return { nodes: [node(id, 'transform', labelOf(ctx), { template: markCredentialTags(instructions), mode })], edges: [], entry: id, exit: id, status, notes };
}

export function mapDeDuplicationAgent(ctx: MapContext): MappedAgent {
  const o = ctx.options;
  const notes: string[] = [];
  let lookback = intOf(o.lookback) ?? 100;
  if (lookback <= 0) {
    notes.push('lookback 0 (remember everything) became 10,000, the most Muninn remembers.');
    lookback = 10_000;
  } else if (lookback > 10_000) {
    notes.push(`lookback ${lookback} became 10,000, the most Muninn remembers.`);
    lookback = 10_000;
  }
  const id = ctx.id();
  return { nodes: [node(id, 'dedup', labelOf(ctx), { key: str(o.property) ?? '', lookback })], edges: [], entry: id, exit: id, status: 'mapped', notes };
}

export function mapChangeDetectorAgent(ctx: MapContext): MappedAgent {
  const id = ctx.id();
  return {
    nodes: [node(id, 'dedup', labelOf(ctx), { key: str(ctx.options.property) ?? '', lookback: 1 })],
    edges: [],
    entry: id,
    exit: id,
    status: 'mapped',
    notes: ['A De-duplicate node that remembers one key passes an event exactly when the property changed.'],
  };
}

export function mapDelayAgent(ctx: MapContext): MappedAgent {
  const o = ctx.options;
  let duration = scheduleAsDuration(ctx.agent.schedule) ?? '12h';
  const notes = [
    `Huginn held events and released them all on its schedule (${ctx.agent.schedule ?? 'every_12h'}); Muninn holds each event for ${duration} and passes it on by itself — about the same wait, without batching.`,
  ];
  const n = /^(\d+)([mhd])$/.exec(duration);
  if (n && n[2] === 'd' && Number(n[1]) > 7) {
    duration = '7d';
    notes.push('Delays are at most 7 days; the delay was shortened to 7d.');
  }
  notes.push(
    ...ignoredNotes(o, {
      max_events: 'no buffer limit in Muninn: every event is delayed.',
      max_emitted_events: 'not applicable: events are not released in batches.',
      emit_interval: 'not applicable: each event leaves when its own delay ends.',
      events_order: 'not applicable.',
    }),
  );
  const id = ctx.id();
  return { nodes: [node(id, 'delay', labelOf(ctx), { duration })], edges: [], entry: id, exit: id, status: 'approximated', notes };
}

const DIGEST_COUNT = 10;

export function mapDigestAgent(ctx: MapContext): MappedAgent {
  const o = ctx.options;
  const message = str(o.message) ?? "{{ events | map: 'message' | join: ',' }}";
  const digestId = ctx.id();
  const msgId = ctx.id('message');
  return {
    nodes: [
      node(digestId, 'digest', labelOf(ctx), { count: DIGEST_COUNT, field: 'events' }),
      node(msgId, 'transform', labelOf(ctx, 'message'), { template: { message: markCredentialTags(message), events: '{{ events }}' }, mode: 'replace' }),
    ],
    edges: chain([digestId, msgId]),
    entry: digestId,
    exit: msgId,
    status: 'approximated',
    notes: [
      `Huginn sent the digest on its schedule (${ctx.agent.schedule ?? '6am'}); Muninn's Digest sends one every ${DIGEST_COUNT} events. Change "count" to suit.`,
      ...ignoredNotes(o, { retained_events: 'not applicable: each digest starts empty.' }),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Notify

function recipientsOf(o: Record<string, unknown>): string | undefined {
  const r = o.recipients;
  if (Array.isArray(r)) return r.map(String).filter(Boolean).join(', ') || undefined;
  return str(r)?.trim() || undefined;
}

function emailNode(ctx: MapContext, id: string, label: string, body: string, notes: string[]): FlowNode {
  const o = ctx.options;
  const to = recipientsOf(o);
  if (!to) notes.push('Huginn sent to the account\'s own address; enter the recipients (To).');
  if (str(o.from)) notes.push('from: the sender now comes from the SMTP credential.');
  return node(id, 'email', label, {
    credential: ctx.credential({ types: ['smtp'], why: 'an SMTP server to send e-mail (Huginn used its own mail settings)' }),
    to: to ?? 'change-me@example.com',
    subject: markCredentialTags(str(o.subject) ?? 'Message from Muninn'),
    body: markCredentialTags(body),
    html: /html/i.test(str(o.content_type) ?? ''),
  });
}

export function mapEmailAgent(ctx: MapContext): MappedAgent {
  const o = ctx.options;
  const notes: string[] = [];
  const headline = str(o.headline);
  const body = str(o.body) ?? `${headline ? `${headline}\n\n` : ''}{{ message }}`;
  if (!str(o.body)) notes.push('Huginn listed every field of the event when no body was set; the body now shows {{ message }}. Name the fields you want.');
  const id = ctx.id();
  const n = emailNode(ctx, id, labelOf(ctx), body, notes);
  return { nodes: [n], edges: [], entry: id, exit: id, status: recipientsOf(o) ? 'mapped' : 'needs_attention', notes };
}

export function mapEmailDigestAgent(ctx: MapContext): MappedAgent {
  const o = ctx.options;
  const notes = [`Huginn sent the digest on its schedule (${ctx.agent.schedule ?? '5am'}); Muninn sends one e-mail every ${DIGEST_COUNT} events. Change the Digest's "count" to suit.`];
  const headline = str(o.headline);
  const body =
    str(o.body) ??
    `${headline ? `${headline}\n\n` : ''}{% for event in events %}- {% if event.message %}{{ event.message }}{% else %}{{ event | json }}{% endif %}\n{% endfor %}`;
  const digestId = ctx.id('collect');
  const mailId = ctx.id();
  const mail = emailNode(ctx, mailId, labelOf(ctx), body, notes);
  return {
    nodes: [node(digestId, 'digest', labelOf(ctx, 'collect'), { count: DIGEST_COUNT, field: 'events' }), mail],
    edges: chain([digestId, mailId]),
    entry: digestId,
    exit: mailId,
    status: recipientsOf(o) ? 'approximated' : 'needs_attention',
    notes,
  };
}

export function mapSlackAgent(ctx: MapContext): MappedAgent {
  const o = ctx.options;
  const notes: string[] = [];
  const hook = str(o.webhook_url)?.trim();
  let credential: string;
  if (hook && /^https:\/\/hooks\.slack\.com\//.test(hook)) {
    credential = ctx.credential({
      types: ['slack_webhook', 'slack_bot'],
      create: { type: 'slack_webhook', name: `Slack – ${ctx.agent.name?.trim() || 'imported from Huginn'}`, data: { webhookUrl: hook } },
      why: 'the Slack incoming webhook of the Huginn agent',
    });
    notes.push('The webhook URL was moved into a new Slack incoming webhook credential.');
  } else {
    const tag = wholeCredentialTag(hook);
    credential = ctx.credential({ types: ['slack_webhook', 'slack_bot'], why: tag ? `the Slack webhook Huginn kept in its credential "${tag}"` : 'a Slack credential' });
  }
  notes.push(
    ...ignoredNotes(o, {
      username: 'not supported: messages show the Slack app\'s name.',
      icon: 'not supported: messages show the Slack app\'s icon.',
    }),
  );
  const channel = str(o.channel);
  const id = ctx.id();
  return {
    nodes: [node(id, 'slack', labelOf(ctx), { credential, ...(channel ? { channel } : {}), text: markCredentialTags(str(o.message) ?? '{{ message }}') })],
    edges: [],
    entry: id,
    exit: id,
    status: 'mapped',
    notes,
  };
}

// ---------------------------------------------------------------------------------------------
// Triggers, code, apps

export function mapWebhookAgent(ctx: MapContext): MappedAgent {
  const o = ctx.options;
  const notes = ['Muninn gives the flow its own webhook address (shown once the flow is saved): point the sender to it. Huginn\'s secret in the address is not needed.'];
  notes.push(
    ...ignoredNotes(o, {
      verbs: 'Muninn accepts POST.',
      response: 'Muninn answers 202 with the run id (or, if you choose, the output of a node).',
      code: 'see response.',
      recaptcha_secret: 'not supported.',
    }),
  );
  const id = ctx.id();
  const nodes: FlowNode[] = [node(id, 'webhook', labelOf(ctx), {})];
  const payloadPath = str(o.payload_path)?.trim();
  if (payloadPath && payloadPath !== '.' && payloadPath !== '$') {
    const expr = jsonPathToJsonata(payloadPath);
    if (expr) {
      nodes.push(node(ctx.id('payload'), 'jsonata', labelOf(ctx, 'payload'), { expression: expr, mode: 'each' }));
      notes.push(`payload_path "${payloadPath}" became a JSONata node that picks that part of the body (one event per item for a list).`);
    } else notes.push(`payload_path "${payloadPath}" could not be translated; the whole body is the event.`);
  }
  return { nodes, edges: chain(nodes.map((n) => n.id)), exit: nodes[nodes.length - 1]!.id, status: 'mapped', notes };
}

export function mapManualEventAgent(ctx: MapContext): MappedAgent {
  const id = ctx.id();
  return { nodes: [node(id, 'manual', labelOf(ctx), {})], edges: [], exit: id, status: 'mapped', notes: ['Start it with the Run button; the payload you give is the event.'] };
}

/** Huginn's JavaScript agent API (this.incomingEvents(), this.createEvent() …) on top of Muninn's Code node. */
function javascriptShim(code: string, options: Record<string, unknown>): string {
  const opts = JSON.stringify(Object.fromEntries(Object.entries(options).filter(([k]) => !['code', 'language', 'expected_receive_period_in_days'].includes(k))));
  return `// Imported from Huginn's JavaScriptAgent. The object below gives the original code the API it
// expects; memory() is not kept between runs and credential() is not available.
const __emitted = [];
const __memory = {};
const __options = ${opts};
const Agent = {
  incomingEvents() { return [{ payload: event }]; },
  createEvent(payload) { __emitted.push(payload); },
  memory(key, value) { if (value !== undefined) { __memory[key] = value; } return key === undefined ? __memory : __memory[key]; },
  setMemory(m) { Object.assign(__memory, m); },
  deleteKey(key) { delete __memory[key]; },
  options(key) { return key === undefined ? __options : __options[key]; },
  credential(name) { throw new Error('Huginn credential "' + name + '" is not available in Muninn'); },
  log() {},
  error(message) { throw new Error(String(message)); },
  escapeHtml(s) { return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]); },
};
${code}
if (event && event.scheduledAt !== undefined && typeof Agent.check === 'function') Agent.check();
else if (typeof Agent.receive === 'function') Agent.receive();
return __emitted;`;
}

export function mapJavaScriptAgent(ctx: MapContext): MappedAgent {
  const o = ctx.options;
  const code = str(o.code);
  if (!code) return placeholderFor(ctx, 'The agent has no code.');
  if ((str(o.language) ?? 'JavaScript').toLowerCase().startsWith('coffee')) {
    return placeholderFor(ctx, 'CoffeeScript cannot run in Muninn; translate the code to JavaScript and use a Code node.');
  }
  const code_agent = getAgent('code');
  if (!code_agent) return placeholderFor(ctx, 'The Code agent is not available on this Muninn instance yet; the original code is kept in the settings of this node.');
  const options = { code: javascriptShim(code, o) };
  if (!code_agent.options.safeParse(options).success) return placeholderFor(ctx, 'The code could not be converted into a Code node; the original code is kept in the settings of this node.');
  const id = ctx.id();
  return {
    nodes: [node(id, 'code', labelOf(ctx), options)],
    edges: [],
    entry: id,
    exit: id,
    polls: typeof ctx.agent.schedule === 'string' && ctx.agent.schedule !== 'never',
    status: 'approximated',
    notes: ['The code runs with a small stand-in for Huginn\'s Agent API; memory() is not kept between runs. Test the node before relying on it.'],
  };
}

export function mapJiraAgent(ctx: MapContext): MappedAgent {
  const o = ctx.options;
  const jira = getAgent('jira');
  const jql = str(o.jql)?.trim() ?? '';
  const site = str(o.jira_url)?.trim().replace(/\/+$/, '');
  const reason = `Huginn's JiraAgent polled issues with the JQL "${jql}"${site ? ` on ${site}` : ''}. Configure a Jira node (action poll) with this JQL and a Jira Cloud credential.`;
  if (!jira) return placeholderFor(ctx, `${reason} (The Jira agent is not available on this instance yet.)`);
  if (!jql) return placeholderFor(ctx, 'The JiraAgent has no JQL.');
  const notes: string[] = [];
  const user = str(o.username)?.trim();
  const password = str(o.password)?.trim();
  const literal = (v?: string) => Boolean(v) && !credentialTagNames(v).length && !v!.includes('{{');
  let credential: string;
  if (site && /^https:\/\/[^/]+\.atlassian\.net$/.test(site) && literal(user) && user!.includes('@') && literal(password)) {
    credential = ctx.credential({
      types: ['jira_cloud'],
      create: { type: 'jira_cloud', name: `Jira – ${new URL(site).hostname}`, data: { baseUrl: site, email: user!, apiToken: password! } },
      why: `the Jira Cloud account of ${site}`,
    });
    notes.push('The site, user and API token were moved into a new Jira Cloud credential.');
  } else {
    credential = ctx.credential({ types: ['jira_cloud'], why: `a Jira Cloud credential for ${site ?? 'the Jira site'} (Huginn kept the user name and password in the agent)` });
  }
  const options: JsonObject = { action: 'poll', credential, jql, first_poll: 'all' };
  if (!jira.options.safeParse(options).success) return placeholderFor(ctx, reason);
  notes.push('Like Huginn, each poll emits the issues created or updated since the previous one (the first poll emits all matching issues); events have the issue under "issue".');
  if (o.timeout !== undefined) notes.push('timeout: Muninn applies its own request time-outs.');
  const id = ctx.id();
  return { nodes: [node(id, 'jira', labelOf(ctx), options)], edges: [], entry: id, exit: id, polls: true, status: 'mapped', notes };
}

/** SchedulerAgent: a Schedule node whose ticks go to the agents it controlled. */
export function mapSchedulerAgent(ctx: MapContext): MappedAgent {
  const o = ctx.options;
  const action = str(o.action) ?? 'run';
  if (action !== 'run') return placeholderFor(ctx, `The SchedulerAgent action "${action}" (enabling or disabling agents on a schedule) has no Muninn equivalent.`);
  const mapped = mapHuginnCron(str(o.schedule) ?? '');
  if (!mapped) return placeholderFor(ctx, `The cron expression "${str(o.schedule) ?? ''}" could not be read.`);
  const id = ctx.id();
  return {
    nodes: [node(id, 'schedule', labelOf(ctx), mapped.options)],
    edges: [],
    exit: id,
    status: 'mapped',
    notes: [`Runs ${mapped.label}; its ticks go to the agents it controlled.`, ...mapped.notes],
  };
}

export type Mapper = (ctx: MapContext) => MappedAgent;

/** Huginn agent type → mapper. Anything else becomes a placeholder. */
export const mappers: Record<string, Mapper> = {
  WebsiteAgent: mapWebsiteAgent,
  PostAgent: mapPostAgent,
  TriggerAgent: mapTriggerAgent,
  EventFormattingAgent: mapEventFormattingAgent,
  DeDuplicationAgent: mapDeDuplicationAgent,
  ChangeDetectorAgent: mapChangeDetectorAgent,
  DelayAgent: mapDelayAgent,
  DigestAgent: mapDigestAgent,
  EmailAgent: mapEmailAgent,
  EmailDigestAgent: mapEmailDigestAgent,
  SlackAgent: mapSlackAgent,
  WebhookAgent: mapWebhookAgent,
  ManualEventAgent: mapManualEventAgent,
  JavaScriptAgent: mapJavaScriptAgent,
  JiraAgent: mapJiraAgent,
  SchedulerAgent: mapSchedulerAgent,
};
