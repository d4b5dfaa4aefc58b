import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addSparse, decode, encode, newHistogram, toMicros } from '../../harness/metrics/histogram.ts';
import { Aggregate } from '../../harness/metrics/aggregate.ts';
import { Recorder } from '../../harness/metrics/recorder.ts';

describe('histogram merge across workers', () => {
  it('equals one histogram over the same values, through the wire encoding', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: 0, max: 60_000, noNaN: true }), { maxLength: 200 }), { minLength: 1, maxLength: 4 }), (perWorker) => {
        const single = newHistogram();
        const merged = newHistogram();
        for (const values of perWorker) {
          const h = newHistogram();
          for (const v of values) {
            h.recordValue(toMicros(v));
            single.recordValue(toMicros(v));
          }
          merged.add(decode(encode(h)));
        }
        expect(merged.totalCount).toBe(single.totalCount);
        for (const p of [0, 50, 90, 99, 99.9, 100]) expect(merged.getValueAtPercentile(p)).toBe(single.getValueAtPercentile(p));
        expect(encode(merged)).toBe(encode(single));
      }),
      { numRuns: 50 },
    );
  });

  it('merges per-second snapshots of several workers exactly, counters and histograms', () => {
    const one = new Aggregate(1);
    const three = new Aggregate(3);
    const solo = new Recorder();
    const workers = [new Recorder(), new Recorder(), new Recorder()];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let t = 0; t < 5; t++) {
      for (let k = 0; k < 300; k++) {
        const w = workers[k % 3]!;
        const ms = rnd() * 500;
        const status = rnd() < 0.1 ? 503 : 200;
        const lag = rnd();
        for (const r of [w, solo]) {
          r.intended++;
          r.recordLag(lag);
          r.complete(r.endpoint(k % 2 === 0 ? 'GET /a' : 'POST /b'), status, status === 200, status === 200 ? undefined : 'unexpected_status', ms, ms / 3);
        }
      }
      const lines3 = workers.flatMap((w) => three.add(w.snapshot(t, 0)));
      const lines1 = one.add(solo.snapshot(t, 0));
      expect(lines3).toEqual(lines1);
    }
    expect(three.completed).toBe(one.completed);
    expect(three.status).toEqual(one.status);
    expect(encode(three.latency)).toBe(encode(one.latency));
    expect(encode(three.endpoints.get('POST /b')!.serviceTime)).toBe(encode(one.endpoints.get('POST /b')!.serviceTime));
    expect(three.seconds).toEqual(one.seconds);
  });

  it('reports run-wide latency, service time and status counts equal to the union of its endpoints', () => {
    const rec = new Recorder();
    const all = { latency: newHistogram(), serviceTime: newHistogram() };
    const names = ['GET /a', 'POST /b', 'PUT /c'];
    for (let k = 0; k < 900; k++) {
      const ms = (k * 7919) % 3000 / 7;
      const status = k % 11 === 0 ? 503 : 200;
      rec.complete(rec.endpoint(names[k % 3]!), status, status === 200, undefined, ms, ms / 2);
      all.latency.recordValue(toMicros(ms));
      all.serviceTime.recordValue(toMicros(ms / 2));
    }
    const snap = rec.snapshot(0, 0);
    const latency = newHistogram();
    const serviceTime = newHistogram();
    addSparse(latency, snap.latency);
    addSparse(serviceTime, snap.serviceTime);
    expect(encode(latency)).toBe(encode(all.latency));
    expect(encode(serviceTime)).toBe(encode(all.serviceTime));
    expect(snap.status).toEqual({ '200': 818, '503': 82 });
  });
});
