import { defineConfig } from 'vitest/config';

/**
 * Two projects, both run by `npm test`:
 * - unit: pure code, no sockets, no child processes, no database files; time, where it is the
 *   subject, comes from injected clocks or fake timers. Listed here by file.
 * - integration: everything else, with the real components (reference server, nginx, PostgreSQL,
 *   Prometheus, Chromium) on loopback ports; none of them is mocked. A new test file is an
 *   integration test unless it is listed as a unit.
 * `npx vitest run --project unit` runs the fast half alone.
 */
const UNIT = [
  'test/docs/commands-covered.test.ts',
  'test/engine/executors.test.ts',
  'test/engine/metrics.test.ts',
  'test/engine/generator-verdict.test.ts',
  'test/engine/thresholds.test.ts',
  'test/engine/targets.test.ts',
  'test/engine/scenario-api.test.ts',
  'test/clock/start-instant.test.ts',
  'test/merge/segment-union.test.ts',
  'test/output/summary-schema.test.ts',
  'test/output/summary-table.test.ts',
  'test/reports/capacity-math.test.ts',
  'test/resilience/admission-units.test.ts',
  'test/scenarios/calibration.test.ts',
  'test/scenarios/default-slos.test.ts',
  'test/scenarios/closed-and-client.test.ts',
  'test/scenarios/person-names.test.ts',
  'test/scenarios/population.test.ts',
  'test/server/card-validation.test.ts',
  'test/server/chain.test.ts',
  'test/server/pg-batcher.test.ts',
  'test/server/open-model-window.test.ts',
  'test/server/rules.test.ts',
  'test/verify/contract.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      // real servers on a shared 2-core box: a slow minute is the box, not a failure
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: UNIT, testTimeout: 240_000, hookTimeout: 120_000 } },
    ],
  },
});
