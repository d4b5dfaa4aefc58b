import { describe, expect, it } from 'vitest';
import { Aggregate } from '../../harness/metrics/aggregate.ts';
import { Recorder } from '../../harness/metrics/recorder.ts';
import { buildSummary } from '../../harness/output/summary.ts';
import { summarySchema } from '../../harness/output/summary-schema.ts';

// The writer's Summary must be a summary.json the readers' schema takes: a summary built by the
// writer from real recordings, through JSON, parses with the figures intact.

function recorded(): Aggregate {
  const rec = new Recorder();
  const ep = rec.endpoint('GET /info');
  for (let i = 0; i < 50; i++) {
    rec.intended++;
    rec.started++;
    rec.recordLag(0.2);
    rec.complete(ep, i % 10 === 0 ? 503 : 200, i % 10 !== 0, i % 10 === 0 ? 'unexpected_status' : undefined, 3 + i / 10, 2 + i / 20);
  }
  rec.check('info is 200', true);
  rec.count('info_ok', 45);
  const agg = new Aggregate(1);
  agg.add(rec.snapshot(0, 0));
  agg.flushAll();
  return agg;
}

describe('summary.json', () => {
  it('as the engine writes it is what every reader\'s schema takes, figures intact', () => {
    const s = buildSummary({
      runId: 'r', scenario: 'engine-smoke', target: 'http://127.0.0.1:1', startedAt: new Date(0), endedAt: new Date(1000),
      scheduleS: 1, plannedArrivals: 50, agg: recorded(), slo: [{ name: 'http_req_failed: rate<0.2', threshold: 'rate<0.2', value: 0.1, pass: true } as never],
      valid: true, invalidReasons: [], aborted: false, expected: { info_ok: 50 }, cpu: [0.1], warmup: 0,
      cpuMs: { user: 1, system: 1 }, bounds: { maxLagP99Ms: 25, maxDroppedRatio: 0.01 }, config: { rate: 50 },
    });
    const read = summarySchema.parse(JSON.parse(JSON.stringify(s)));
    expect(read.requests).toMatchObject({ total: 50, ok: 45, failed: 5, dropped: 0 });
    expect(read.endpoints['GET /info']).toMatchObject({ count: 50, ok: 45, failed: 5, status: { '200': 45, '503': 5 } });
    expect(read.latencyMs.p99).toBe(s.latencyMs.p99);
    expect(read.outcomes).toEqual({ info_ok: 45 });
    expect(read.valid).toBe(true);
  });
});
