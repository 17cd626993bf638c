import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Vitest loads its configuration from the default export, the one exception to the no-default-exports rule.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['e2e/**/*.test.ts'],
    environment: 'node',
    // One server with a small demo partnership for the whole run; each test file drives its own browser.
    globalSetup: ['e2e/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 90_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
