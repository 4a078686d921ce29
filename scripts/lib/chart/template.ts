/**
 * A small interpreter for the subset of Go's text/template that our Helm chart uses.
 *
 * Supported: text and actions with trim markers (`{{-`, `-}}`), comments, fields (`.A.B`), variables
 * (`$`, `$x`, `$x.A`, `:=`, `=`), literals (strings, raw strings, numbers, true/false/nil), pipelines
 * (`a | f b`), parenthesised pipelines, `if`/`else if`/`else`, `range` (lists and maps, with
 * `$i, $v :=`), `with`/`else`, `define`, `template`, and whatever functions the caller registers.
 *
 * Value model, chosen to behave like Helm rather than like JavaScript:
 * - numbers from values files are float64 in Helm; they are JS `number` here;
 * - integers made by the template (literals, `int`, `add`, `len`, range indexes) are Go `int`;
 *   they are `bigint` here, so that comparing an int with a float fails exactly as it does in Helm;
 * - printing a float uses Go's `%v` (`1000000` prints as `1e+06`, as it does in Helm).
 * Deliberately stricter than Go: printing a map or a list is an error (Go prints `map[…]`), and in
 * strict mode (Helm's `--strict`) a missing map key is an error instead of an empty value.
 */

export type Value = unknown;
export type TemplateFunction = (...args: Value[]) => Value;
/** `and` / `or` evaluate their arguments lazily, as Go does since 1.18. */
type LazyFunction = (args: Array<() => Value>) => Value;

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

// ---------------------------------------------------------------------------------------------
// Lexer

type Token =
  | { t: 'field'; chain: string[]; pos: number }
  | { t: 'var'; name: string; chain: string[]; pos: number }
  | { t: 'ident'; name: string; pos: number }
  | { t: 'string'; value: string; pos: number }
  | { t: 'number'; value: Value; pos: number }
  | { t: 'chain'; chain: string[]; pos: number } // `.A.B` directly after `)`
  | { t: '(' | ')' | '|' | ':=' | '=' | ','; pos: number };

type Item = { k: 'text'; text: string } | { k: 'action'; tokens: Token[]; pos: number };

const SPACE = /[ \t\r\n]/;
const IDENT = /[A-Za-z0-9_]/;

