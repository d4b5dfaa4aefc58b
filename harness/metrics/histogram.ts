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

export function toMicros(ms: number): number {
  return ms <= 0 ? 0 : Math.round(ms * 1000);
}

export function encode(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decode(b64: string): Histogram {
  return hdr.decodeFromCompressedBase64(b64, 32, false);
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

/** A single percentile in ms (p in 0..100). */
export function percentileMs(h: Histogram, p: number): number {
  return h.totalCount === 0 ? 0 : round(h.getValueAtPercentile(p));
}
