import { afterEach, describe, expect, it } from 'vitest';
import { clientIp, crossSiteProblem, readCookie, serializeCookie } from './http';
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords';
import { safeNext } from '@/components/auth/public-pages';

const h = (init: Record<string, string>) => new Headers(init);

describe('crossSiteProblem (CSRF)', () => {
  afterEach(() => {
    delete process.env.MUNINN_PUBLIC_URL;
  });

  it('accepts the same origin, by Origin or Referer', () => {
    expect(crossSiteProblem(h({ host: 'muninn.local:3000', origin: 'http://muninn.local:3000' }), { strict: true })).toBeNull();
    expect(crossSiteProblem(h({ host: 'muninn.local:3000', referer: 'http://muninn.local:3000/flows' }), { strict: true })).toBeNull();
    // Behind a proxy: the public host arrives as X-Forwarded-Host, or is configured.
    expect(crossSiteProblem(h({ host: '10.0.0.5:3000', 'x-forwarded-host': 'muninn.example.com', origin: 'https://muninn.example.com' }), { strict: true })).toBeNull();
    process.env.MUNINN_PUBLIC_URL = 'https://muninn.example.com';
    expect(crossSiteProblem(h({ host: '10.0.0.5:3000', origin: 'https://muninn.example.com' }), { strict: true })).toBeNull();
  });

  it('refuses other origins, same-site neighbours and, when strict, requests naming no origin', () => {
    expect(crossSiteProblem(h({ host: 'muninn.local', origin: 'https://evil.example' }), { strict: false })).toMatch(/another website/);
    expect(crossSiteProblem(h({ host: 'muninn.local', origin: 'null' }), { strict: false })).toMatch(/another website/);
    expect(crossSiteProblem(h({ host: 'muninn.local', origin: 'http://muninn.local', 'sec-fetch-site': 'same-site' }), { strict: false })).toMatch(/another website/);
    expect(crossSiteProblem(h({ host: 'muninn.local' }), { strict: true })).toMatch(/another website/);
    expect(crossSiteProblem(h({ host: 'muninn.local' }), { strict: false })).toBeNull();
    // A look-alike host is not the same host.
    expect(crossSiteProblem(h({ host: 'muninn.local', origin: 'http://muninn.local.evil.example' }), { strict: true })).toMatch(/another website/);
  });
});

describe('request details', () => {
  it('reads cookies and the right-most forwarded address', () => {
    expect(readCookie(h({ cookie: 'a=1; muninn_session=abc%3D; b=2' }), 'muninn_session')).toBe('abc=');
    expect(readCookie(h({ cookie: 'muninn_sessionx=1' }), 'muninn_session')).toBeUndefined();
    expect(clientIp(h({ 'x-forwarded-for': '6.6.6.6, 203.0.113.9' }))).toBe('203.0.113.9');
    expect(clientIp(h({ 'x-forwarded-for': '::ffff:127.0.0.1' }))).toBe('127.0.0.1');
    expect(clientIp(h({}))).toBe('unknown');
  });

  it('writes httpOnly, SameSite=Lax cookies, Secure when asked', () => {
    expect(serializeCookie('s', 'v', { secure: false, maxAgeSeconds: 60 })).toBe('s=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60');
    expect(serializeCookie('s', '', { secure: true, maxAgeSeconds: 0 })).toBe('s=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure');
  });

  it('only follows `next` to paths on this site', () => {
    expect(safeNext('/flows/1')).toBe('/flows/1');
    expect(safeNext('//evil.example')).toBe('/flows');
    expect(safeNext('https://evil.example')).toBe('/flows');
    expect(safeNext('/\\evil.example')).toBe('/flows');
  });
});

describe('passwords', () => {
  it('hashes with scrypt, verifies, and refuses wrong or tampered input', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$\d+\$8\$\d\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('x', 'scrypt$99999999$8$1$aa$bb')).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
    expect(needsRehash(hash)).toBe(false);
    expect(needsRehash('scrypt$1024$8$1$aa$bb')).toBe(true);
  });

  it('explains weak passwords', () => {
    expect(passwordProblem('short')).toMatch(/at least 10/);
    expect(passwordProblem('aaaaaaaaaaaa')).toMatch(/repeated/);
    expect(passwordProblem('adalovelace-2024', 'adalovelace@example.com')).toMatch(/email/);
    expect(passwordProblem('four unrelated words')).toBeNull();
  });
});
