import { describe, expect, it } from 'vitest';
import { findSecrets } from './secrets';
import type { FlowGraph } from '../../engine/graph';
import { checkTemplateDefinition, collectPlaceholders, credentialFields, substitutePlaceholders } from './placeholders';

describe('findSecrets', () => {
  const kinds = (options: unknown) => findSecrets(options).map((f) => [f.path, f.kind, f.secret]);

  it('finds secrets by field name, keeping the auth scheme', () => {
    expect(kinds({ headers: { Authorization: 'Bearer abc123def456', 'X-API-Key': 'k-1234567', Accept: 'application/json' } })).toEqual([
      ['headers.Authorization', 'named_field', 'abc123def456'],
      ['headers.X-API-Key', 'named_field', 'k-1234567'],
    ]);
    expect(kinds({ fields: { password: 'hunter22' } })).toEqual([['fields.password', 'named_field', 'hunter22']]);
  });

  it('finds secrets in web addresses', () => {
    expect(kinds({ url: 'https://api.example.com/x?q=1&api_key=SECRET123&page=2' })).toEqual([['url', 'url_parameter', 'SECRET123']]);
    expect(kinds({ url: 'https://bob:pa55word@example.com/feed' })).toEqual([['url', 'url_password', 'pa55word']]);
    expect(kinds({ url: 'https://example.com/search?q=token&page=2' })).toEqual([]);
  });

  it('finds well-known token shapes anywhere', () => {
    expect(kinds({ text: 'use xoxb-123456789012-abcdefABCDEF please' })).toEqual([['text', 'token', 'xoxb-123456789012-abcdefABCDEF']]);
    expect(kinds({ url: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX' })[0]).toEqual(['url', 'token', 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX']);
    expect(kinds({ body: { note: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' } })).toEqual([['body.note', 'token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789']]);
    expect(kinds({ key: '-----BEGIN RSA PRIVATE KEY-----\nabc' })[0]![1]).toBe('private_key');
  });

  it('leaves Liquid, placeholders and ordinary values alone', () => {
    expect(kinds({ headers: { Authorization: 'Bearer {{ token }}' } })).toEqual([]);
    expect(kinds({ headers: { Authorization: 'Bearer $input:api_token' } })).toEqual([]);
    expect(kinds({ url: 'https://api.example.com/v1/items?api_key={{ key }}' })).toEqual([]);
    expect(kinds({ text: 'Deal {{ deal.name }} won', channel: '#sales', template: { token: '{{ body.token }}' } })).toEqual([]);
  });

  it('skips credential fields', () => {
    expect(findSecrets({ credential: 'xoxb-123456789012-abcdef' }, new Set(['credential']))).toEqual([]);
  });
});

describe('placeholders', () => {
  const graph: FlowGraph = {
    nodes: [
      { id: 'h', type: 'webhook', options: {} },
      { id: 's', type: 'slack', label: 'To $input:channel', options: { credential: '$credential:slack', channel: '$input:channel', text: 'n={{ n }} limit=$input:limit' } },
      { id: 'd', type: 'digest', options: { count: '$input:limit' } },
    ],
    edges: [{ source: 'h', target: 's' }, { source: 'h', target: 'd' }],
  };

  it('collects and substitutes, keeping the type of whole-string inputs', () => {
    const refs = collectPlaceholders(graph);
    expect([...refs.credentials.keys()]).toEqual(['slack']);
    expect(refs.inputs.get('limit')!.map((u) => `${u.nodeId}:${u.field}`)).toEqual(['s:options.text', 'd:options.count']);
    const filled = substitutePlaceholders(graph, { credentials: { slack: 'c-1' }, inputs: { channel: '#ops', limit: 5 } });
    expect(filled.nodes[1]).toMatchObject({ label: 'To #ops', options: { credential: 'c-1', channel: '#ops', text: 'n={{ n }} limit=5' } });
    expect(filled.nodes[2]!.options).toEqual({ count: 5 });
    expect(graph.nodes[2]!.options.count).toBe('$input:limit');
  });

  it('finds credential fields from the options JSON Schema, also nested and optional', () => {
    expect([...credentialFields('slack')]).toEqual([['credential', ['slack_webhook', 'slack_bot']]]);
    expect([...credentialFields('transform')]).toEqual([]);
    expect(credentialFields('sync').get('a.credential')).toBeDefined();
  });

  it('checks that every placeholder is declared, used, and of a fitting kind', () => {
    const msgs = (def: Parameters<typeof checkTemplateDefinition>[0]) => checkTemplateDefinition(def).map((i) => i.message);
    expect(msgs({ graph, credentials: [{ name: 'slack', type: 'slack_webhook' }], inputs: [{ name: 'channel', label: 'C', type: 'text' }, { name: 'limit', label: 'L', type: 'number', default: 3 }] })).toEqual([]);
    expect(msgs({ graph, credentials: [], inputs: [] })).toEqual([
      expect.stringMatching(/"\$credential:slack" is used but no credential "slack" is declared/),
      expect.stringMatching(/"\$input:channel" is used but no input/),
      expect.stringMatching(/"\$input:limit" is used but no input/),
    ]);
    expect(msgs({ graph, credentials: [{ name: 'slack', type: 'smtp' }, { name: 'extra', type: 'smtp' }], inputs: [{ name: 'channel', label: 'C', type: 'text' }, { name: 'limit', label: 'L', type: 'number' }] })).toEqual([
      expect.stringMatching(/accepts credentials of kind slack_webhook, slack_bot, but "slack" may be of kind smtp/),
      expect.stringMatching(/"extra" is declared but no node uses/),
    ]);
    // A text input where a number is needed is caught by the graph check after filling in.
    expect(msgs({ graph, credentials: [{ name: 'slack', type: 'slack_bot' }], inputs: [{ name: 'channel', label: 'C', type: 'text' }, { name: 'limit', label: 'L', type: 'text', default: 'ten' }] }).join(' ')).toMatch(/setting "count"/);
  });
});
