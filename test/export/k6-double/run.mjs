// Runs a k6 script with the test double of k6's modules:
//   node run.mjs SCRIPT ITERATIONS_PER_SCENARIO [ENV_JSON]
// Rewrites the script's k6 imports to the double, evaluates it (init context), then calls each
// scenario's exec function ITERATIONS times in order, as one VU would, and prints one JSON line
// with the requests, checks, custom metrics and per-scenario iteration results.
import { state } from './state.mjs';
import { prepareScript } from './load.mjs';

const [script, iterationsArg, envJson] = process.argv.slice(2);
globalThis.__ENV = JSON.parse(envJson ?? '{}');
globalThis.__VU = 1;
globalThis.__ITER = 0;
const file = prepareScript(script);
const mod = await import(file);
(await import('./metrics.mjs')).endInit();
const iterations = Number(iterationsArg ?? '1');
const results = {};
const startTime = Date.now();
for (const [name, sc] of Object.entries(mod.options?.scenarios ?? {})) {
  const fn = mod[sc.exec ?? 'default'];
  const r = (results[name] = { exec: sc.exec, done: 0, errors: [] });
  if (typeof fn !== 'function') { r.errors.push(`no exported function ${sc.exec}`); continue; }
  for (let i = 0; i < iterations; i++) {
    state.scenario = { name, iterationInTest: i, startTime, executor: sc.executor };
    globalThis.__ITER = i;
    try {
      await fn();
      r.done++;
    } catch (err) {
      r.errors.push(String(err?.stack ?? err));
    }
  }
}
process.stdout.write(JSON.stringify({ requests: state.requests, checks: state.checks, metrics: state.metrics, scenarios: results }) + '\n');
process.exit(0);
