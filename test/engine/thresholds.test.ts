import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSlo, SloSyntaxError } from '../../harness/slo/parse.ts';
import { evaluateSlo, abortingFailures } from '../../harness/slo/evaluate.ts';
import { loadSloFile, SloFileError } from '../../harness/slo/load.ts';
import { Aggregate } from '../../harness/metrics/aggregate.ts';
import { Recorder } from '../../harness/metrics/recorder.ts';

/** Builds a run of `latencies[t]` (ms) per second, all on one endpoint, some failed. */
function runOf(latencies: number[][], failedPerSecond: number[] = []): Aggregate {
  const agg = new Aggregate(1);
  const rec = new Recorder();
  const ep = rec.endpoint('POST /v1/wallet/cc');
  const other = rec.endpoint('GET /info');
  latencies.forEach((ls, t) => {
    ls.forEach((ms, k) => {
      const failed = k < (failedPerSecond[t] ?? 0);
      rec.complete(ep, failed ? 500 : 200, !failed, failed ? 'unexpected_status' : undefined, ms, ms / 2);
      rec.complete(other, 200, true, undefined, 1, 1);
      rec.check('card added', !failed);
      rec.intended++;
      rec.recordLag(0.2);
    });
    agg.add(rec.snapshot(t, 0));
  });
  return agg;
}

describe('SLO grammar', () => {
  it('parses k6-style SLOs with tags, units and windows', () => {
    const a = parseSlo('http_req_duration{endpoint:POST /v1/wallet/cc}: p(99)<50');
    expect(a).toMatchObject({ metric: 'http_req_duration', tag: { key: 'endpoint', value: 'POST /v1/wallet/cc' }, aggregate: { kind: 'p', p: 99 }, op: '<', value: 50 });
    expect(a.windowS).toBeUndefined();
    expect(parseSlo('http_req_failed: rate<1%').value).toBeCloseTo(0.01);
    expect(parseSlo('http_req_duration: p(99.9) <= 1.5s').value).toBe(1500);
    expect(parseSlo('checks: rate>0.99')).toMatchObject({ metric: 'checks', op: '>', value: 0.99 });
    expect(parseSlo('http_req_duration: p(99)<50 in every 10s window').windowS).toBe(10);
    expect(parseSlo('http_reqs: rate>=100 in every 1m window').windowS).toBe(60);
    expect(parseSlo('checks{check:card added}: rate>0.9').tag).toEqual({ key: 'check', value: 'card added' });
  });

  it('rejects malformed SLOs with a message saying how to write one', () => {
    for (const bad of ['http_req_duration p(99)<50', 'latency: p(99)<50', 'http_req_failed: p(99)<1', 'http_req_duration: rate<1', 'checks{endpoint:x}: rate>0.9', 'http_req_duration: p(99)<50 in every 0s window', 'http_req_duration: p(120)<5']) {
      expect(() => parseSlo(bad), bad).toThrow(SloSyntaxError);
    }
  });

  it('reads YAML and JSON SLO files and reports every bad entry at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'picco-slo-'));
    writeFileSync(join(dir, 'ok.yaml'), '- "http_req_failed: rate<0.01"\n- threshold: "http_req_duration: p(99)<50 in every 10s window"\n  abortOnFail: true\n  delayAbortEval: 5s\n');
    const slos = loadSloFile(join(dir, 'ok.yaml'));
    expect(slos).toHaveLength(2);
    expect(slos[1]).toMatchObject({ abortOnFail: true, delayAbortEvalS: 5, windowS: 10 });
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ thresholds: ['checks: rate>0.99'] }));
    expect(loadSloFile(join(dir, 'ok.json'))).toHaveLength(1);
    writeFileSync(join(dir, 'bad.yaml'), '- "nope"\n- "http_req_failed: rate<0.01"\n- "http_req_duration: avg<"\n');
    try {
      loadSloFile(join(dir, 'bad.yaml'));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SloFileError);
      const problems = (err as SloFileError).problems;
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/entry 1/);
      expect(problems[1]).toMatch(/entry 3/);
    }
  });
});

