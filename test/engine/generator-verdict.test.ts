/** The per-second generator-delay verdict: which seconds, how late, why (pure: synthetic seconds). */
import { describe, expect, it } from 'vitest';
import { Aggregate } from '../../harness/metrics/aggregate.ts';
import { Recorder } from '../../harness/metrics/recorder.ts';
import type { LoopSecond } from '../../harness/metrics/loop-watch.ts';
import { judgeGeneratorDelay } from '../../harness/metrics/generator-delay.ts';
import { judgedPercentile } from '../../harness/runner/execute.ts';
import { parseSlo } from '../../harness/slo/parse.ts';

const loop = (over: Partial<LoopSecond> = {}): LoopSecond => ({
  worker: 0,
  utilisation: 0.3,
  eventLoopDelayMs: { p50: 0.1, p99: 1, max: 2 },
  gcMs: { total: 0, max: 0 },
  cpuMs: 300,
  runQueueMs: 0,
  runEventLoopDelayMs: { p50: 0.1, p99: 1, max: 2 },
  ...over,
});

/**
 * Seconds of 1,000 requests each; `late[t]` ms of generator delay on the slowest `share` of second t;
 * `inFlight[t]` requests in flight at the end of second t (0 unless given).
 */
function run(late: Record<number, number>, loops: Record<number, Partial<LoopSecond>> = {}, share = 0.05, seconds = 6, inFlight: Record<number, number> = {}): Aggregate {
  const agg = new Aggregate(1);
  const rec = new Recorder();
  const ep = rec.endpoint('GET /');
  for (let t = 0; t < seconds; t++) {
    for (let k = 0; k < 1000; k++) {
      const gen = k < 1000 * share ? (late[t] ?? 0.5) : 0.3;
      rec.intended++;
      rec.started++;
      rec.complete(ep, 200, true, undefined, 1 + gen, 1, gen / 2, gen / 2);
    }
    agg.add(rec.snapshot(t, inFlight[t] ?? 0, loop(loops[t])));
  }
  agg.flushAll();
  return agg;
}

