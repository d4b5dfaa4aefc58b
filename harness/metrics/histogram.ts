/**
 * HDR histograms (hdr-histogram-js) holding microseconds, 3 significant digits: bounded memory
 * whatever the request count, exact merge by addition across seconds, workers and machines,
 * and a compact encoding (`encodeIntoCompressedBase64`) that is the on-disk and on-the-wire
 * form. Values are recorded as integer microseconds; reports read milliseconds.
 *
 * @example
 * const h = newHistogram(); h.recordValue(toMicros(12.5));
 * const same = decode(encode(h)); percentilesMs(same).p99; // 12.5
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export type { Histogram };

/** Highest value tracked without resizing: 10 minutes in µs (auto-resize beyond). */
const HIGHEST_US = 600_000_000;

export function newHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, autoResize: true });
}

/** Integer microseconds; 0 for a negative value or NaN (never a value that would corrupt a histogram). */
export function toMicros(ms: number): number {
  return ms > 0 ? Math.round(ms * 1000) : 0;
}

export function encode(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decode(b64: string): Histogram {
  return hdr.decodeFromCompressedBase64(b64, 32, false);
}

/**
 * A histogram as its non-zero buckets: what a worker posts each second. Cheaper to build than
 * the compressed encoding (a scan of the counts array, no deflate), so the engine's event loop
 * is not blocked at second boundaries; the main thread rebuilds and encodes. Exact: bucket i is
 * re-recorded at the lowest value of bucket i, which lands in the same bucket.
 */
export interface SparseHistogram {
  i: number[];
  c: number[];
}

/** The parts of hdr-histogram-js's JsHistogram the sparse paths use (the library's own methods). */
interface Internals {
  _counts: ArrayLike<number>;
  countsArrayLength: number;
  valueFromIndex(index: number): number;
  highestEquivalentValue(value: number): number;
  addToCountAtIndex(index: number, count: number): void;
  addToTotalCount(count: number): void;
  updateMinAndMax(value: number): void;
  countsArrayIndex(value: number): number;
}

/**
 * The non-zero buckets of `h`, ascending. Only the buckets between its lowest non-zero value and
 * its highest are walked (and bucket 0, which holds the value 0): the counts array spans
 * 1 µs to 10 minutes (21,504 buckets) while a second's latencies fill a few thousand of them, and
 * the load thread reads out every endpoint's two histograms at each second's end.
 */
export function toSparse(h: Histogram): SparseHistogram {
  const out: SparseHistogram = { i: [], c: [] };
  if (h.totalCount === 0) return out;
  const x = h as unknown as Internals;
  const counts = x._counts;
  const zeros = counts[0]!;
  if (zeros !== 0) {
    out.i.push(0);
    out.c.push(zeros);
  }
  if (h.maxValue === 0) return out;
  const last = Math.min(x.countsArrayLength - 1, x.countsArrayIndex(h.maxValue));
  for (let k = Math.max(1, x.countsArrayIndex(h.minNonZeroValue)); k <= last; k++) {
    const n = counts[k]!;
    if (n !== 0) {
      out.i.push(k);
      out.c.push(n);
    }
  }
  return out;
}

/** Scratch counts for mergeSparse, grown on demand and left zeroed after each use. */
let mergeScratch = new Float64Array(0);

/**
 * The sum of several sparse histograms (bucket by bucket, exact), as one sparse histogram with its
 * buckets ascending: the counts are added up in a dense scratch array, then read out in order over
 * the span of bucket indexes the parts cover (a few thousand at most for a second's latencies).
 */
export function mergeSparse(parts: readonly SparseHistogram[]): SparseHistogram {
  if (parts.length === 1) return { i: parts[0]!.i.slice(), c: parts[0]!.c.slice() };
  let hi = -1;
  for (const p of parts) for (let k = 0; k < p.i.length; k++) if (p.i[k]! > hi) hi = p.i[k]!;
  const out: SparseHistogram = { i: [], c: [] };
  if (hi < 0) return out;
  if (mergeScratch.length <= hi) mergeScratch = new Float64Array(Math.max(hi + 1, 2 * mergeScratch.length));
  const acc = mergeScratch;
  let lo = hi;
  for (const p of parts) {
    for (let k = 0; k < p.i.length; k++) {
      const i = p.i[k]!;
      acc[i]! += p.c[k]!;
      if (i < lo) lo = i;
    }
  }
  for (let i = lo; i <= hi; i++) {
    const n = acc[i]!;
    if (n !== 0) {
      out.i.push(i);
      out.c.push(n);
      acc[i] = 0;
    }
  }
  return out;
}

/**
 * Adds a sparse histogram into `into`, bucket by bucket at the same index: the result is what
 * recording each bucket's lowest value with its count gives (same counts, total, min and max),
 * without working each value's index out again from its logarithm (that was a sixth of the main
 * thread's CPU in a run). A bucket past the counts array (a value over 10 minutes) goes through
 * recordValueWithCount, which resizes.
 */
export function addSparse(into: Histogram, sp: SparseHistogram): void {
  const x = into as unknown as Internals;
  let added = 0;
  let highest = -1;
  let lowestNonZero = -1;
  for (let k = 0; k < sp.i.length; k++) {
    const i = sp.i[k]!;
    const c = sp.c[k]!;
    if (i >= x.countsArrayLength) {
      into.recordValueWithCount(x.valueFromIndex(i), c);
      continue;
    }
    x.addToCountAtIndex(i, c);
    added += c;
    if (i > highest) highest = i;
    // bucket 0 holds the value 0, which is never a minimum (minNonZeroValue)
    if (i > 0 && (lowestNonZero === -1 || i < lowestNonZero)) lowestNonZero = i;
  }
  x.addToTotalCount(added);
  if (highest > 0) x.updateMinAndMax(x.valueFromIndex(highest));
  if (lowestNonZero > 0) x.updateMinAndMax(x.valueFromIndex(lowestNonZero));
}

/** Adds the encoded histogram into `into` (exact). */
export function addEncoded(into: Histogram, b64: string): void {
  if (b64 === '') return;
  into.add(decode(b64));
}

export interface Percentiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  min: number;
}

