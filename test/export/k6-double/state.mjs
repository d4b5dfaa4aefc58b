// Shared state of the k6 test double: what the script did, read by run.mjs at the end.
export const state = (globalThis.__k6double ??= {
  requests: [],
  checks: {},
  metrics: {},
  scenario: { name: '', iterationInTest: 0, startTime: Date.now(), executor: '' },
  maxSleepMs: Number(process.env.K6_DOUBLE_MAX_SLEEP_MS ?? '50'),
});
