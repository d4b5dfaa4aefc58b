import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeRuns, MergeError } from '../../harness/merge/merge-runs.ts';
import { writeSegment, unionPercentiles, type RecordedRequest } from './write-segment.ts';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function requests(n: number, seed: number): RecordedRequest[] {
  const r = rng(seed);
  const eps = ['POST /v1/wallet/cc', 'GET /v2/wallet', 'PUT /bpd/io/payment-instruments/{id}'];
  return Array.from({ length: n }, (_, i) => {
    const svc = Math.round(500 + r() * r() * 200_000);
    const slow = i % 5 === 0 && Math.floor(i / 50) === 7; // one slow stretch
    return { t: Math.floor(i / 50), endpoint: eps[i % 3]!, status: i % 97 === 0 ? 503 : 200, ok: i % 97 !== 0, serviceUs: svc, latencyUs: svc + (slow ? 900_000 : Math.round(r() * 3000)) };
  });
}

describe('mergeRuns', () => {
  const all = requests(1000, 7);
  const dir = mkdtempSync(join(tmpdir(), 'picco-merge-'));
  const segs = [0, 1, 2].map((k) => all.filter((_, i) => i % 3 === k));
  segs.forEach((s, k) => writeSegment(join(dir, `seg-${k + 1}`), s, { segment: `${k + 1}/3`, slo: [{ name: 'http_req_duration: p(99)<500', threshold: '<500' }, { name: 'http_req_duration: p(99)<500 in every 5s window', threshold: '<500' }, { name: 'checks{check:nope}: rate>0.5 in every 5s window', threshold: '>0.5' }] }));

  it('sums every count and reads percentiles from the union of the histograms', async () => {
    const r = await mergeRuns(segs.map((_, k) => join(dir, `seg-${k + 1}`)), join(dir, 'merged'));
    expect(r.summary.requests.total).toBe(1000);
    expect(r.summary.requests.failed).toBe(all.filter((x) => !x.ok).length);
    expect(r.summary.latencyMs).toEqual(unionPercentiles(all));
    const endpoints = r.summary['endpoints'] as Record<string, { count: number; latencyMs: unknown }>;
    expect(endpoints['GET /v2/wallet']!.count).toBe(all.filter((x) => x.endpoint === 'GET /v2/wallet').length);
    expect(endpoints['GET /v2/wallet']!.latencyMs).toEqual(unionPercentiles(all.filter((x) => x.endpoint === 'GET /v2/wallet')));
    const t7 = r.series.find((s) => s['t'] === 7)!;
    expect(t7['completed']).toBe(50);
    expect(t7['latencyMs']).toMatchObject({ p99: unionPercentiles(all.filter((x) => x.t === 7)).p99 });
    expect(r.notes.join('\n')).toMatch(/checks\{check:nope\}.*cannot be recomputed/);
    const written = JSON.parse(readFileSync(join(dir, 'merged', 'summary.json'), 'utf8')) as { checks: Record<string, { pass: number }> };
    expect(written.checks['journey done']!.pass).toBe(all.filter((x) => x.ok).length);
  });

  it('re-evaluates a windowed SLO on the merged data and fails it where the union fails', async () => {
    const r = await mergeRuns(segs.map((_, k) => join(dir, `seg-${k + 1}`)), join(dir, 'merged2'));
    const whole = r.summary.slo.find((s) => s.name === 'http_req_duration: p(99)<500')!;
    const windowed = r.summary.slo.find((s) => s.name.endsWith('in every 5s window') && s.name.startsWith('http'))!;
    expect(r.summary.slo.find((s) => s.name.startsWith('checks'))).toMatchObject({ merged: 'segments-all-passed', pass: true });
    expect(whole).toMatchObject({ merged: 'recomputed', pass: true });
    expect(windowed).toMatchObject({ merged: 'recomputed', pass: false });
    expect(windowed.value).toBeGreaterThan(500);
    expect(r.summary.pass).toBe(false);
  });

  it('notes a missing segment and refuses runs without histograms', async () => {
    const r = await mergeRuns([join(dir, 'seg-1'), join(dir, 'seg-2')], join(dir, 'partial'));
    expect(r.notes.join(' ')).toMatch(/only 2 of 3 segments/);
    await expect(mergeRuns([join(dir, 'nope')], join(dir, 'x'))).rejects.toBeInstanceOf(MergeError);
  });
});

describe('picco report --merge', () => {
  it('writes the merged run and its reports, exit 99 when the union fails an SLO', async () => {
    const { main } = await import('../../cli/main.ts');
    const dir = mkdtempSync(join(tmpdir(), 'picco-merge-cli-'));
    const all = requests(300, 3);
    [0, 1].forEach((k) => writeSegment(join(dir, `s${k}`), all.filter((_, i) => i % 2 === k), { segment: `${k + 1}/2`, slo: [{ name: 'http_req_duration: p(99)<1', threshold: '<1' }] }));
    const code = await main(['report', '--merge', join(dir, 's0'), join(dir, 's1'), '--out', join(dir, 'm'), '--quiet']);
    expect(code).toBe(99);
    expect(readFileSync(join(dir, 'm', 'junit.xml'), 'utf8')).toContain('<testsuite');
    expect(await main(['report', '--merge', join(dir, 's0')])).toBe(2);
  });
});
