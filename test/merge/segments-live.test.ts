import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { mergeRuns } from '../../harness/merge/merge-runs.ts';
// One picco run per segment in child processes, as on N machines; the merge is picco's.
import { startTarget, type Target } from '../verify/target.ts';

const SCENARIO = 'test/verify/fixtures/light-load.ts';

function picco(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/picco.js', ...args], { stdio: 'ignore' });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function run(target: Target, out: string, segment?: string, startAt?: string): Promise<number> {
  // Generator validity is not under test here, and the test machine is shared: wide bounds.
  return picco(['run', SCENARIO, '--target', target.url, '--out', out, '--quiet', '--seed', '9', '--max-lag', '10000', '--max-dropped', '0.9',
    ...(segment !== undefined ? ['--segment', segment] : []), ...(startAt !== undefined ? ['--start-at', startAt] : [])]);
}

const read = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, any>;

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
  const segs = [join(dir, 'seg-1'), join(dir, 'seg-2')];
  let merged: Awaited<ReturnType<typeof mergeRuns>>;

  beforeAll(async () => {
    target = await startTarget();
    // one start instant, as on N machines: the merge lines the segments up by wall clock
    const startAt = new Date(Date.now() + 30_000).toISOString();
    const codes = await Promise.all(segs.map((d, k) => run(target, d, `${k + 1}/2`, startAt)));
    // 99: a segment missed light-load's own SLO on a loaded box; the union's verdict is what is tested below
    for (const c of codes) expect([0, 99]).toContain(c);
    merged = await mergeRuns(segs, join(dir, 'merged'));
  }, 120_000);
  afterAll(async () => {
    await target.close();
  });

  it('give the counts of the union: requests, endpoints, statuses, checks; and the unsegmented schedule per second', () => {
    const parts = segs.map((d) => read(d, 'summary.json'));
    for (const k of Object.keys(parts[0]!['requests'] as object)) {
      expect((merged.summary.requests as Record<string, number>)[k]).toBe(parts.reduce((a, p) => a + (p['requests'][k] as number), 0));
    }
    const eps = merged.summary['endpoints'] as Record<string, { count: number; status: Record<string, number> }>;
    const names = new Set(parts.flatMap((p) => Object.keys(p['endpoints'] as object)));
    expect(new Set(Object.keys(eps))).toEqual(names);
    for (const name of names) {
      const each = parts.map((p) => (p['endpoints'] as Record<string, { count: number; status: Record<string, number> } | undefined>)[name]);
      expect(eps[name]!.count).toBe(each.reduce((a, e) => a + (e?.count ?? 0), 0));
      const status: Record<string, number> = {};
      for (const e of each) for (const [k, v] of Object.entries(e?.status ?? {})) status[k] = (status[k] ?? 0) + v;
      expect(eps[name]!.status).toEqual(status);
    }
    const checks = merged.summary['checks'] as Record<string, { pass: number; fail: number }>;
    for (const [name, c] of Object.entries(checks)) {
      expect(c.pass).toBe(parts.reduce((a, p) => a + ((p['checks'] as Record<string, { pass: number }>)[name]?.pass ?? 0), 0));
    }
    // light-load: 15 arrivals per second for 3 s, split 8/7 between the two stripes every second.
    const intended = new Map(merged.series.map((r) => [r['t'] as number, r['intended'] as number]));
    expect([0, 1, 2].map((t) => intended.get(t))).toEqual([15, 15, 15]);
    expect(merged.summary.requests['intended' as 'total']).toBe(45);
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
