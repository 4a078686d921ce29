import { describe, expect, it } from 'vitest';
import { chooseSample, parseSampleText } from './sample-event';

describe('chooseSample', () => {
  const lastInput = { from: 'last run' };
  const upstreamExample = { from: 'example' };

  it('prefers a sample the person typed, then the last input, then the step before’s example', () => {
    expect(chooseSample({ edited: { from: 'typed' }, lastInput, upstreamExample })).toEqual({ event: { from: 'typed' }, source: 'edited' });
    expect(chooseSample({ lastInput, upstreamExample })).toEqual({ event: lastInput, source: 'last-run' });
    expect(chooseSample({ lastInput: null, upstreamExample })).toEqual({ event: upstreamExample, source: 'upstream' });
    expect(chooseSample({ lastInput: null })).toEqual({ event: {}, source: 'none' });
  });

  it('ignores inputs that are not events (a list, a text)', () => {
    expect(chooseSample({ lastInput: [1, 2], upstreamExample: 'x' })).toEqual({ event: {}, source: 'none' });
  });
});

describe('parseSampleText', () => {
  it('accepts only a JSON object', () => {
    expect(parseSampleText('{ "a": 1 }')).toEqual({ a: 1 });
    expect(parseSampleText('{ "a": ')).toBeUndefined();
    expect(parseSampleText('[1]')).toBeUndefined();
    expect(parseSampleText(undefined)).toBeUndefined();
  });
});