describe('generator-delay verdict', () => {
  it('passes a run whose generator delay stays within the bound in every second', () => {
    const v = judgeGeneratorDelay(run({}).seconds, { percentile: 99, maxMs: 25 });
    expect(v.late).toEqual([]);
    expect(v.reason).toBeUndefined();
    expect(v.worstMs).toBeLessThan(1);
  });

  it('names each late second with its delay at the judged percentile, however short the stall is in the whole run', () => {
    // 5 % of one second out of six: 0.8 % of the run, under a run-wide p99, over that second's
    const v = judgeGeneratorDelay(run({ 3: 200 }).seconds, { percentile: 99, maxMs: 25 });
    expect(v.late.map((l) => l.t)).toEqual([3]);
    expect(v.late[0]!.delayMs).toBeGreaterThanOrEqual(199);
    expect(v.worstSecond).toBe(3);
    expect(v.reason).toMatch(/at p99 exceeded 25 ms \(--max-lag\) in 1 of 6 seconds: second 3 \(20\d\.\d ms/);
    expect(v.reason).toMatch(/--workers N .*smaller --rate/);
  });

  it('judges at the SLO percentile: a stall on 5 % of a second fails p99 and passes p90', () => {
    expect(judgeGeneratorDelay(run({ 2: 100 }).seconds, { percentile: 90, maxMs: 25 }).late).toEqual([]);
    expect(judgeGeneratorDelay(run({ 2: 100 }).seconds, { percentile: 99, maxMs: 25 }).late).toHaveLength(1);
  });

  it('names the likely cause from the engine thread: GC, a busy core, start-up, saturation, synchronous work', () => {
    const v = judgeGeneratorDelay(
      run(
        { 0: 80, 1: 60, 2: 60, 3: 60, 4: 60 },
        { 0: { utilisation: 0.7 }, 1: { gcMs: { total: 45, max: 40 } }, 2: { runQueueMs: 300 }, 3: { utilisation: 0.97 }, 4: { utilisation: 0.4 } },
      ).seconds,
      { percentile: 99, maxMs: 25 },
    );
    expect(v.late.map((l) => [l.t, l.cause])).toEqual([
      [0, 'start-up'],
      [1, 'gc'],
      [2, 'busy-core'],
      [3, 'cpu-saturation'],
      [4, 'blocked'],
    ]);
    expect(v.reason).toMatch(/second 1 .*longest GC 40\.0 ms: likely garbage collection/);
    expect(v.reason).toMatch(/second 2 .*waited 300 ms for a CPU: likely a busy core/);
    expect(v.reason).toMatch(/keep other work off the engine's core/);
  });

  it('does not blame a busy core for many short waits: the wake-up latency of a thread woken often, on an idle core too', () => {
    const v = judgeGeneratorDelay(
      run({ 2: 60, 3: 60 }, { 2: { runQueueMs: 97, runSlices: 1543, utilisation: 0.49 }, 3: { runQueueMs: 300, runSlices: 400, utilisation: 0.49 } }).seconds,
      { percentile: 99, maxMs: 25 },
    );
    expect(v.late.map((l) => [l.t, l.cause])).toEqual([[2, 'blocked'], [3, 'busy-core']]);
    expect(v.late[0]).toMatchObject({ runQueueMs: 97, runSlices: 1543 });
    expect(v.reason).toMatch(/second 2 .*waited 97 ms for a CPU over 1543 wake-ups: likely the engine thread's event loop held up by its own work/);
    expect(v.reason).toMatch(/second 3 .*waited 300 ms for a CPU over 400 wake-ups: likely a busy core/);
  });

  it('names the hypervisor when it took the engine\'s core for half the delay or more (steal), and not for a few ticks', () => {
    const v = judgeGeneratorDelay(
      run({ 2: 60, 3: 60, 4: 60 }, { 2: { stealMs: 120, utilisation: 0.3 }, 3: { stealMs: 10, utilisation: 0.3 }, 4: { stealMs: 40, gcMs: { total: 45, max: 40 } } }).seconds,
      { percentile: 99, maxMs: 25 },
    );
    expect(v.late.map((l) => [l.t, l.cause, l.stealMs])).toEqual([[2, 'steal', 120], [3, 'blocked', 10], [4, 'gc', 40]]);
    expect(v.reason).toMatch(/second 2 .*the hypervisor took about 120 ms of its core: likely the hypervisor/);
    expect(v.reason).not.toMatch(/second 3 [^)]*hypervisor/);
    expect(v.reason).toMatch(/run again on a quieter host or a machine with dedicated cores/);
  });

  it('says when the target had fallen behind: more in flight than it answered in a late second', () => {
    const gc = { gcMs: { total: 45, max: 40 } };
    const v = judgeGeneratorDelay(run({ 2: 60, 3: 60, 4: 60 }, { 2: gc, 3: gc, 4: gc }, 0.05, 6, { 2: 900, 3: 2500, 4: 4000 }).seconds, { percentile: 99, maxMs: 25 });
    expect(v.late.map((l) => [l.t, l.inFlight, l.completed, l.cause])).toEqual([[2, 900, 1000, 'gc'], [3, 2500, 1000, 'gc'], [4, 4000, 1000, 'gc']]);
    expect(v.reason).toMatch(/In 2 of them \(second 4: the most\) the target had fallen behind: 4000 requests in flight against 1000 answered in the second, about 4\.0 s each by Little's law\. /);
    expect(v.reason).toMatch(/a smaller --rate or --scale finds the load the target holds$/);

    const one = judgeGeneratorDelay(run({ 3: 60 }, { 3: gc }, 0.05, 6, { 3: 1500 }).seconds, { percentile: 99, maxMs: 25 });
    expect(one.reason).toMatch(/In second 3 the target had fallen behind: 1500 requests in flight against 1000 answered/);
  });

  it('says nothing of a backlog when the target kept up: fewer in flight than it answered in the second', () => {
    const v = judgeGeneratorDelay(run({ 2: 60, 3: 60 }, {}, 0.05, 6, { 2: 999, 3: 0 }).seconds, { percentile: 99, maxMs: 25 });
    expect(v.late.map((l) => [l.t, l.inFlight])).toEqual([[2, 999], [3, 0]]);
    expect(v.reason).not.toMatch(/fallen behind/);
  });

  it('takes the percentile from the latency SLOs (highest wins), p99 without one', () => {
    expect(judgedPercentile([])).toBe(99);
    expect(judgedPercentile([parseSlo('http_req_failed: rate<0.01')])).toBe(99);
    expect(judgedPercentile([parseSlo('http_req_duration: p(95)<200'), parseSlo('http_req_duration{endpoint:GET /}: p(99.9)<500')])).toBe(99.9);
    expect(judgedPercentile([parseSlo('http_req_duration: med<50')])).toBe(50);
  });
});
