/**
 * `npx tsx bench/server/peak.ts SCALE [SPEED=60] [--compare=DIR]`: the 7 Dec evening peak
 * (`december-2020@7dec18:15`) against one `picco serve` (SQLite) pinned to core 1, picco's engine
 * pinned to core 0, exactly as
 *   taskset -c 1 picco serve --port 0 --db sqlite:FILE
 *   taskset -c 0 picco run december-2020@7dec18:15 --target URL --scale SCALE --speed SPEED --duration (P+150)s
 * where P is the window's preload at that scale (it grows with the scale and with the length of
 * the cut, and `--duration` includes it), so every scale gets the same 150 s of the evening
 * after it, the 18:30 surge included; a fixed 200 s would cut the surge off from scale 0.015 on
 * and pass without it (at 0.004, P is 49 s: the 200 s of the earlier rounds).
 * and prints the verdict (exit 0 = every launch SLO held), scale x speed as a share of the
 * national rate, and the figures that decide it: what the server's admission control refused,
 * by route class and reason, and for each second the run judged late the load thread's busy
 * share, longest collection, event-loop delay and wait for its core. `--compare=DIR` runs DIR's
 * server instead, `--engine=DIR` DIR's engine (another checkout, to weigh a change to the
 * engine's cost), `--keep=DIR` keeps the run's output (summary.json, series.jsonl) in DIR. It
 * starts by timing a fixed loop on each core and ends with the hypervisor's steal (bench/box.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GEN_CPU, PICCO, TARGET_CPU, sh } from '../lib.ts';
import { describeProbe, probeCores, stealMeter } from '../box.ts';
import { startPiccoServe } from './processes.ts';
import { setupSeconds } from '../../scenarios/verify/load.ts';
import type { LateSecond } from '../../harness/metrics/generator-delay.ts';

const args = process.argv.slice(2);
const positional = args.filter((a) => !a.startsWith('--'));
const scale = Number(positional[0] ?? 0.004);
const speed = Number(positional[1] ?? 60);
const other = args.find((a) => a.startsWith('--compare='))?.slice('--compare='.length);
const engine = args.find((a) => a.startsWith('--engine='))?.slice('--engine='.length);
const enginePicco = engine !== undefined ? join(resolve(engine), 'bin', 'picco.js') : PICCO;
const keep = args.find((a) => a.startsWith('--keep='))?.slice('--keep='.length);
const WINDOW = 'december-2020@7dec18:15';
const EVENING_S = 150;

/**
 * P such that a cut of P + EVENING_S seconds has a preload of P seconds: from the whole window's
 * preload (the most a cut can need), each round plans the cut the last one gave, until it holds.
 */
function preloadSeconds(): number {
  let p = setupSeconds(WINDOW, { scale, speed, seed: 1 });
  for (let i = 0; i < 8; i++) {
    const next = setupSeconds(WINDOW, { scale, speed, seed: 1, durationS: p + EVENING_S });
    if (next === p) break;
    p = next;
  }
  return p;
}
const preloadS = preloadSeconds();

process.stdout.write(`${describeProbe(await probeCores([GEN_CPU, TARGET_CPU]))}\n`);
const steal = stealMeter();
const t = await startPiccoServe({}, [], other !== undefined ? join(resolve(other), 'bin', 'picco.js') : undefined);
const out = keep !== undefined ? resolve(keep) : mkdtempSync(join(tmpdir(), 'picco-peak-'));
try {
  const c0 = t.cpuSeconds();
  const r = await sh('taskset', ['-c', String(GEN_CPU), process.execPath, enginePicco, 'run', WINDOW, '--target', t.url,
    '--scale', String(scale), '--speed', String(speed), '--duration', `${preloadS + EVENING_S}s`, '--out', out, '--quiet'], { timeoutMs: 900_000 });
  const cpu = t.cpuSeconds() - c0;
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const slos = (s['slos'] ?? s['thresholds'] ?? []) as { name?: string; pass?: boolean; ok?: boolean; actual?: unknown; threshold?: unknown }[];
  const g = s['generator'] ?? {};
  process.stdout.write(`server ${other ?? 'this checkout'}, engine ${engine ?? 'this checkout'}: scale ${scale} x speed ${speed} = ${(scale * speed).toFixed(3)} of the national rate (a ${preloadS} s preload, then ${EVENING_S} s of the evening); `
    + `exit ${r.code} (${r.code === 0 ? 'PASS' : r.code === 99 ? 'an SLO failed' : r.code === 98 ? 'invalid run' : 'error'}); `
    + `requests ${s['requests']?.total} (failed ${s['requests']?.failed}, dropped ${s['requests']?.dropped}), p99 ${s['latencyMs']?.p99} ms, `
    + `lag p99 ${g.lagP99Ms} ms, worst second's generator delay ${g.perSecond?.worstMs} ms (second ${g.perSecond?.worstSecond}), `
    + `engine ${g.cpuUsPerRequest} µs CPU a request, server CPU ${cpu.toFixed(1)} s\n`);
  for (const x of slos) process.stdout.write(`  ${JSON.stringify(x).slice(0, 300)}\n`);
  if (r.code !== 0 && r.code !== 99) process.stdout.write(r.stderr.slice(-1500));
  const metrics = await (await fetch(`${t.url}/metrics`)).text();
  const refused = metrics.split('\n').filter((l) => l.startsWith('admission_rejected_total{'));
  process.stdout.write(`  refused by admission: ${refused.length === 0 ? 'none' : refused.map((l) => l.replace('admission_rejected_total', '')).join(', ')}\n`);
  // The run's own per-second judgement (summary.json generator.perSecond), at the percentile it judged.
  const late = (g.perSecond?.lateSeconds ?? []) as LateSecond[];
  for (const l of late) {
    process.stdout.write(`  late second ${l.t}: generator delay ${l.delayMs.toFixed(1)} ms; ${Math.round(100 * l.utilisation)} % busy, `
      + `longest GC ${l.gcMaxMs.toFixed(1)} ms, event-loop delay ${l.eventLoopDelayMaxMs.toFixed(1)} ms, `
      + `waited ${Math.round(l.runQueueMs ?? 0)} ms for its core over ${l.runSlices ?? '?'} wake-ups, `
      + `the hypervisor took ${l.stealMs ?? '?'} ms of it (steal); `
      + `${l.inFlight} in flight at its end, ${l.completed} answered in it\n`);
  }
  const stolen = steal.read();
  if (stolen !== '') process.stdout.write(`  ${stolen}\n`);
} finally {
  await t.stop();
  if (keep === undefined) rmSync(out, { recursive: true, force: true });
}