describe('SLO evaluation', () => {
  // 20 seconds of 10 ms latencies with a 2-second spike to 100 ms at t = 12, 13.
  const secs = Array.from({ length: 20 }, (_, t) => Array.from({ length: 100 }, () => (t === 12 || t === 13 ? 100 : 10)));
  const agg = runOf(secs, secs.map((_, t) => (t === 5 ? 30 : 0)));
  const view = { seconds: agg.seconds, totals: agg };

  it('passes a whole-run p99 that a windowed p99 fails, and names the worst window', () => {
    const whole = evaluateSlo(parseSlo('http_req_duration{endpoint:POST /v1/wallet/cc}: p(95)<150'), view);
    expect(whole.pass).toBe(true);
    const windowed = evaluateSlo(parseSlo('http_req_duration{endpoint:POST /v1/wallet/cc}: p(99)<50 in every 10s window'), view);
    expect(windowed.pass).toBe(false);
    expect(windowed.value).toBeCloseTo(100, 0);
    expect(windowed.by).toBeCloseTo(50, 0);
    expect(windowed.window!.endS - windowed.window!.startS).toBe(10);
    expect(windowed.window!.startS).toBeLessThanOrEqual(13);
    expect(windowed.window!.endS).toBeGreaterThanOrEqual(13);
    // whole-run p99 of the tagged endpoint: 200 of 2000 at 100 ms → p99 = 100
    expect(evaluateSlo(parseSlo('http_req_duration{endpoint:POST /v1/wallet/cc}: p(99)<50'), view).pass).toBe(false);
    // the other endpoint never spiked
    expect(evaluateSlo(parseSlo('http_req_duration{endpoint:GET /info}: p(99)<50 in every 10s window'), view).pass).toBe(true);
  });

  it('computes failure rates whole-run and per window', () => {
    // 30 failed of 4000 requests overall (both endpoints) = 0.0075
    const whole = evaluateSlo(parseSlo('http_req_failed: rate<0.01'), view);
    expect(whole.value).toBeCloseTo(30 / 4000, 6);
    expect(whole.pass).toBe(true);
    const win = evaluateSlo(parseSlo('http_req_failed: rate<0.01 in every 5s window'), view);
    expect(win.pass).toBe(false);
    expect(win.value).toBeCloseTo(30 / 1000, 6);
    const ep = evaluateSlo(parseSlo('http_req_failed{endpoint:POST /v1/wallet/cc}: rate<0.01'), view);
    expect(ep.value).toBeCloseTo(30 / 2000, 6);
    expect(evaluateSlo(parseSlo('checks: rate>0.99'), view).value).toBeCloseTo(1 - 30 / 2000, 6);
    expect(evaluateSlo(parseSlo('http_reqs: count>=4000'), view).pass).toBe(true);
    expect(evaluateSlo(parseSlo('http_reqs: rate>=200'), view).value).toBe(200);
    expect(evaluateSlo(parseSlo('dropped_iterations: count==0'), view).pass).toBe(true);
    expect(evaluateSlo(parseSlo('scheduling_lag: p(99)<1'), view).pass).toBe(true);
  });

  it('aborts on the last window only, after the delay', () => {
    const slo = parseSlo('http_req_duration: p(99)<50 in every 2s window', { abortOnFail: true, delayAbortEvalS: 3 });
    const early = runOf([[10], [100]]);
    expect(abortingFailures([slo], { seconds: early.seconds, totals: early }, 2)).toHaveLength(0);
    const later = runOf([[10], [10], [10], [100]]);
    expect(abortingFailures([slo], { seconds: later.seconds, totals: later }, 4)).toHaveLength(1);
  });

  it('passes with value null when there is no data', () => {
    const r = evaluateSlo(parseSlo('checks: rate>0.99'), { seconds: [], totals: new Aggregate(1) });
    expect(r).toMatchObject({ pass: true, value: null });
  });
});
