/**
 * Engine bench against nginx (Debian package, our own instance on core 1, access log on):
 *   1. ceiling: picco's highest sustained open-model rate ÷ `wrk -t1 -c64`, same target, both
 *      pinned to core 0. Goal ≥ 0.70 with p99 ≤ 25 ms. Sustained: valid at the default --max-lag
 *      25 ms (the generator's own delay within it in every second), nothing dropped, p99 ≤ 25 ms.
 *      Without pipelining (wrk's own setting: 64 connections, one request each) and with
 *      pipelining (nginx allows it), reported apart; the pipelined shape (connections × depth) is
 *      picked by a screen: each candidate offered wrk's rate for one probe, the one completing most
 *      wins, then its ceiling is searched like the other.
 *   2. generator delay: at 10,000 req/s, half the ceiling and the ceiling, one 8 s picco run and one
 *      autocannon run each: the p99 each generator adds (latency − service time; picco's measured
 *      generator delay; event-loop delay), every second's p99, valid or flagged. Goals: at 10,000
 *      p99 ≤ 5 ms and every second ≤ 10 ms, valid; at half the ceiling p99 ≤ 10 ms, valid; at the
 *      ceiling p99 ≤ 25 ms and valid, or flagged. Printed as the markdown table docs/benchmarks.md keeps.
 *   3. rate accuracy: nginx access-log lines for a 30 s run at 8,000 rps vs 240,000 intended
 *      (±1 %), and picco's scheduling-lag p99 (goal < 5 ms).
 *
 * `npm run bench -- engine [--quick]` (--quick: shorter probes, 10 s accuracy run).
 */
import { maxSustained, runPicco, runWrk, startNginx } from './lib.ts';
import { pinnedOpenBare } from './transport.ts';
import { delayTable, markdown } from './engine-delay.ts';

const out = (s: string): void => {
  process.stdout.write(s + '\n');
};

/** Pipelined shapes screened: connections × depth, 64 to 256 requests on the wire. */
const SHAPES = [
  { connections: 8, pipelining: 16 },
  { connections: 16, pipelining: 8 },
  { connections: 4, pipelining: 32 },
  { connections: 16, pipelining: 16 },
] as const;

/** Offers `rate` to each shape for one probe; the one completing most requests ok wins (ties: less CPU). */
async function screenPipelining(url: string, rate: number, seconds: number, log: (s: string) => void): Promise<{ connections: number; pipelining: number }> {
  let best: { connections: number; pipelining: number; ok: number; us: number } | undefined;
  for (const sh of SHAPES) {
    const r = await runPicco(url, rate, seconds, ['--connections', String(sh.connections), '--pipelining', String(sh.pipelining), '--max-lag', '100000']);
    const ok = r.summary.requests.ok;
    const us = (r.summary.generator as unknown as { cpuUsPerRequest: number }).cpuUsPerRequest;
    log(`    screen ${sh.connections} × ${sh.pipelining} at ${rate}/s: ok ${ok}/${r.summary.requests.intended}, dropped ${r.summary.requests.dropped}, ${us} µs CPU/request`);
    if (best === undefined || ok > best.ok * 1.005 || (ok >= best.ok * 0.995 && us < best.us)) best = { ...sh, ok, us };
  }
  return { connections: best!.connections, pipelining: best!.pipelining };
}

