// Unit tests of the chart renderer (scripts/lib/chart): the Go-template subset and Helm's semantics.
import { describe, expect, it } from 'vitest';
import { mergeValues, parseSet, sortManifests, splitManifests } from '../../scripts/lib/chart/chart.ts';
import { functions, toYaml } from '../../scripts/lib/chart/functions.ts';
import { TemplateSet, formatFloat, type Value } from '../../scripts/lib/chart/template.ts';

function render(src: string, data: Value = {}, strict = false, extra: Record<string, string> = {}): string {
  const set = new TemplateSet({ strict, functions });
  for (const [name, text] of Object.entries(extra)) set.add(name, text);
  set.add('t', src);
  return set.execute('t', data);
}

describe('template syntax', () => {
  it('trims whitespace around {{- and -}} and drops comments', () => {
    expect(render('a  \n  {{- "b" -}}  \n c')).toBe('abc');
    expect(render('a {{/* note */}} b')).toBe('a  b');
    expect(render('a\n{{- /* note */ -}}\nb')).toBe('ab');
    expect(render('{{ -3 }}')).toBe('-3');
  });

  it('reads fields, variables and parenthesised pipelines', () => {
    const data = { Values: { a: { b: 'x' } }, n: 2 };
    expect(render('{{ .Values.a.b }}', data)).toBe('x');
    expect(render('{{ $v := .Values.a }}{{ $v.b }}-{{ $.n }}', data)).toBe('x-2');
    expect(render('{{ (dict "k" "v").k }}')).toBe('v');
    expect(render('{{ .Values.a.b | upper | printf "%s!" }}', data)).toBe('X!');
  });

  it('evaluates if / else if / else with Go truthiness', () => {
    const t = '{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}';
    expect(render(t, { a: 1, b: 1 })).toBe('A');
    expect(render(t, { a: 0, b: 'x' })).toBe('B');
    expect(render(t, { a: '', b: [] })).toBe('C');
    expect(render(t, { a: {}, b: false })).toBe('C');
  });

  it('ranges over lists and over maps in key order, with else', () => {
    expect(render('{{ range $i, $v := .l }}{{ $i }}={{ $v }};{{ end }}', { l: ['a', 'b'] })).toBe('0=a;1=b;');
    expect(render('{{ range $k, $v := .m }}{{ $k }}={{ . }};{{ end }}', { m: { b: 2, a: 1 } })).toBe('a=1;b=2;');
    expect(render('{{ range .l }}x{{ else }}empty{{ end }}', { l: [] })).toBe('empty');
  });

  it('with rebinds dot; else runs for empty values', () => {
    expect(render('{{ with .a }}{{ .b }}{{ else }}none{{ end }}', { a: { b: 'B' } })).toBe('B');
    expect(render('{{ with .a }}{{ .b }}{{ else }}none{{ end }}', { a: {} })).toBe('none');
  });

  it('scopes declarations to their block; = assigns the outer variable', () => {
    expect(render('{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ end }}{{ $x }}')).toBe('1');
    expect(render('{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}')).toBe('2');
  });

  it('define, include (a string, pipeable) and template', () => {
    const helpers = { '_h.tpl': '{{- define "greet" -}}hi {{ . }}{{- end }}' };
    expect(render('{{ include "greet" "bob" | upper }}', {}, false, helpers)).toBe('HI BOB');
    expect(render('{{ template "greet" "amy" }}', {}, false, helpers)).toBe('hi amy');
    expect(() => render('{{ include "nope" . }}')).toThrow(/no template named "nope"/);
  });

  it('and/or return a value and evaluate lazily (guarding nil)', () => {
    expect(render('{{ and .a .a.b }}', { a: null })).toBe('');
    expect(render('{{ or .a "dflt" }}', { a: '' })).toBe('dflt');
    expect(render('{{ and 1 "last" }}')).toBe('last');
  });

  it('fails like Helm: nil pointers, unknown functions, int vs float comparison', () => {
    expect(() => render('{{ .a.b }}', {})).toThrow(/nil pointer evaluating \.a\.b/);
    expect(() => render('{{ nope 1 }}')).toThrow(/function "nope" not defined/);
    // Values-file numbers are float64 in Helm, literals are int: `gt .Values.n 1` fails in Helm too.
    expect(() => render('{{ gt .n 1 }}', { n: 3 })).toThrow(/incompatible types/);
    expect(render('{{ gt (int .n) 1 }}', { n: 3 })).toBe('true');
    expect(() => render('{{ if .a }}x')).toThrow(/unterminated/);
    expect(() => render('{{ .m }}', { m: { a: 1 } })).toThrow(/cannot print a map/);
  });

  it('strict mode reports missing keys; non-strict prints nothing', () => {
    expect(render('[{{ .Values.typo }}]', { Values: {} })).toBe('[]');
    expect(() => render('{{ .Values.typo }}', { Values: {} }, true)).toThrow(/no entry for key "typo"/);
    expect(render('{{ index .Values "typo" | default "d" }}', { Values: {} }, true)).toBe('d');
  });

  it('reports the file and line of an error', () => {
    expect(() => render('line1\n{{ fail "boom" }}')).toThrow(/t:2: boom/);
  });
});

