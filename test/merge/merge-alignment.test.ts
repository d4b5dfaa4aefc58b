import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeRuns } from '../../harness/merge/merge-runs.ts';
import { writeSegment, type RecordedRequest } from './write-segment.ts';

// A one-second burst: 100 requests in second 2 of a 5 s schedule, 10 in every other second.
function schedule(): RecordedRequest[] {
  const out: RecordedRequest[] = [];
  for (let t = 0; t < 5; t++) {
    for (let i = 0; i < (t === 2 ? 100 : 10); i++) out.push({ t, endpoint: 'POST /v1/wallet/cc', status: 201, ok: true, latencyUs: 2000 + i, serviceUs: 1500 + i });
  }
  return out;
}

const T0 = '2026-12-08T09:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

function segments(dir: string, starts: Array<{ intendedAt: string; clockOffsetMs: number | null; releaseLagMs: number | null }>): string[] {
  const all = schedule();
  return starts.map((start, k) => {
    const d = join(dir, `seg-${k + 1}`);
    writeSegment(d, all.filter((_, i) => i % starts.length === k), { segment: `${k + 1}/${starts.length}`, start, maxLagP99Ms: 25 });
    return d;
  });
}

const perSecond = (series: Record<string, unknown>[]) => Object.fromEntries(series.map((s) => [s['t'] as number, s['completed'] as number]));

describe('picco report --merge aligns segments by wall clock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'picco-align-'));

  it('segments that started together: the burst stays in one second, skew within the bound, valid', async () => {
    const segs = segments(join(dir, 'together'), [
      { intendedAt: T0, clockOffsetMs: 1.5, releaseLagMs: 0.8 },
      { intendedAt: T0, clockOffsetMs: -2, releaseLagMs: 1.2 },
    ]);
    const r = await mergeRuns(segs, join(dir, 'together', 'merged'));
    expect(perSecond(r.series)).toEqual({ 0: 10, 1: 10, 2: 100, 3: 10, 4: 10 });
    expect(r.summary['start']).toMatchObject({ alignedBy: 'wall-clock', intendedAt: at(-2), boundMs: 25 });
    // actual starts on the reference clock: T0 + 1.5 + 0.8 and T0 - 2 + 1.2
    expect(r.alignment.skewMs).toBeCloseTo(3.1, 5);
    expect(r.summary.valid).toBe(true);
  });

  it('a segment whose summary says it started 3 s later: its rows move 3 s, the burst shows split, the skew is reported and the run is invalid (exit 98)', async () => {
    const segs = segments(join(dir, 'late'), [
      { intendedAt: T0, clockOffsetMs: 0, releaseLagMs: 1 },
      { intendedAt: T0, clockOffsetMs: 0, releaseLagMs: 1 },
    ]);
    // the artificial offset: edit the second segment's summary as a 3 s later launch would write it
    const path = join(segs[1]!, 'summary.json');
    const s = JSON.parse(readFileSync(path, 'utf8')) as { start: { intendedAt: string } };
    s.start.intendedAt = at(3000);
    writeFileSync(path, JSON.stringify(s));
    const r = await mergeRuns(segs, join(dir, 'late', 'merged'));
    expect(perSecond(r.series)).toEqual({ 0: 5, 1: 5, 2: 50, 3: 10, 4: 10, 5: 50, 6: 5, 7: 5 });
    expect(r.alignment.shiftS).toEqual([0, 3]);
    expect(r.alignment.skewMs).toBe(3000);
    expect(r.summary.valid).toBe(false);
    expect(r.summary.invalidReasons.join('\n')).toMatch(/segment start skew 3,000 ms > 25 ms \(--max-lag\): 2\/2 started 3,000 ms after the first/);

    const cli = spawnSync(process.execPath, ['bin/picco.js', 'report', '--merge', ...segs, '--out', join(dir, 'late', 'merged-cli')], { encoding: 'utf8' });
    expect(cli.status).toBe(98);
    expect(cli.stderr).toMatch(/segment start skew 3000 ms \(bound 25 ms\)/);
    expect(cli.stderr).toMatch(/merged run invalid: segment start skew/);
    const written = JSON.parse(readFileSync(join(dir, 'late', 'merged-cli', 'summary.json'), 'utf8')) as Record<string, any>;
    expect(written['valid']).toBe(false);
    expect(written['start']['skewMs']).toBe(3000);
    expect(written['start']['segments'].map((x: { segment: string; shiftS: number }) => [x.segment, x.shiftS])).toEqual([['1/2', 0], ['2/2', 3]]);
    const md = readFileSync(join(dir, 'late', 'merged-cli', 'summary.md'), 'utf8');
    expect(md).toContain('Segments: 2, start skew 3000 ms (bound 25.0 ms) ⚠️');
    expect(md).toMatch(/run invalid: segment start skew 3,000 ms > 25 ms/);
  });

  it('same intended instant, but one clock 40 ms off the reference: no row moves, and the skew still invalidates', async () => {
    const segs = segments(join(dir, 'offset'), [
      { intendedAt: T0, clockOffsetMs: 0, releaseLagMs: 0.5 },
      { intendedAt: T0, clockOffsetMs: 40, releaseLagMs: 0.5 },
    ]);
    const r = await mergeRuns(segs, join(dir, 'offset', 'merged'));
    expect(r.alignment.shiftS).toEqual([0, 0]);
    expect(perSecond(r.series)[2]).toBe(100);
    expect(r.alignment.skewMs).toBe(40);
    expect(r.summary.valid).toBe(false);
  });

  it('an unmeasured clock offset is taken as 0 and said so', async () => {
    const segs = segments(join(dir, 'unmeasured'), [
      { intendedAt: T0, clockOffsetMs: null, releaseLagMs: 2 },
      { intendedAt: at(4), clockOffsetMs: 1, releaseLagMs: 1 },
    ]);
    const r = await mergeRuns(segs, join(dir, 'unmeasured', 'merged'));
    expect(r.alignment.skewMs).toBe(4);
    expect(r.summary.valid).toBe(true);
    expect(r.notes.join('\n')).toMatch(/clock offset not measured for 1\/2: taken as 0/);
  });
});