function lex(src: string, file: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  let trimNext = false;
  const fail = (pos: number, msg: string): never => {
    throw new TemplateError(`${file}:${lineOf(src, pos)}: ${msg}`);
  };
  const pushText = (text: string, trimLeft: boolean) => {
    let t = trimNext ? text.replace(/^[ \t\r\n]+/, '') : text;
    if (trimLeft) t = t.replace(/[ \t\r\n]+$/, '');
    if (t) items.push({ k: 'text', text: t });
  };
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      pushText(src.slice(i), false);
      break;
    }
    let j = open + 2;
    const trimLeft = src[j] === '-' && SPACE.test(src[j + 1] ?? '');
    if (trimLeft) j += 2;
    pushText(src.slice(i, open), trimLeft);
    trimNext = false;
    while (SPACE.test(src[j] ?? '')) j++;
    if (src.startsWith('/*', j)) {
      const close = src.indexOf('*/', j + 2);
      if (close < 0) fail(open, 'unclosed comment');
      j = close + 2;
      while (SPACE.test(src[j] ?? '')) j++;
      if (src.startsWith('-}}', j)) {
        trimNext = true;
        j += 3;
      } else if (src.startsWith('}}', j)) j += 2;
      else fail(open, 'comment must be followed by }}');
      i = j;
      continue;
    }
    const tokens: Token[] = [];
    for (;;) {
      const wasSpace = SPACE.test(src[j - 1] ?? '');
      while (SPACE.test(src[j] ?? '')) j++;
      if (j >= src.length) fail(open, 'unclosed action');
      if (src.startsWith('-}}', j) && (wasSpace || SPACE.test(src[j - 1] ?? ''))) {
        trimNext = true;
        j += 3;
        break;
      }
      if (src.startsWith('}}', j)) {
        j += 2;
        break;
      }
      const c = src[j] as string;
      const pos = j;
      if (c === '"') {
        let k = j + 1;
        while (k < src.length && src[k] !== '"') k += src[k] === '\\' ? 2 : 1;
        if (k >= src.length) fail(pos, 'unterminated string');
        tokens.push({ t: 'string', value: JSON.parse(src.slice(j, k + 1)) as string, pos });
        j = k + 1;
      } else if (c === '`') {
        const k = src.indexOf('`', j + 1);
        if (k < 0) fail(pos, 'unterminated raw string');
        tokens.push({ t: 'string', value: src.slice(j + 1, k), pos });
        j = k + 1;
      } else if (c === ':' && src[j + 1] === '=') {
        tokens.push({ t: ':=', pos });
        j += 2;
      } else if (c === '=' || c === '(' || c === ')' || c === '|' || c === ',') {
        tokens.push({ t: c, pos });
        j += 1;
      } else if (/[-+0-9]/.test(c) && /[0-9]/.test((c === '-' || c === '+' ? src[j + 1] : c) ?? '')) {
        const m = /^[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(src.slice(j)) as RegExpExecArray;
        const text = m[0];
        // Go: an integer literal is an int; with a fraction or exponent it is a float64.
        const value = m[1] || m[2] ? Number(text) : BigInt(text);
        tokens.push({ t: 'number', value, pos });
        j += text.length;
      } else if (c === '.' || c === '$') {
        let k = j;
        let name = '';
        if (c === '$') {
          k++;
          while (IDENT.test(src[k] ?? '')) name += src[k++];
        }
        const chain: string[] = [];
        while (src[k] === '.') {
          k++;
          let f = '';
          while (IDENT.test(src[k] ?? '')) f += src[k++];
          if (!f) {
            if (c === '.' && chain.length === 0 && k === j + 1) break; // a lone `.`
            fail(pos, 'bad field name');
          }
          chain.push(f);
        }
        const afterParen = c === '.' && tokens.at(-1)?.t === ')' && !SPACE.test(src[j - 1] ?? '');
        if (afterParen) tokens.push({ t: 'chain', chain, pos });
        else if (c === '$') tokens.push({ t: 'var', name: '$' + name, chain, pos });
        else tokens.push({ t: 'field', chain, pos });
        j = k;
      } else if (/[A-Za-z_]/.test(c)) {
        let name = '';
        while (IDENT.test(src[j] ?? '')) name += src[j++];
        tokens.push({ t: 'ident', name, pos });
      } else {
        fail(pos, `unexpected character ${JSON.stringify(c)} in action`);
      }
    }
    items.push({ k: 'action', tokens, pos: open });
    i = j;
  }
  return items;
}

