/**
 * Writes a segment's run directory in the engine's formats from raw request records, and keeps
 * the union's histogram alongside, so a test can compare the merge of the segments with what
 * one process recording every request would have produced.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { percentilesOf } from '../../harness/merge/histograms.ts';

export interface RecordedRequest {
  t: number;
  endpoint: string;
  status: number;
  ok: boolean;
  latencyUs: number;
  serviceUs: number;
}

const build = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
const pct = (h: hdr.Histogram) => ({ p50: h.getValueAtPercentile(50) / 1000, p90: h.getValueAtPercentile(90) / 1000, p95: h.getValueAtPercentile(95) / 1000, p99: h.getValueAtPercentile(99) / 1000, p999: h.getValueAtPercentile(99.9) / 1000, max: h.maxValue / 1000 });

export interface SegmentStartFields {
  intendedAt: string;
  clockOffsetMs: number | null;
  releaseLagMs: number | null;
}

export function writeSegment(dir: string, reqs: RecordedRequest[], o: { segment: string; slo?: Array<{ name: string; threshold: string }>; start?: SegmentStartFields; maxLagP99Ms?: number }): void {
  mkdirSync(dir, { recursive: true });
  const lat = build();
  const svc = build();
  const eps: Record<string, { lat: hdr.Histogram; svc: hdr.Histogram; count: number; ok: number; failed: number; status: Record<string, number> }> = {};
  const secs = new Map<number, { lat: hdr.Histogram; svc: hdr.Histogram; rows: RecordedRequest[] }>();
  for (const r of reqs) {
    lat.recordValue(r.latencyUs);
    svc.recordValue(r.serviceUs);
    const e = (eps[r.endpoint] ??= { lat: build(), svc: build(), count: 0, ok: 0, failed: 0, status: {} });
    e.lat.recordValue(r.latencyUs);
    e.svc.recordValue(r.serviceUs);
    e.count++;
    if (r.ok) e.ok++;
    else e.failed++;
    e.status[String(r.status)] = (e.status[String(r.status)] ?? 0) + 1;
    const s = secs.get(r.t) ?? { lat: build(), svc: build(), rows: [] };
    s.lat.recordValue(r.latencyUs);
    s.svc.recordValue(r.serviceUs);
    s.rows.push(r);
    secs.set(r.t, s);
  }
  const ok = reqs.filter((r) => r.ok).length;
  const summary = {
    schemaVersion: 1, scenario: 'test-merge', target: 'http://127.0.0.1:1', durationS: secs.size,
    requests: { total: reqs.length, ok, failed: reqs.length - ok, dropped: 0 },
    rate: { target: reqs.length / Math.max(1, secs.size), achieved: reqs.length / Math.max(1, secs.size) },
    latencyMs: pct(lat), serviceTimeMs: pct(svc),
    endpoints: Object.fromEntries(Object.entries(eps).map(([k, e]) => [k, { count: e.count, ok: e.ok, failed: e.failed, status: e.status, latencyMs: pct(e.lat) }])),
    slo: (o.slo ?? []).map((s) => ({ ...s, value: 0, pass: true })),
    checks: { 'journey done': { pass: ok, fail: reqs.length - ok } },
    outcomes: { requests: reqs.length },
    pass: true, valid: true, config: { segment: o.segment },
    ...(o.start !== undefined ? { startedAt: o.start.intendedAt, start: { mode: 'start-at', ...o.start } } : {}),
    ...(o.maxLagP99Ms !== undefined ? { generator: { lagP99Ms: 0.1, bounds: { maxLagP99Ms: o.maxLagP99Ms, maxDroppedRatio: 0.01 } } } : {}),
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  const series = [...secs.entries()].sort((a, b) => a[0] - b[0]).map(([t, s]) => {
    const status: Record<string, number> = {};
    for (const r of s.rows) status[String(r.status)] = (status[String(r.status)] ?? 0) + 1;
    const okN = s.rows.filter((r) => r.ok).length;
    return { t, intended: s.rows.length, started: s.rows.length, completed: s.rows.length, ok: okN, failed: s.rows.length - okN, dropped: 0, inFlight: 0, status, latencyMs: pct(s.lat), serviceTimeMs: pct(s.svc), endpoints: {}, lagMs: 0.1 };
  });
  writeFileSync(join(dir, 'series.jsonl'), series.map((s) => JSON.stringify(s)).join('\n') + '\n');
  writeFileSync(join(dir, 'histograms.json'), JSON.stringify({
    latency: hdr.encodeIntoCompressedBase64(lat), serviceTime: hdr.encodeIntoCompressedBase64(svc),
    endpoints: Object.fromEntries(Object.entries(eps).map(([k, e]) => [k, { latency: hdr.encodeIntoCompressedBase64(e.lat), serviceTime: hdr.encodeIntoCompressedBase64(e.svc) }])),
    perSecond: [...secs.entries()].map(([t, s]) => ({ t, latency: hdr.encodeIntoCompressedBase64(s.lat), serviceTime: hdr.encodeIntoCompressedBase64(s.svc) })),
  }));
}

/** The union's percentiles as one recorder would report them (ms). */
export function unionPercentiles(reqs: RecordedRequest[], pick: (r: RecordedRequest) => number = (r) => r.latencyUs) {
  const h = build();
  for (const r of reqs) h.recordValue(pick(r));
  return percentilesOf(h);
}
