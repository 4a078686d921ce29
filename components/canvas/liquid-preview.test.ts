import { describe, expect, it } from 'vitest';
import { containsLiquid, previewValue } from './liquid-preview';

const event = { issue: { key: 'OPS-7', fields: { summary: 'Printer on fire' } }, items: [1, 2] };

describe('containsLiquid', () => {
  it('finds tags and outputs anywhere inside a value', () => {
    expect(containsLiquid('plain text')).toBe(false);
    expect(containsLiquid('Hi {{ name }}')).toBe(true);
    expect(containsLiquid({ a: ['x', { b: '{% if x %}y{% endif %}' }] })).toBe(true);
    expect(containsLiquid({ a: 1, b: [true, null] })).toBe(false);
  });
});

describe('previewValue', () => {
  it('renders text with the event’s fields, as the engine does', () => {
    expect(previewValue('Ticket {{ issue.key }}: {{ issue.fields.summary | upcase }}', event)).toMatchObject({ ok: true, text: 'Ticket OPS-7: PRINTER ON FIRE' });
  });

  it('keeps the type of a value that is one whole expression', () => {
    expect(previewValue('{{ items }}', event)).toMatchObject({ ok: true, value: [1, 2] });
  });

  it('renders each string of an object and leaves out fields the event lacks', () => {
    expect(previewValue({ key: '{{ issue.key }}', gone: '{{ nope }}', n: 3 }, event)).toMatchObject({ ok: true, value: { key: 'OPS-7', n: 3 } });
  });

  it('says when a template renders to nothing', () => {
    expect(previewValue('{{ missing.field }}', event)).toMatchObject({ ok: true, empty: true });
  });

  it('explains broken templates in plain words and never throws', () => {
    expect(previewValue('{{ issue.key', event)).toEqual({ ok: false, message: '`{{ issue.key` is missing the closing }}' });
    expect(previewValue('{% if issue %}yes', event)).toEqual({ ok: false, message: '`{% if issue %}` is missing its {% endif %}' });
    expect(previewValue('{% endfor %}', event)).toEqual({ ok: false, message: '`{% endfor %}` has no {% for %} before it' });
    expect(previewValue('{{ issue.key | shout }}', event)).toMatchObject({ ok: false, message: expect.stringContaining('no filter called “shout”') });
    expect(previewValue('{% frobnicate %}', event)).toMatchObject({ ok: false, message: expect.stringContaining('no tag called “frobnicate”') });
    expect(previewValue('{{ issue.key | append }}', event)).toMatchObject({ ok: false, message: expect.stringContaining('“append” needs a value') });
  });

  it('cannot reach prototypes, like the engine', () => {
    expect(previewValue('{{ issue.constructor }}', event)).toMatchObject({ ok: true, empty: true });
  });
});