describe('Helm semantics of values and functions', () => {
  it('prints float64 as Go does (1000000 is 1e+06)', () => {
    expect(formatFloat(1000000)).toBe('1e+06');
    expect(formatFloat(123456)).toBe('123456');
    expect(formatFloat(1234567)).toBe('1.234567e+06');
    expect(formatFloat(0.5)).toBe('0.5');
    expect(formatFloat(0.00001)).toBe('1e-05');
    expect(render('{{ .n }} {{ int .n }}', { n: 1000000 })).toBe('1e+06 1000000');
  });

  it('quote, default, required, ternary, trunc, printf', () => {
    expect(render('{{ quote .a }}|{{ quote "x\\"y" }}', { a: null })).toBe('|"x\\"y"');
    expect(render('{{ .n | default 30 }}', { n: 0 })).toBe('30');
    expect(() => render('{{ required "need x" .x }}', { x: '' })).toThrow(/need x/);
    expect(render('{{ ternary "a" "b" false }}')).toBe('b');
    expect(render('{{ "abcdef" | trunc 3 }}{{ "abc-" | trimSuffix "-" }}')).toBe('abcabc');
    expect(render('{{ printf "%s:%d" "h" 6379 }}')).toBe('h:6379');
    expect(() => render('{{ printf "%d" .n }}', { n: 1 })).toThrow(/needs an int/);
    expect(render('{{ add 30 15 }} {{ mul 2 .n }}', { n: 4 })).toBe('45 8');
  });

  it('toYaml sorts keys, keeps YAML 1.1 strings quoted, does not indent lists', () => {
    expect(toYaml({ b: ['x'], a: 'yes', c: {}, d: '8080' })).toBe('a: "yes"\nb:\n- x\nc: {}\nd: "8080"');
    expect(render('x:{{ toYaml .v | nindent 2 }}', { v: { k: 1 } })).toBe('x:\n  k: 1');
    expect(render('{{ "a\\nb" | indent 2 }}')).toBe('  a\n  b');
  });

  it('b64enc, sha256sum, urlParse', () => {
    expect(render('{{ b64enc "pw" }}')).toBe('cHc=');
    expect(render('{{ sha256sum "" }}')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const u = render('{{ $u := urlParse "rediss://:pw@redis:6380/2" }}{{ $u.scheme }} {{ $u.host }} {{ $u.hostname }} {{ $u.path }} {{ $u.userinfo }}');
    expect(u).toBe('rediss redis:6380 redis /2 :pw');
  });

  it('--set parses types like Helm (ints, bools, null, strings) and nests keys', () => {
    expect(parseSet('a.b=1,a.c=true,d=null,e=1.5,f=x\\,y,g=010')).toEqual({ a: { b: 1n, c: true }, d: null, e: '1.5', f: 'x,y', g: '010' });
    expect(parseSet('a=1', true)).toEqual({ a: '1' });
    expect(() => parseSet('l[0]=x')).toThrow(/lists are not supported/);
  });

  it('merges values: maps deep, others replace, null deletes', () => {
    expect(mergeValues({ a: { b: 1, c: 2 }, l: [1], k: 1 }, { a: { c: 3 }, l: [2], k: null })).toEqual({ a: { b: 1, c: 3 }, l: [2] });
  });
});

describe('manifest handling', () => {
  it('splits on ---, drops empty documents, rejects invalid YAML', () => {
    const docs = splitManifests('x/templates/a.yaml', '\n---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n');
    expect(docs.map((d) => d.name)).toEqual(['a']);
    expect(() => splitManifests('x/templates/b.yaml', 'apiVersion: v1\nkind: ConfigMap\nkind: Secret\n')).toThrow(/YAML parse error on x\/templates\/b.yaml/);
    expect(() => splitManifests('x/templates/c.yaml', 'foo: bar\n')).toThrow(/needs apiVersion and kind/);
  });

  it('orders like Helm: install order, unknown kinds last, hooks after by weight', () => {
    const doc = (kind: string, name: string, hook?: { hook: string; weight: number }) =>
      splitManifests('x/templates/t.yaml', `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n` + (hook ? `  annotations:\n    helm.sh/hook: ${hook.hook}\n    helm.sh/hook-weight: "${hook.weight}"\n` : ''))[0]!;
    const sorted = sortManifests([
      doc('ScaledObject', 'so'),
      doc('Job', 'job', { hook: 'pre-install', weight: 0 }),
      doc('Deployment', 'd'),
      doc('Secret', 'hs', { hook: 'pre-install', weight: -10 }),
      doc('Service', 's'),
      doc('ConfigMap', 'c'),
    ]);
    expect(sorted.map((m) => m.name)).toEqual(['c', 's', 'd', 'so', 'hs', 'job']);
  });
});
