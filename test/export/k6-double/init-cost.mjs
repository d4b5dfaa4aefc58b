// What each k6 VU pays before its first request, measured on the double (node as a proxy for
// k6's runtime, where every VU is its own JavaScript runtime evaluating the script's init
// context):
//   node --expose-gc test/export/k6-double/init-cost.mjs SCRIPT [VUS]
// Evaluates the init context VUS times (each import a fresh module instance, kept alive as a VU
// is), and prints one JSON line: the script's bytes, the first VU's init (compiles the script),
// the median of the others, and the heap each VU retains (heap growth over VUS, after GC).
import { statSync } from 'node:fs';
import { prepareScript } from './load.mjs';

const [script, vusArg] = process.argv.slice(2);
if (script === undefined) throw new Error('usage: node --expose-gc init-cost.mjs SCRIPT [VUS]');
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const vus = Number(vusArg ?? '20');
globalThis.__ENV = {};
const url = prepareScript(script);
const live = [];
const times = [];
globalThis.gc();
const heap0 = process.memoryUsage().heapUsed;
for (let vu = 1; vu <= vus; vu++) {
  globalThis.__VU = vu;
  const t0 = performance.now();
  live.push(await import(`${url}?vu=${vu}`));
  times.push(performance.now() - t0);
}
globalThis.gc();
const heap1 = process.memoryUsage().heapUsed;
const rest = times.slice(1).sort((a, b) => a - b);
const median = rest.length === 0 ? times[0] : rest[Math.floor(rest.length / 2)];
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
process.stdout.write(JSON.stringify({
  script: script.replace(/^.*[\\/]/, ''),
  bytes: statSync(script).size,
  vus,
  firstInitMs: round(times[0]),
  initMsMedian: round(median),
  heapPerVuKB: round((heap1 - heap0) / vus / 1024, 1),
  exports: Object.keys(live[0]).length,
}) + '\n');
