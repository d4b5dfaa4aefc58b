import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { mergeRuns } from '../../harness/merge/merge-runs.ts';
import { startTarget, type Target } from '../verify/target.ts';

const SCENARIO = 'test/verify/fixtures/light-load.ts';

function picco(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/picco.js', ...args], { stdio: 'ignore' });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function run(target: Target, out: string, segment?: string): Promise<number> {
  return picco(['run', SCENARIO, '--target', target.url, '--out', out, '--quiet', '--seed', '9', '--max-lag', '2000', '--max-dropped', '0.5',
    ...(segment !== undefined ? ['--segment', segment] : [])]);
}

const read = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, any>;
const series = (dir: string) => readFileSync(join(dir, 'series.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);

/** The union's histogram, built with hdr-histogram-js directly (not with picco's merge code). */
function unionPercentiles(dirs: string[], key: 'latency' | 'serviceTime') {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  for (const d of dirs) h.add(hdr.decodeFromCompressedBase64(read(d, 'histograms.json')[key] as string));
  const ms = (p: number) => Math.round(h.getValueAtPercentile(p)) / 1000;
  return { count: h.totalCount, p50: ms(50), p90: ms(90), p95: ms(95), p99: ms(99), p999: ms(99.9), max: ms(100) };
}

describe('two segments against the reference server, merged', () => {
  let target: Target;
  const dir = mkdtempSync(join(tmpdir(), 'picco-segments-'));
  const whole = join(dir, 'whole');
  const segs = [join(dir, 'seg-1'), join(dir, 'seg-2')];
  let merged: Awaited<ReturnType<typeof mergeRuns>>;

  beforeAll(async () => {
    target = await startTarget();
    expect(await run(target, whole)).toBe(0);
    const codes = await Promise.all(segs.map((d, k) => run(target, d, `${k + 1}/2`)));
    expect(codes).toEqual([0, 0]);
    merged = await mergeRuns(segs, join(dir, 'merged'));
  }, 60_000);
  afterAll(async () => {
    await target.close();
  });

  it('give the counts of the unsegmented run: requests, endpoints, statuses, checks, intended per second', () => {
    const w = read(whole, 'summary.json');
    expect(merged.summary.requests).toEqual(w['requests']);
    const eps = merged.summary['endpoints'] as Record<string, { count: number; status: Record<string, number> }>;
    for (const [name, e] of Object.entries(w['endpoints'] as Record<string, { count: number; status: Record<string, number> }>)) {
      expect(eps[name]!.count).toBe(e.count);
      expect(eps[name]!.status).toEqual(e.status);
    }
    expect(merged.summary['checks']).toEqual(w['checks']);
    const intended = (rows: Record<string, any>[]) => rows.reduce((a, r) => a + (r['intended'] as number), 0);
    expect(intended(merged.series)).toBe(intended(series(whole)));
  });

  it('give the percentiles of the histogram of the union of the segments', () => {
    for (const key of ['latency', 'serviceTime'] as const) {
      const u = unionPercentiles(segs, key);
      const m = key === 'latency' ? merged.summary.latencyMs : (merged.summary['serviceTimeMs'] as typeof merged.summary.latencyMs);
      expect(m).toEqual({ p50: u.p50, p90: u.p90, p95: u.p95, p99: u.p99, p999: u.p999, max: u.max });
      expect(u.count).toBe(merged.summary.requests.total - merged.summary.requests.dropped - countTransportFailures(merged));
    }
  });

  it('re-evaluate the SLOs on the merged data', () => {
    expect(merged.summary.slo.length).toBeGreaterThan(0);
    expect(merged.summary.slo.every((s) => s.merged === 'recomputed')).toBe(true);
  });
});

function countTransportFailures(m: Awaited<ReturnType<typeof mergeRuns>>): number {
  const f = (m.summary['failures'] ?? {}) as Record<string, number>;
  return Object.entries(f).filter(([k]) => k !== 'unexpected_status').reduce((a, [, v]) => a + v, 0);
}
