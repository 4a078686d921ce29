import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PermanentAgentError } from './define-agent';
import {
  CredentialDataError,
  credentialOption,
  credentialTypes,
  loadCredential,
  parseCredentialData,
} from './credential-types';

describe('credentialTypes', () => {
  it('declares every type under its own key, with secret fields that exist in its schema', () => {
    for (const [key, def] of Object.entries(credentialTypes)) {
      expect(def.type).toBe(key);
      const schema = z.toJSONSchema(def.schema) as { properties: Record<string, unknown>; additionalProperties: boolean };
      expect(schema.additionalProperties).toBe(false);
      for (const field of def.secretFields) expect(Object.keys(schema.properties)).toContain(field);
    }
  });
});

describe('parseCredentialData', () => {
  it('turns the strings the vault stores into typed values and applies defaults', () => {
    const data = parseCredentialData('smtp', { host: 'smtp.example.com', secure: 'false', from: 'Robot <robot@example.com>', port: '' });
    expect(data).toEqual({ host: 'smtp.example.com', port: 587, secure: false, from: 'Robot <robot@example.com>' });
    expect(parseCredentialData('smtp', { host: 'h.example', port: 465, secure: true, from: 'a@b.co' })).toMatchObject({ port: 465, secure: true });
    expect(parseCredentialData('slack_bot', { token: 'xoxb-123' }).baseUrl).toBe('https://slack.com/api');
    expect(parseCredentialData('mavenlink', { token: 't', baseUrl: 'https://x.example/api/v1/' }).baseUrl).toBe('https://x.example/api/v1');
  });

  it('names the field that is wrong and never repeats a value', () => {
    const attempt = () =>
      parseCredentialData('smtp', { host: 'smtp.example.com', port: '99999', from: 'robot@example.com', username: 'u', password: 'hunter2', extra: 'x' });
    expect(attempt).toThrow(CredentialDataError);
    try {
      attempt();
    } catch (e) {
      const err = e as CredentialDataError;
      expect(err.message).toBe('SMTP server: Port must be between 1 and 65535; Unknown field "extra"');
      expect(err.issues[0]).toEqual({ field: 'port', message: 'Port must be between 1 and 65535' });
      expect(err.message).not.toContain('hunter2');
    }
    expect(() => parseCredentialData('smtp', { host: 'h', from: 'a@b.co', username: 'u' })).toThrow('SMTP server: Enter the password for this user name');
    expect(() => parseCredentialData('slack_bot', { token: 'abc' })).toThrow(/Bot token must start with xoxb-/);
    expect(() => parseCredentialData('jira_cloud', { baseUrl: 'ftp://x', email: 'me@example.com', apiToken: 't' })).toThrow(
      'Jira Cloud: Site address must be a web address starting with https://',
    );
    expect(() => parseCredentialData('http_header', { headerName: 'X Key:', value: 'v' })).toThrow(/Header name may contain only/);
    expect(() => parseCredentialData('bogus' as 'smtp', {})).toThrow('"bogus" is not a known kind of credential.');
  });
});

describe('credentialOption', () => {
  it('shows up in JSON Schema with the credentialType the form needs', () => {
    const schema = z.object({ credential: credentialOption('smtp'), chatCredential: credentialOption(['slack_webhook', 'slack_bot']) });
    const json = z.toJSONSchema(schema) as { properties: Record<string, unknown> };
    expect(json.properties.credential).toEqual({ type: 'string', minLength: 1, description: 'Credential', credentialType: 'smtp' });
    expect(json.properties.chatCredential).toEqual({
      type: 'string',
      minLength: 1,
      description: 'Credential',
      credentialType: ['slack_webhook', 'slack_bot'],
    });
  });
});

describe('loadCredential', () => {
  const ctx = (type: string, data: Record<string, string>) => ({
    credentials: { get: async () => ({ type, name: 'Team chat', data }) },
  });

  it('returns typed data for an accepted type', async () => {
    const cred = await loadCredential(ctx('slack_bot', { token: 'xoxb-1' }), 'c1', ['slack_webhook', 'slack_bot']);
    expect(cred).toEqual({ type: 'slack_bot', name: 'Team chat', data: { token: 'xoxb-1', baseUrl: 'https://slack.com/api' } });
  });

  it('refuses a credential of another type or with missing fields, permanently', async () => {
    await expect(loadCredential(ctx('http_basic', { username: 'u', password: 'p' }), 'c1', ['smtp'])).rejects.toThrow(
      new PermanentAgentError("This node needs a credential of kind SMTP server, but 'Team chat' is of kind HTTP basic auth."),
    );
    await expect(loadCredential(ctx('smtp', { from: 'a@b.co' }), 'c1', ['smtp'])).rejects.toBeInstanceOf(PermanentAgentError);
    await expect(loadCredential(ctx('smtp', { from: 'a@b.co' }), 'c1', ['smtp'])).rejects.toThrow(
      "Credential 'Team chat' is incomplete or invalid — Enter the host name. Edit it under Credentials.",
    );
  });
});
