import next from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

const config = [
  ...next,
  ...nextTs,
  {
    ignores: ['node_modules/**', '.next/**', '.data/**', 'server/generated/**', 'dist/**', 'test-results/**', 'playwright-report/**', 'bench/results/**', 'next-env.d.ts'],
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // server/ is shared by the web app and the worker: it must never import Next.js or React.
    files: ['server/**/*.ts', 'worker/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['next', 'next/*', 'react', 'react-dom', '@/app/*', '@/components/*'] }],
    },
  },
  {
    // Integration tests (and their helpers) may drive route handlers directly, as a client would.
    files: ['**/*.test.ts', 'server/testing/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
];
export default config;
