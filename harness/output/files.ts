/**
 * The run directory: summary.json, series.jsonl (one merged second per line, appended as each
 * second is finalized, so a crashed run still leaves its series) and histograms.json (the
 * exact, mergeable HDR data: whole run, per endpoint and per second, base64 of
 * `encodeIntoCompressedBase64`, values in microseconds).
 *
 * @example
 * const out = new RunFiles(dir); out.second(line); out.finish(summary, agg);
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Aggregate, SeriesLine } from '../metrics/aggregate.ts';
import { encode } from '../metrics/histogram.ts';
import type { Summary } from './summary.ts';

export interface HistogramsFile {
  latency: string;
  serviceTime: string;
  lag: string;
  /** The generator's part of each request's latency (lag + read delay), and the read delay alone. */
  genDelay?: string;
  readDelay?: string;
  endpoints: Record<string, { latency: string; serviceTime: string }>;
  perSecond: Array<{ t: number; latency: string; serviceTime: string }>;
}

export function histogramsOf(agg: Aggregate): HistogramsFile {
  const endpoints: HistogramsFile['endpoints'] = {};
  for (const [name, e] of agg.endpoints) endpoints[name] = { latency: encode(e.latency), serviceTime: encode(e.serviceTime) };
  return {
    latency: encode(agg.latency),
    serviceTime: encode(agg.serviceTime),
    lag: encode(agg.lag),
    genDelay: encode(agg.genDelay),
    readDelay: encode(agg.readDelay),
    endpoints,
    perSecond: agg.seconds.map((s) => ({ t: s.t, latency: s.latency, serviceTime: s.serviceTime })),
  };
}

export class RunFiles {
  private readonly seriesFd: number;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.seriesFd = openSync(join(dir, 'series.jsonl'), 'w');
  }

  second(line: SeriesLine): void {
    writeSync(this.seriesFd, JSON.stringify(line) + '\n');
  }

  finish(summary: Summary, agg: Aggregate): void {
    closeSync(this.seriesFd);
    writeFileSync(join(this.dir, 'histograms.json'), JSON.stringify(histogramsOf(agg)) + '\n');
    writeFileSync(join(this.dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  }
}
