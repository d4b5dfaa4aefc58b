import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addSparse, decode, encode, mergeSparse, newHistogram, percentileMs, percentilesAtMs, sparsePercentileMs, toMicros, toSparse } from '../../harness/metrics/histogram.ts';
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

  // Values in ms as the engine records them: zeros, sub-ms, seconds, and past the 10 minutes the
  // histogram starts with (it resizes).
  const values = fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 60_000, noNaN: true }),
    fc.double({ min: 600_000, max: 3_000_000, noNaN: true })), { maxLength: 300 });

  it('adds sparse histograms bucket by bucket exactly as recording each bucket\'s lowest value would: counts, total, min, max', () => {
    fc.assert(
      fc.property(fc.array(values, { minLength: 1, maxLength: 3 }), (perWorker) => {
        const recorded = newHistogram();
        const parts = perWorker.map((vs) => {
          const h = newHistogram();
          for (const v of vs) {
            h.recordValue(toMicros(v));
            recorded.recordValue(toMicros(v));
          }
          return toSparse(h);
        });
        const merged = mergeSparse(parts);
        const added = newHistogram();
        addSparse(added, merged);
        const byValue = newHistogram();
        const scale = byValue as unknown as { valueFromIndex(i: number): number };
        for (let k = 0; k < merged.i.length; k++) byValue.recordValueWithCount(scale.valueFromIndex(merged.i[k]!), merged.c[k]!);
        expect(added.totalCount).toBe(recorded.totalCount);
        expect(added.maxValue).toBe(byValue.maxValue);
        expect(added.minNonZeroValue).toBe(byValue.minNonZeroValue);
        expect(encode(added)).toBe(encode(byValue));
        // the counts are the recorded ones, bucket for bucket
        for (const p of [0, 50, 99, 100]) expect(added.getValueAtPercentile(p)).toBe(recorded.getValueAtPercentile(p));
      }),
      { numRuns: 100 },
    );
  });

  it('reads out exactly the non-zero buckets of a histogram reused second after second, and sums them exactly', () => {
    // The reference: every bucket of the counts array, walked whole, and a sum by bucket in a Map.
    const everyBucket = (h: ReturnType<typeof newHistogram>): [number, number][] => {
      const counts = (h as unknown as { _counts: ArrayLike<number> })._counts;
      const out: [number, number][] = [];
      for (let k = 0; k < counts.length; k++) if (counts[k] !== 0) out.push([k, counts[k]!]);
      return out;
    };
    fc.assert(
      fc.property(fc.array(fc.array(values, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), (seconds) => {
        const hs = [newHistogram(), newHistogram(), newHistogram()];
        for (const perWorker of seconds) {
          const parts = perWorker.map((vs, w) => {
            const h = hs[w]!;
            for (const v of vs) h.recordValue(toMicros(v));
            const sp = toSparse(h);
            expect(sp.i.map((i, k) => [i, sp.c[k]])).toEqual(everyBucket(h));
            h.reset();
            return sp;
          });
          const sum = new Map<number, number>();
          for (const p of parts) p.i.forEach((i, k) => sum.set(i, (sum.get(i) ?? 0) + p.c[k]!));
          const merged = mergeSparse(parts);
          expect(merged.i.map((i, k) => [i, merged.c[k]])).toEqual([...sum].sort((a, b) => a[0] - b[0]));
        }
      }),
      { numRuns: 150 },
    );
    // Nothing left behind in the merge's scratch counts: the same merge twice gives the same sum.
    const two = [{ i: [0, 3, 7], c: [1, 1, 1] }, { i: [3, 9], c: [2, 5] }];
    expect(mergeSparse(two)).toEqual({ i: [0, 3, 7, 9], c: [1, 3, 1, 5] });
    expect(mergeSparse(two)).toEqual({ i: [0, 3, 7, 9], c: [1, 3, 1, 5] });
    expect(mergeSparse([{ i: [], c: [] }, { i: [], c: [] }])).toEqual({ i: [], c: [] });
  });

  it('gives several percentiles in one pass, each what getValueAtPercentile gives', () => {
    fc.assert(
      fc.property(values, fc.uniqueArray(fc.double({ min: 0.001, max: 100, noNaN: true }), { minLength: 1, maxLength: 6 }), (vs, ps) => {
        const h = newHistogram();
        for (const v of vs) h.recordValue(toMicros(v));
        const sorted = [...ps].sort((a, b) => a - b);
        const want = sorted.map((p) => (h.totalCount === 0 ? 0 : Math.round(h.getValueAtPercentile(p)) / 1000));
        expect(percentilesAtMs(h, sorted)).toEqual(want);
      }),
      { numRuns: 200 },
    );
    const h = newHistogram();
    for (let k = 1; k <= 1000; k++) h.recordValue(k * 1000);
    expect(percentilesAtMs(h, [50, 90, 99, 100])).toEqual([500.223, 900.095, 990.207, 1000.447]);
  });

  it('reads a percentile of sparse buckets as of the histogram they make', () => {
    fc.assert(
      fc.property(fc.array(values, { minLength: 1, maxLength: 3 }), fc.double({ min: 0, max: 100, noNaN: true }), (perWorker, p) => {
        const parts = perWorker.map((vs) => {
          const h = newHistogram();
          for (const v of vs) h.recordValue(toMicros(v));
          return toSparse(h);
        });
        const merged = mergeSparse(parts);
        const h = newHistogram();
        addSparse(h, merged);
        expect(sparsePercentileMs(merged, p)).toBe(percentileMs(h, p));
      }),
      { numRuns: 200 },
    );
  });

  it('encodes a second\'s endpoint histograms when they are read, and forgets them when dropped', () => {
    const agg = new Aggregate(2);
    const direct = newHistogram();
    for (const w of [0, 1]) {
      const rec = new Recorder();
      for (let k = 1; k <= 300; k++) {
        const ms = (k * (w + 3)) % 97;
        rec.complete(rec.endpoint('GET /a'), 200, true, undefined, ms, ms / 2);
        direct.recordValue(toMicros(ms));
      }
      agg.add(rec.snapshot(0, 0));
    }
    agg.flushAll();
    const e = agg.seconds[0]!.endpoints['GET /a']!;
    expect(e.count).toBe(600);
    expect(e.latency).toBe(encode(direct));
    expect(JSON.parse(JSON.stringify(agg.seconds[0]!)).endpoints['GET /a'].latency).toBe(encode(direct));
    e.latency = e.serviceTime = '';
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ count: 600, latency: '', serviceTime: '' });
  });

  it('works out a kept second\'s endpoint encodings when the next second is final, and leaves a dropped one dropped', () => {
    const agg = new Aggregate(1);
    const rec = new Recorder();
    const direct = [newHistogram(), newHistogram()];
    for (let t = 0; t < 2; t++) {
      for (let k = 1; k <= 100; k++) {
        rec.complete(rec.endpoint('GET /a'), 200, true, undefined, k + t, k);
        direct[t]!.recordValue(toMicros(k + t));
      }
      agg.add(rec.snapshot(t, 0));
      // as execute.ts does when no windowed endpoint SLO keeps them: second 1 dropped at once
      if (t === 1) agg.seconds[1]!.endpoints['GET /a']!.latency = '';
    }
    rec.complete(rec.endpoint('GET /a'), 200, true, undefined, 1, 1);
    agg.add(rec.snapshot(2, 0));
    const own = (t: number) => Object.getOwnPropertyDescriptor(agg.seconds[t]!.endpoints['GET /a'], 'latency')!;
    expect(own(0).get!()).toBe(encode(direct[0]!));
    expect(own(1).get!()).toBe('');
  });
});
