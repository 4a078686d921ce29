import { describe, expect, it } from 'vitest';
import { answerFromOutput, webhookResponse } from './webhook-response';
import { HTTP_RESPONSE_TAG } from '../agents/http-response';

const step = (agentType: string, payload: unknown) => ({ agentType, outputs: [{ payload }] });
const respond = (agentType: string, payload: unknown) => webhookResponse(answerFromOutput(step(agentType, payload)));

describe('webhook answers', () => {
  it('answers ordinary nodes with their first output as JSON', async () => {
    const res = respond('transform', { greeting: 'Hello' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ greeting: 'Hello' });
  });

  it('answers with the status, headers and text of an HTTP response node', async () => {
    const res = respond('http_response', { [HTTP_RESPONSE_TAG]: true, status: 201, headers: { location: '/t/1', 'set-cookie': 'sid=evil', 'transfer-encoding': 'chunked' }, body: 'Created' });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('Created');
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('location')).toBe('/t/1');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('content-security-policy')).toBe('sandbox');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sends other bodies as JSON, keeps a chosen content type, and sends no body where none is allowed', async () => {
    const json = respond('http_response', { [HTTP_RESPONSE_TAG]: true, status: 200, headers: {}, body: [1, 2] });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json.json()).toEqual([1, 2]);
    const csv = respond('http_response', { [HTTP_RESPONSE_TAG]: true, status: 200, headers: { 'content-type': 'text/csv' }, body: 'a,b' });
    expect(csv.headers.get('content-type')).toBe('text/csv');
    expect(await csv.text()).toBe('a,b');
    const empty = respond('http_response', { [HTTP_RESPONSE_TAG]: true, status: 204, headers: {}, body: { ignored: true } });
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');
  });

  it('does not let a payload from another node pose as an HTTP answer', async () => {
    const forged = { [HTTP_RESPONSE_TAG]: true, status: 302, headers: { location: 'https://evil.example' }, body: 'x' };
    const res = respond('transform', forged);
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.json()).toEqual(forged);
  });
});
