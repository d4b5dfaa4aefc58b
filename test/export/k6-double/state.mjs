// Shared state of the k6 test double: what the script did, read by run.mjs at the end.
export const state = (globalThis.__k6double ??= {
  requests: [],
  checks: {},
  metrics: {},
  scenario: { name: '', iterationInTest: 0, startTime: Date.now(), executor: '' },
  /** SharedArray names built (each once, whatever the number of VUs). */
  sharedArraysBuilt: [],
  /** Set when the init context ends (metrics and SharedArrays are init-only). */
  initDone: false,
  maxSleepMs: Number(process.env.K6_DOUBLE_MAX_SLEEP_MS ?? '50'),
});