function lineOf(src: string, pos: number): number {
  let n = 1;
  for (let k = 0; k < pos && k < src.length; k++) if (src[k] === '\n') n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Parser

type Operand =
  | { o: 'field'; chain: string[] }
  | { o: 'var'; name: string; chain: string[] }
  | { o: 'ident'; name: string }
  | { o: 'lit'; value: Value }
  | { o: 'pipe'; pipe: Pipeline; chain: string[] };
type Command = Operand[];
interface Pipeline {
  decl?: { names: string[]; assign: boolean };
  cmds: Command[];
}
type Node =
  | { n: 'text'; text: string }
  | { n: 'print'; pipe: Pipeline; where: string }
  | { n: 'if' | 'with' | 'range'; pipe: Pipeline; body: Node[]; alt: Node[]; where: string }
  | { n: 'template'; name: string; pipe: Pipeline | undefined; where: string };

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

class Parser {
  private k = 0;
  constructor(
    private readonly items: Item[],
    private readonly src: string,
    private readonly file: string,
    private readonly defines: Map<string, Node[]>,
  ) {}

  parseFile(): Node[] {
    const { nodes, stop } = this.parseList(true);
    if (stop) this.fail(stop.pos, `unexpected {{${stop.kw}}}`);
    return nodes;
  }

  private where(pos: number): string {
    return `${this.file}:${lineOf(this.src, pos)}`;
  }

  private fail(pos: number, msg: string): never {
    throw new TemplateError(`${this.where(pos)}: ${msg}`);
  }

  /** Parses nodes until `{{end}}` / `{{else …}}` (returned as `stop`) or the end of input. */
  private parseList(topLevel = false): { nodes: Node[]; stop?: { kw: 'end' | 'else'; rest: Token[]; pos: number } } {
    const nodes: Node[] = [];
    while (this.k < this.items.length) {
      const item = this.items[this.k++] as Item;
      if (item.k === 'text') {
        nodes.push({ n: 'text', text: item.text });
        continue;
      }
      const [first, ...rest] = item.tokens;
      if (!first) this.fail(item.pos, 'missing value for command');
      const kw = first.t === 'ident' && KEYWORDS.has(first.name) ? first.name : undefined;
      if (kw === 'end' || kw === 'else') {
        if (topLevel) this.fail(item.pos, `unexpected {{${kw}}}`);
        return { nodes, stop: { kw, rest, pos: item.pos } };
      }
      if (kw === 'if' || kw === 'with' || kw === 'range') {
        nodes.push(this.parseControl(kw, rest, item.pos));
      } else if (kw === 'define') {
        if (!topLevel) this.fail(item.pos, '{{define}} must be at top level');
        const name = rest[0];
        if (rest.length !== 1 || name?.t !== 'string') this.fail(item.pos, 'define needs one string name');
        const body = this.parseList();
        if (body.stop?.kw !== 'end') this.fail(item.pos, `unterminated define ${JSON.stringify(name.value)}`);
        this.defines.set(name.value, body.nodes);
      } else if (kw === 'template') {
        const name = rest[0];
        if (name?.t !== 'string') this.fail(item.pos, 'template needs a string name');
        const args = rest.slice(1);
        nodes.push({ n: 'template', name: name.value, pipe: args.length ? this.pipeline(args, item.pos) : undefined, where: this.where(item.pos) });
      } else if (kw) {
        this.fail(item.pos, `{{${kw}}} is not supported by this renderer`);
      } else {
        nodes.push({ n: 'print', pipe: this.pipeline(item.tokens, item.pos, true), where: this.where(item.pos) });
      }
    }
    return { nodes };
  }

  private parseControl(kw: 'if' | 'with' | 'range', tokens: Token[], pos: number): Node {
    const pipe = this.pipeline(tokens, pos, kw === 'range' ? 'range' : true);
    const body = this.parseList();
    if (!body.stop) this.fail(pos, `unterminated {{${kw}}}`);
    let alt: Node[] = [];
    if (body.stop.kw === 'else') {
      const [next, ...rest] = body.stop.rest;
      if (next?.t === 'ident' && (next.name === 'if' || next.name === 'with')) {
        // `{{else if x}}` is `{{else}}{{if x}}…{{end}}` sharing the outer `{{end}}`.
        alt = [this.parseControl(next.name, rest, body.stop.pos)];
      } else {
        if (next) this.fail(body.stop.pos, 'unexpected tokens after else');
        const tail = this.parseList();
        if (tail.stop?.kw !== 'end') this.fail(pos, `unterminated {{${kw}}}`);
        alt = tail.nodes;
      }
    } else if (body.stop.rest.length) {
      this.fail(body.stop.pos, 'unexpected tokens after end');
    }
    return { n: kw, pipe, body: body.nodes, alt, where: this.where(pos) };
  }

  /** `decl`: whether a variable declaration may start the pipeline ('range' allows two names). */
  private pipeline(tokens: Token[], pos: number, decl: boolean | 'range' = false): Pipeline {
    let ts = tokens;
    let declaration: Pipeline['decl'];
    if (decl) {
      const a = ts[0];
      const b = ts[1];
      const c = ts[2];
      const d = ts[3];
      if (a?.t === 'var' && !a.chain.length && (b?.t === ':=' || b?.t === '=')) {
        declaration = { names: [a.name], assign: b.t === '=' };
        ts = ts.slice(2);
      } else if (decl === 'range' && a?.t === 'var' && b?.t === ',' && c?.t === 'var' && d?.t === ':=') {
        declaration = { names: [a.name, c.name], assign: false };
        ts = ts.slice(4);
      }
    }
    const cmds: Command[] = [];
    let cur: Command = [];
    let k = 0;
    while (k < ts.length) {
      const tok = ts[k++] as Token;
      if (tok.t === '|') {
        if (!cur.length) this.fail(tok.pos, 'missing command before |');
        cmds.push(cur);
        cur = [];
      } else if (tok.t === '(') {
        let depth = 1;
        const start = k;
        while (k < ts.length && depth > 0) {
          const t = ts[k++] as Token;
          if (t.t === '(') depth++;
          else if (t.t === ')') depth--;
        }
        if (depth) this.fail(tok.pos, 'unclosed (');
        const inner = this.pipeline(ts.slice(start, k - 1), tok.pos);
        const next = ts[k];
        const chain = next?.t === 'chain' ? (k++, next.chain) : [];
        cur.push({ o: 'pipe', pipe: inner, chain });
      } else if (tok.t === 'field') cur.push({ o: 'field', chain: tok.chain });
      else if (tok.t === 'var') cur.push({ o: 'var', name: tok.name, chain: tok.chain });
      else if (tok.t === 'string' || tok.t === 'number') cur.push({ o: 'lit', value: tok.value });
      else if (tok.t === 'ident') {
        if (tok.name === 'true' || tok.name === 'false') cur.push({ o: 'lit', value: tok.name === 'true' });
        else if (tok.name === 'nil') cur.push({ o: 'lit', value: null });
        else if (KEYWORDS.has(tok.name)) this.fail(tok.pos, `unexpected keyword ${tok.name}`);
        else cur.push({ o: 'ident', name: tok.name });
      } else this.fail(tok.pos, `unexpected ${tok.t}`);
    }
    if (!cur.length) this.fail(pos, 'missing value for command');
    cmds.push(cur);
    return { decl: declaration, cmds };
  }
}

// ---------------------------------------------------------------------------------------------
// Values

export function isMap(v: Value): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's truth: false, 0, nil, and empty strings, lists and maps are false. */
export function truthy(v: Value): boolean {
  if (v === null || v === undefined || v === false || v === '' || v === 0 || v === 0n) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/**
 * Go's `%v` for a float64 (how Helm prints numbers from values files): the shortest digits that
 * round-trip, in exponent form when the exponent is < -4 or >= 6 (`%g` with the shortest precision
 * uses 6 for that decision), so 1000000 prints as `1e+06` and 123456 as `123456`.
 */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp >= -4 && exp < 6) return String(v);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** How Go's fmt prints a value with `%v` (Helm's `toString`). Maps and lists are refused. */
