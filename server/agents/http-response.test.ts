import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HTTP_RESPONSE_TAG, httpResponseAgent } from './http-response';
import { makeTestContext } from './test-context';
import { PermanentAgentError, type JsonObject } from './define-agent';
import { renderOptions } from '../engine/liquid';

/** As the engine does: options rendered with Liquid against the event, then parsed. */
const run = async (rawOptions: JsonObject, event: JsonObject = {}) => {
  const { ctx, logs } = makeTestContext(httpResponseAgent, renderOptions(rawOptions, event), event);
  return { events: await httpResponseAgent.run(ctx), logs };
};

describe('http_response agent', () => {
  it('answers 200 with the incoming event by default, marked as an HTTP answer', async () => {
    const { events } = await run({}, { ticket: 'OPS-1' });
    expect(events).toEqual([{ [HTTP_RESPONSE_TAG]: true, status: 200, headers: {}, body: { ticket: 'OPS-1' } }]);
  });

  it('renders status, headers and a text or JSON body from the event', async () => {
    const event = { code: 201, name: 'Ada', key: 'OPS-42' };
    const text = await run({ status: '{{ code }}', headers: { 'Content-Type': 'text/csv', 'X-Ticket': '{{ key }}' }, body: 'name\n{{ name }}\n' }, event);
    expect(text.events[0]).toEqual({ [HTTP_RESPONSE_TAG]: true, status: 201, headers: { 'content-type': 'text/csv', 'x-ticket': 'OPS-42' }, body: 'name\nAda\n' });
    const json = await run({ status: 404, body: { error: 'No ticket {{ key }}', known: false } }, event);
    expect(json.events[0]).toMatchObject({ status: 404, body: { error: 'No ticket OPS-42', known: false } });
  });

  it('leaves out headers the server sets or that would act on Muninn, and says so', async () => {
    const { events, logs } = await run({ headers: { 'Set-Cookie': 'sid=1', 'Content-Length': '5', Location: '/done' } });
    expect(events[0]!.headers).toEqual({ location: '/done' });
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringMatching(/"Set-Cookie" is not passed on/),
      expect.stringMatching(/"Content-Length" is not passed on/),
    ]);
  });

  it('refuses a status that is not a final status code, and a malformed header', async () => {
    await expect(run({ status: '{{ code }}' }, { code: 'oops' })).rejects.toSatisfy((e: Error) => e instanceof PermanentAgentError && /"oops" is not a status code between 200 and 599/.test(e.message));
    await expect(run({ status: '{{ code }}' }, { code: '99' })).rejects.toThrow(/"99" is not a status code/);
    await expect(run({ headers: { 'Bad Name': 'x' } })).rejects.toThrow(/header "Bad Name" cannot be sent/);
  });

  it('validates options when the flow is saved, and has a form-friendly schema', () => {
    const issue = (o: unknown) => httpResponseAgent.options.safeParse(o).error?.issues[0]?.message;
    expect(issue({ status: 700 })).toBe('Enter a status code between 200 and 599, e.g. 200');
    expect(issue({ status: 150 })).toBe('Enter a status code between 200 and 599, e.g. 200');
    expect(issue({ other: 1 })).toBeDefined();
    expect(httpResponseAgent.options.safeParse(httpResponseAgent.defaultOptions).success).toBe(true);
    const schema = z.toJSONSchema(httpResponseAgent.options, { io: 'input' }) as { properties: Record<string, { additionalProperties?: unknown }> };
    expect(schema.properties.headers!.additionalProperties).toEqual({ type: 'string' });
  });
});
