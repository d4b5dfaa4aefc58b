/**
 * Exact histogram merge for segment runs. HDR histograms with the same precision merge by
 * adding bucket counts, so the merge of N segments' histograms is bucket-for-bucket the
 * histogram every value of the union would have produced: percentiles of the merged run are
 * exact (to HDR's 3 significant digits), not averages of percentiles. The trade-off is that
 * only what the engine wrote as a histogram can be merged exactly; anything written as a
 * precomputed percentile (a per-second endpoint p99) can only be bounded (max of the parts).
 *
 * @example
 * const h = mergeEncoded([segA.latency, segB.latency]); // base64 in, merged Histogram out
 * percentilesOf(h).p99; // ms
 */
import { PiccoError } from '../errors.ts';
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

export interface PercentilesMs {
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

/** A histogram wide enough for any latency the engine records (µs, 1 µs .. 1 h, 3 digits). */
export function emptyHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, autoResize: true });
}

export class HistogramDecodeError extends PiccoError {
  constructor(message: string, options?: ErrorOptions) {
    super('PICCO_ERR_HISTOGRAM', message, options);
  }
}

export function decode(b64: string, where: string): Histogram {
  try {
    return hdr.decodeFromCompressedBase64(b64, 32, false);
  } catch (err) {
    throw new HistogramDecodeError(`${where}: not an HDR compressed base64 histogram (${(err as Error).message})`);
  }
}

/** Adds every encoded histogram into one (absent parts are skipped). */
export function mergeEncoded(parts: ReadonlyArray<string | undefined>, where = 'histogram'): Histogram {
  const out = emptyHistogram();
  parts.forEach((b64, i) => {
    if (b64 === undefined || b64 === '') return;
    out.add(decode(b64, `${where}[${i}]`));
  });
  return out;
}

export function encode(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

const round3 = (us: number) => Math.round(us) / 1000;

/** Percentiles in ms of a histogram recorded in µs (HDR bucket values); nulls when it is empty. */
export function percentilesOf(h: Histogram): PercentilesMs {
  if (h.totalCount === 0) return { p50: null, p90: null, p95: null, p99: null, p999: null, max: null };
  return {
    p50: round3(h.getValueAtPercentile(50)),
    p90: round3(h.getValueAtPercentile(90)),
    p95: round3(h.getValueAtPercentile(95)),
    p99: round3(h.getValueAtPercentile(99)),
    p999: round3(h.getValueAtPercentile(99.9)),
    // The top of the max's bucket: the same whether the histogram was recorded or decoded.
    max: round3(h.getValueAtPercentile(100)),
  };
}
