import { defineConfig } from 'vitest/config';

// Vitest loads its configuration from the default export, the one exception to the no-default-exports rule.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    // Two workers: the machine has two cores and each PGlite instance holds about 130MB of memory.
    pool: 'forks',
    maxWorkers: 2,
    // Starting a database (PGlite ~0.5s, a PostgreSQL copy ~0.2s) happens in beforeAll hooks.
    testTimeout: 15_000,
    hookTimeout: 30_000,
    teardownTimeout: 30_000,
  },
});