export function goString(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return '';
  throw new TemplateError(`cannot print a ${Array.isArray(v) ? 'list' : 'map'} as text (use toYaml)`);
}

export type Kind = 'string' | 'int' | 'float64' | 'bool' | 'slice' | 'map' | 'invalid' | 'func';
export function kindOf(v: Value): Kind {
  if (v === null || v === undefined) return 'invalid';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'function') return 'func';
  return Array.isArray(v) ? 'slice' : 'map';
}

// ---------------------------------------------------------------------------------------------
// Executor

interface Scope {
  vars: Array<{ name: string; value: Value }>;
  dot: Value;
}

export interface TemplateSetOptions {
  /** Missing map keys are errors (Helm's `--strict`, Go's `missingkey=error`). */
  strict?: boolean;
  functions: Record<string, TemplateFunction>;
}

export class TemplateSet {
  private readonly defines = new Map<string, Node[]>();
  private readonly files = new Map<string, Node[]>();
  private readonly functions: Record<string, TemplateFunction>;
  private readonly lazy: Record<string, LazyFunction>;
  private depth = 0;

  constructor(private readonly options: TemplateSetOptions) {
    this.functions = {
      ...options.functions,
      include: (name, data) => this.execute(String(name), data, `include ${JSON.stringify(name)}`),
    };
    this.lazy = {
      and: (args) => {
        let v: Value = true;
        for (const a of args) if (!truthy((v = a()))) return v;
        return v;
      },
      or: (args) => {
        let v: Value = false;
        for (const a of args) if (truthy((v = a()))) return v;
        return v;
      },
    };
  }

