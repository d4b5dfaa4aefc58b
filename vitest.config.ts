import { defineConfig } from 'vitest/config';

// One suite, run by `npm test`. Integration tests start real servers (reference server, nginx,
// PostgreSQL, Prometheus, Chromium) on loopback ports; none of them is mocked.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
