import { describe, expect, it } from 'vitest';
import { getPath, renderOptions, renderString, TemplateError } from './liquid';

describe('Liquid rendering of options', () => {
  const event = { issue: { key: 'OPS-1', fields: { points: 3, labels: ['a', 'b'] } }, name: 'Ada' };

  it('renders text templates against the event fields', () => {
    expect(renderString('Hello {{ name }} ({{ issue.key }})', event)).toBe('Hello Ada (OPS-1)');
    expect(renderString('no template here', event)).toBe('no template here');
  });

  it('keeps the type of a value when the whole string is one expression', () => {
    expect(renderString('{{ issue.fields.points }}', event)).toBe(3);
    expect(renderString('{{ issue.fields.labels }}', event)).toEqual(['a', 'b']);
    expect(renderString('{{ issue.fields.labels | size }}', event)).toBe(2);
    expect(renderString('{{ missing }}', event)).toBeNull();
    // Two expressions are text, not a value.
    expect(renderString('{{ name }}{{ name }}', event)).toBe('AdaAda');
  });

  it('renders nested options except the raw ones', () => {
    const out = renderOptions({ url: 'https://x/{{ issue.key }}', headers: { a: '{{ name }}' }, code: 'return {{ x }}' }, event, ['code']);
    expect(out).toEqual({ url: 'https://x/OPS-1', headers: { a: 'Ada' }, code: 'return {{ x }}' });
  });

  it('has no access to prototypes or constructors', () => {
    expect(renderString('{{ name.constructor }}', event)).toBeNull();
    expect(renderString('x{{ issue.__proto__ }}x', event)).toBe('xx');
    expect(renderString("{{ name | size }}", event)).toBe(3);
  });

  it('explains template errors and bounds runaway templates', () => {
    expect(() => renderString('{{ name | no_such_filter }}', event, 'url')).toThrow(TemplateError);
    expect(() => renderString('{{ name | no_such_filter }}', event, 'url')).toThrow(/in "url"/);
    expect(() => renderString('{% for i in (1..100000000) %}x{% endfor %}', event)).toThrow(TemplateError);
  });

  it('reads dotted and indexed paths, own properties only', () => {
    expect(getPath(event, 'issue.fields.labels[1]')).toBe('b');
    expect(getPath(event, 'issue.nope.deeper')).toBeUndefined();
    expect(getPath(event, 'name.length')).toBeUndefined();
    expect(getPath(event, 'issue.constructor')).toBeUndefined();
  });
});