  /** Parses a file; its `define`s become available to every file of the set. */
  add(file: string, src: string): void {
    const items = lex(src, file);
    this.files.set(file, new Parser(items, src, file, this.defines).parseFile());
  }

  has(name: string): boolean {
    return this.files.has(name) || this.defines.has(name);
  }

  /** Renders a file or a `define`d template with `data` as dot (and `$`). */
  execute(name: string, data: Value, why = 'render'): string {
    const nodes = this.files.get(name) ?? this.defines.get(name);
    if (!nodes) throw new TemplateError(`${why}: no template named ${JSON.stringify(name)}`);
    if (++this.depth > 100) throw new TemplateError(`${why}: templates nested too deep (recursion?)`);
    try {
      const out: string[] = [];
      this.run(nodes, { vars: [{ name: '$', value: data }], dot: data }, out);
      return out.join('');
    } finally {
      this.depth--;
    }
  }

  private run(nodes: Node[], scope: Scope, out: string[]): void {
    for (const node of nodes) {
      if (node.n === 'text') {
        out.push(node.text);
        continue;
      }
      try {
        this.runNode(node, scope, out);
      } catch (e) {
        if (e instanceof TemplateError && !e.message.startsWith('at ')) {
          throw new TemplateError(`at ${node.where}: ${e.message}`);
        }
        throw e;
      }
    }
  }

  private runNode(node: Exclude<Node, { n: 'text' }>, scope: Scope, out: string[]): void {
    switch (node.n) {
      case 'print': {
        const v = this.pipeline(node.pipe, scope);
        if (!node.pipe.decl) out.push(goString(v));
        return;
      }
      case 'template': {
        const data = node.pipe ? this.pipeline(node.pipe, scope) : null;
        out.push(this.execute(node.name, data, `template ${JSON.stringify(node.name)}`));
        return;
      }
      case 'if': {
        const inner = this.child(scope);
        const v = this.pipeline(node.pipe, inner);
        this.run(truthy(v) ? node.body : node.alt, inner, out);
        return;
      }
      case 'with': {
        const inner = this.child(scope);
        const v = this.pipeline(node.pipe, inner);
        if (truthy(v)) this.run(node.body, { ...inner, dot: v }, out);
        else this.run(node.alt, inner, out);
        return;
      }
      case 'range': {
        const decl = node.pipe.decl;
        const v = this.pipeline({ cmds: node.pipe.cmds }, scope);
        const entries: Array<[Value, Value]> = Array.isArray(v)
          ? v.map((e, i) => [BigInt(i), e])
          : isMap(v)
            ? Object.keys(v)
                .sort()
                .map((k) => [k, v[k]])
            : v === null || v === undefined
              ? []
              : (() => {
                  throw new TemplateError(`range can't iterate over ${goString(v)}`);
                })();
        if (!entries.length) {
          this.run(node.alt, this.child(scope), out);
          return;
        }
        for (const [key, elem] of entries) {
          const inner = this.child(scope);
          if (decl?.names.length === 1) inner.vars.push({ name: decl.names[0] as string, value: elem });
          if (decl?.names.length === 2) {
            inner.vars.push({ name: decl.names[0] as string, value: key });
            inner.vars.push({ name: decl.names[1] as string, value: elem });
          }
          this.run(node.body, { ...inner, dot: elem }, out);
        }
        return;
      }
    }
  }