const round = (us: number): number => Math.round(us) / 1000;

/** Percentiles in ms (rounded to the µs); zeros for an empty histogram. */
export function percentilesMs(h: Histogram): Percentiles {
  if (h.totalCount === 0) return { p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0, min: 0 };
  return {
    p50: round(h.getValueAtPercentile(50)),
    p90: round(h.getValueAtPercentile(90)),
    p95: round(h.getValueAtPercentile(95)),
    p99: round(h.getValueAtPercentile(99)),
    p999: round(h.getValueAtPercentile(99.9)),
    max: round(h.maxValue),
    mean: round(h.mean),
    min: round(h.getValueAtPercentile(0)),
  };
}

/** hdr-histogram-js's ulp (one unit in the last place of a double), for its rounding of a percentile's count. */
const ulp = (x: number): number => Math.pow(2, Math.floor(Math.log2(x)) - 52);

/** How many of `total` values a percentile covers, rounded as getValueAtPercentile rounds it (at least 1). */
function countAtPercentile(p: number, total: number): number {
  const fp = (Math.min(p, 100) / 100) * total;
  return Math.max(Math.ceil(fp - ulp(fp)), 1);
}

/**
 * Several percentiles in ms (each in (0, 100], ascending) in ONE pass over the counts, each the
 * value getValueAtPercentile gives (the same count rounding, the highest value equivalent to the
 * bucket reached); zeros for an empty histogram. The per-second series asks four or five of
 * each histogram every second: one walk instead of one per percentile, and no mean (whose
 * iterator walked every bucket).
 */
export function percentilesAtMs(h: Histogram, ps: readonly number[]): number[] {
  const out = new Array<number>(ps.length).fill(0);
  const total = h.totalCount;
  if (total === 0 || ps.length === 0) return out;
  const x = h as unknown as Internals;
  const counts = x._counts;
  const targets = ps.map((p) => countAtPercentile(p, total));
  let k = 0;
  let cumulative = 0;
  for (let i = 0; i < x.countsArrayLength && k < targets.length; i++) {
    const n = counts[i]!;
    if (n === 0) continue;
    cumulative += n;
    while (k < targets.length && cumulative >= targets[k]!) {
      out[k] = round(x.highestEquivalentValue(x.valueFromIndex(i)));
      k++;
    }
  }
  return out;
}

/** A histogram of the engine's shape, for its bucket arithmetic alone (valueFromIndex and the like depend on the shape, not on the counts). */
const SHAPE = newHistogram() as unknown as Internals;

/**
 * One percentile in ms of a sparse histogram (buckets ascending, as toSparse and mergeSparse give),
 * the value percentileMs gives for the histogram those buckets make, without building it.
 */
export function sparsePercentileMs(sp: SparseHistogram, p: number): number {
  let total = 0;
  for (let k = 0; k < sp.c.length; k++) total += sp.c[k]!;
  if (total === 0) return 0;
  const target = countAtPercentile(p, total);
  let cumulative = 0;
  for (let k = 0; k < sp.i.length; k++) {
    cumulative += sp.c[k]!;
    if (cumulative >= target) {
      const value = SHAPE.valueFromIndex(sp.i[k]!);
      return round(p === 0 ? value : SHAPE.highestEquivalentValue(value));
    }
  }
  return 0;
}

/** A single percentile in ms (p in 0..100). */
export function percentileMs(h: Histogram, p: number): number {
  return h.totalCount === 0 ? 0 : round(h.getValueAtPercentile(p));
}