/** The engine's ceiling: valid at the default --max-lag (25 ms) and p99 ≤ 25 ms. */
const CEILING = { maxLagMs: 25, maxP99Ms: 25 };

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const ng = await startNginx();
  try {
    const url = ng.url + '/';
    out(`  target: nginx (own instance, core 1) at ${url}, access log on`);
    const wrk = await runWrk(url, quick ? 5 : 10);
    out(`  wrk -t1 -c64: ${Math.round(wrk.rate)} req/s, ${wrk.usPerRequest} µs CPU/request`);
    const probeS = quick ? 4 : 5;
    const picco = await maxSustained(url, wrk.rate * 0.25, wrk.rate * 2, probeS, ['--connections', '64'], out, CEILING);
    out(`  picco max sustained (open model, 64 connections, no pipelining, valid at --max-lag 25, p99 ≤ 25 ms): ${picco.rate} req/s, p99 ${picco.p99Ms} ms, ${picco.usPerRequest} µs CPU/request`);
    const shape = await screenPipelining(url, Math.round(wrk.rate), probeS, out);
    const piped = await maxSustained(url, Math.max(picco.rate, wrk.rate * 0.5), wrk.rate * 2, probeS, ['--connections', String(shape.connections), '--pipelining', String(shape.pipelining)], out, CEILING);
    out(`  picco max sustained (${shape.connections} connections × pipelining ${shape.pipelining}, nginx allows it): ${piped.rate} req/s, ${piped.usPerRequest} µs CPU/request`);
    // wrk again after the probes: the reference is the better of the two (neighbours hit wrk too).
    const wrk2 = await runWrk(url, quick ? 5 : 10);
    const ref = Math.max(wrk.rate, wrk2.rate);
    out(`  wrk -t1 -c64 again: ${Math.round(wrk2.rate)} req/s, ${wrk2.usPerRequest} µs CPU/request; reference ${Math.round(ref)} req/s`);
    out(`  ENGINE CEILING: picco/wrk = ${(picco.rate / ref).toFixed(2)} without pipelining (p99 ${picco.p99Ms} ms), ${(piped.rate / ref).toFixed(2)} with pipelining (p99 ${piped.p99Ms} ms) (goal >= 0.70 with p99 <= 25 ms)`);
    if (wrk.usPerRequest > 0 && picco.usPerRequest > 0) {
      const wrkUs = Math.min(wrk.usPerRequest, wrk2.usPerRequest || wrk.usPerRequest);
      out(`  CPU-per-request ratio (wrk µs / picco µs, less sensitive to neighbours): ${(wrkUs / picco.usPerRequest).toFixed(2)} without pipelining, ${piped.usPerRequest > 0 ? (wrkUs / piped.usPerRequest).toFixed(2) : '-'} with`);
    }

    // What each generator adds to the p99 it reports, at 10,000 req/s, half the ceiling and the ceiling.
    const base = await runPicco(url, 1000, quick ? 3 : 5);
    const baselineSvc = base.summary.serviceTimeMs.p99;
    out(`  target service time: picco at 1,000 req/s, service p99 ${baselineSvc} ms (p99 ${base.summary.latencyMs.p99} ms)`);
    const ceiling = Math.max(picco.rate, 1000);
    const halfRate = Math.round(ceiling / 2 / 100) * 100;
    const rates = [...new Set([10_000, halfRate, ceiling])].sort((x, y) => x - y);
    const rows = await delayTable(url, rates, quick ? 5 : 8, baselineSvc, out);
    const at = (r: number) => rows.find((x) => x.rate === r)!.picco;
    const tenK = at(10_000);
    const half = at(halfRate);
    const top = at(ceiling);
    const yes = (b: boolean): string => (b ? 'reached' : 'NOT reached');
    out(`  GENERATOR DELAY at 10,000 req/s: p99 ${tenK.p99} ms (goal <= 5), every second <= ${tenK.worstSecondP99} ms (goal <= 10), ${tenK.valid ? 'valid' : 'invalid'}: ${yes(tenK.valid && tenK.p99 <= 5 && tenK.worstSecondP99 <= 10)}`);
    out(`  GENERATOR DELAY at half the ceiling (${halfRate} req/s): p99 ${half.p99} ms (goal <= 10), ${half.valid ? 'valid' : 'invalid'}: ${yes(half.valid && half.p99 <= 10)}`);
    out(`  GENERATOR DELAY at the ceiling (${ceiling} req/s): p99 ${top.p99} ms, ${top.valid ? 'valid' : 'flagged invalid'} (goal: p99 <= 25 and valid, or flagged): ${yes((top.valid && top.p99 <= 25) || !top.valid)}`);
    out('  table for docs/benchmarks.md:');
    const refRun = wrk.rate >= wrk2.rate ? wrk : wrk2;
    for (const l of markdown(rows, { rate: refRun.rate, p99Ms: refRun.p99Ms }, baselineSvc).split('\n')) out(`    ${l}`);

    // What the engine adds over undici itself, at one rate, as CPU per request (noise-tolerant).
    const atRate = Math.max(2000, Math.round(Math.min(15_000, wrk.rate * 0.15) / 1000) * 1000);
    const bare = await pinnedOpenBare(url, atRate, 5);
    const eng = await runPicco(url, atRate, 5, ['--max-lag', '100000']);
    const engUs = (eng.summary.generator as unknown as { cpuUsPerRequest: number }).cpuUsPerRequest;
    out(`  at ${atRate} rps: bare undici open-model loop ${bare.toFixed(2)} µs CPU/request, picco ${engUs} µs (${((engUs / bare - 1) * 100).toFixed(0)} % engine overhead: scheduling, both latencies, HDR, per-second snapshots); wrk ${wrk.usPerRequest} µs`);

    const seconds = quick ? 10 : 30;
    const rate = 8000;
    const before = await ng.served();
    const r = await runPicco(url, rate, seconds);
    const after = await ng.served();
    const served = after - before - (r.summary as unknown as { generator: { warmup: number } }).generator.warmup;
    const intended = rate * seconds;
    const err = ((served - intended) / intended) * 100;
    out(`  rate accuracy: nginx counted ${served} requests for ${intended} intended (${err >= 0 ? '+' : ''}${err.toFixed(3)} %, goal ±1 %); ` +
      `picco: intended ${r.summary.requests.intended}, dropped ${r.summary.requests.dropped}, lag p99 ${r.summary.generator.lagP99Ms} ms (goal < 5 ms), ` +
      `latency p99 ${r.summary.latencyMs.p99} ms, service p99 ${r.summary.serviceTimeMs.p99} ms, exit ${r.code}`);
  } finally {
    await ng.stop();
  }
}