  /** Variables declared inside a control structure are local to it; assignments reach outside. */
  private child(scope: Scope): Scope {
    return { vars: scope.vars.slice(), dot: scope.dot };
  }

  private lookupVar(scope: Scope, name: string): { name: string; value: Value } {
    for (let k = scope.vars.length - 1; k >= 0; k--) {
      const v = scope.vars[k] as { name: string; value: Value };
      if (v.name === name) return v;
    }
    throw new TemplateError(`undefined variable: ${name}`);
  }

  private pipeline(pipe: Pipeline, scope: Scope): Value {
    let v: Value = undefined;
    let first = true;
    for (const cmd of pipe.cmds) {
      v = this.command(cmd, scope, first ? [] : [v]);
      first = false;
    }
    if (pipe.decl) {
      const name = pipe.decl.names[0] as string;
      if (pipe.decl.assign) this.lookupVar(scope, name).value = v;
      else scope.vars.push({ name, value: v });
    }
    return v;
  }

  private command(cmd: Command, scope: Scope, piped: Value[]): Value {
    const [head, ...args] = cmd as [Operand, ...Operand[]];
    if (head.o === 'ident') {
      const lazy = Object.hasOwn(this.lazy, head.name) ? this.lazy[head.name] : undefined;
      if (lazy) return lazy([...args.map((a) => () => this.operand(a, scope)), ...piped.map((p) => () => p)]);
      const fn = Object.hasOwn(this.functions, head.name) ? this.functions[head.name] : undefined;
      if (!fn) throw new TemplateError(`function ${JSON.stringify(head.name)} not defined`);
      return fn(...args.map((a) => this.operand(a, scope)), ...piped);
    }
    const value = this.operand(head, scope);
    if (typeof value === 'function') {
      return (value as TemplateFunction)(...args.map((a) => this.operand(a, scope)), ...piped);
    }
    if (args.length || piped.length) throw new TemplateError(`can't give argument to non-function ${describe(head)}`);
    return value;
  }

  private operand(op: Operand, scope: Scope): Value {
    switch (op.o) {
      case 'lit':
        return op.value;
      case 'field':
        return this.fields(scope.dot, op.chain, '');
      case 'var':
        return this.fields(this.lookupVar(scope, op.name).value, op.chain, op.name);
      case 'pipe':
        return this.fields(this.pipeline(op.pipe, this.child(scope)), op.chain, '(…)');
      case 'ident': {
        if (Object.hasOwn(this.lazy, op.name) || Object.hasOwn(this.functions, op.name)) return this.command([op], scope, []);
        throw new TemplateError(`function ${JSON.stringify(op.name)} not defined`);
      }
    }
  }

  private fields(start: Value, chain: string[], prefix: string): Value {
    let v = start;
    let path = prefix;
    for (const f of chain) {
      if (v === null || v === undefined) throw new TemplateError(`nil pointer evaluating ${path || '.'}.${f}`);
      if (!isMap(v)) throw new TemplateError(`can't evaluate field ${f} in ${kindOf(v)} ${path || '.'}`);
      if (!Object.prototype.hasOwnProperty.call(v, f)) {
        if (this.options.strict) throw new TemplateError(`map has no entry for key ${JSON.stringify(f)} (at ${path}.${f})`);
        v = undefined;
      } else v = v[f];
      path += '.' + f;
    }
    return v;
  }
}

function describe(op: Operand): string {
  if (op.o === 'field') return '.' + op.chain.join('.');
  if (op.o === 'var') return [op.name, ...op.chain].join('.');
  return op.o;
}
