import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;

export default defineConfig({
  resolve: {
    // `@/server/db` → <repo>/server/db, as in tsconfig; a regex so `@prisma/…` is left alone.
    alias: [{ find: /^@\//, replacement: `${root}/` }],
  },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**', '.data/**', '.next/**', 'server/generated/**'],
    // Builds the migrated template database once; each *.int.test.ts copies it (server/testing/test-db.ts).
    globalSetup: ['./vitest.global-setup.ts'],
    // Separate processes: each test file has its own db() client, Redis prefix and module state.
    pool: 'forks',
    // Integration tests talk to real Postgres/Redis on a shared 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    env: { NODE_ENV: 'test' },
  },
});
