import { afterEach, describe, expect, it } from 'vitest';
import { runLoad } from '../../harness/runner/run-load.ts';
import type { EngineLimits, RunConfig, WorkSource } from '../../harness/runner/run-config.ts';
import { WHOLE } from '../../harness/executors/segment.ts';
import { percentileMs } from '../../harness/metrics/histogram.ts';
import { startTarget, type Target } from './targets.ts';
import { join } from 'node:path';

let target: Target | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

interface Load {
  source?: WorkSource;
  workers?: number;
  limits?: Partial<EngineLimits>;
}

/** A RunConfig for runLoad: a URL at a constant rate unless another source is given. */
function urlLoad(url: string, rate: number, durationS: number, extra: Load = {}): RunConfig {
  return {
    runId: 'test', outDir: '', quiet: true, segment: WHOLE, seed: 1,
    maxLagP99Ms: 25, maxDroppedRatio: 0.01, slos: [], hooks: [],
    workers: extra.workers ?? 1,
    limits: { inFlightCap: 10_000, connections: 32, pipelining: 1, timeoutMs: 10_000, batchMs: 1, warmup: 0, ...extra.limits },
    source: extra.source ?? { kind: 'url', url, method: 'GET', headers: {}, executor: { type: 'constant-arrival-rate', rate, durationS } },
  };
}

const whole = { cutMs: Number.POSITIVE_INFINITY };

describe('load engine', () => {
  it('measures latency from the intended start: a 1 s stall in a 1,000 rps run shows in p99 latency, not in service-time p50', async () => {
    // The target holds every request that arrives during one second, starting at the 1,000th.
    let stallUntil = 0;
    const held: Array<() => void> = [];
    target = await startTarget((_req, res, n) => {
      const now = Date.now();
      if (n === 1000) {
        stallUntil = now + 1000;
        setTimeout(() => held.splice(0).forEach((f) => f()), 1000);
      }
      if (now < stallUntil) held.push(() => res.end('late'));
      else res.end('ok');
    });
    const r = await runLoad(urlLoad(target.url + '/co', 1000, 3), whole);
    const agg = r.agg;
    expect(agg.intended).toBe(3000);
    expect(agg.dropped).toBe(0);
    expect(agg.completed).toBe(3000);
    expect(percentileMs(agg.latency, 99)).toBeGreaterThanOrEqual(800);
    expect(percentileMs(agg.serviceTime, 50)).toBeLessThan(100);
    // what a closed-loop tool would have reported (service time) hides most of the stall
    expect(percentileMs(agg.serviceTime, 50)).toBeLessThan(percentileMs(agg.latency, 99) / 8);
  });

  it('drops arrivals when the in-flight cap is reached and counts each one', async () => {
    target = await startTarget((_req, res) => setTimeout(() => res.end('slow'), 1500));
    const r = await runLoad(urlLoad(target.url + '/slow', 100, 1, { limits: { inFlightCap: 10 }, workers: 0 }), whole);
    expect(r.agg.intended).toBe(100);
    expect(r.agg.started).toBe(10);
    expect(r.agg.dropped).toBe(90);
    expect(r.agg.completed).toBe(10);
    const lines = r.agg.seconds;
    expect(lines.reduce((a, s) => a + s.dropped, 0)).toBe(90);
  });

  it('splits a schedule across worker threads and merges exactly', async () => {
    target = await startTarget((_req, res) => res.end('ok'));
    const r = await runLoad(urlLoad(target.url + '/w', 400, 2, { workers: 2 }), whole);
    expect(r.done).toHaveLength(2);
    expect(r.agg.intended).toBe(800);
    expect(r.agg.completed).toBe(800);
    expect(r.agg.latency.totalCount).toBe(800);
    expect(target.received()).toBe(800);
    expect(r.agg.seconds.slice(0, 2).map((s) => s.intended)).toEqual([400, 400]);
  });

  it('runs closed-model (VU) streams as loops until their stop time', async () => {
    target = await startTarget((_req, res) => res.end('ok'));
    const source: WorkSource = { kind: 'scenario', ref: { file: join(import.meta.dirname, 'fixtures', 'closed-loop.ts') }, options: { scale: 1, speed: 1, seed: 1 }, targets: { io: target.url } };
    const r = await runLoad(urlLoad(target.url, 1, 1, { workers: 0, source }), whole);
    // 3 VUs × 2 s at ~100 ms per iteration, plus 1 VU active from 1 s (ramping 0 → 2 over 2 s)
    expect(r.agg.intended).toBe(r.agg.completed);
    expect(r.agg.completed).toBeGreaterThanOrEqual(20);
    expect(r.agg.completed).toBeLessThanOrEqual(3 * 20 + 10 + 4);
    expect(r.agg.failed).toBe(0);
    expect(r.agg.endpoints.get('GET /vu')!.count).toBe(r.agg.completed);
  });

  it('classifies transport failures and keeps running', async () => {
    const dead = await startTarget((_req, res) => res.end());
    const url = dead.url;
    await dead.close();
    const r = await runLoad(urlLoad(url + '/gone', 50, 1, { workers: 0, limits: { timeoutMs: 2000 } }), whole);
    expect(r.agg.intended).toBe(50);
    expect(r.agg.completed).toBe(50);
    expect(r.agg.failed).toBe(50);
    expect(r.agg.failures).toEqual({ connect_refused: 50 });
    expect(r.agg.status).toEqual({ '0': 50 });
  });

  it('sends pipelined requests with their bodies intact when the writes of one task go out together', async () => {
    const bodies = new Map<string, number>();
    target = await startTarget((req, res) => {
      let b = '';
      req.on('data', (d: Buffer) => (b += d.toString()));
      req.on('end', () => {
        bodies.set(b, (bodies.get(b) ?? 0) + 1);
        res.end('ok');
      });
    });
    const source: WorkSource = { kind: 'url' as const, url: target.url + '/p', method: 'POST', headers: { 'content-type': 'text/plain' }, body: new TextEncoder().encode('card=4111'), executor: { type: 'constant-arrival-rate' as const, rate: 2000, durationS: 1 } };
    const r = await runLoad(urlLoad(target.url, 1, 1, { workers: 0, limits: { connections: 4, pipelining: 8 }, source }), whole);
    expect(r.agg.completed).toBe(2000);
    expect(r.agg.ok).toBe(2000);
    expect(target.received()).toBe(2000);
    expect([...bodies]).toEqual([['card=4111', 2000]]);
  });

  it('keeps arrivals that find every connection busy waiting, in flight, with the wait in their latency', async () => {
    // One connection, one request at a time; the target holds the first request for 1 s, so
    // the next ~2,000 arrivals wait on the engine's side (beyond its initial ring of 1,024).
    let first = true;
    target = await startTarget((_req, res) => {
      if (first) {
        first = false;
        setTimeout(() => res.end('ok'), 1000);
      } else res.end('ok');
    });
    const r = await runLoad(urlLoad(target.url + '/one', 2000, 1, { workers: 0, limits: { connections: 1 } }), whole);
    expect(r.agg.intended).toBe(2000);
    expect(r.agg.dropped).toBe(0);
    expect(r.agg.completed).toBe(2000);
    expect(target.received()).toBe(2000);
    expect(percentileMs(r.agg.latency, 50)).toBeGreaterThanOrEqual(300);
    expect(percentileMs(r.agg.serviceTime, 50)).toBeLessThan(100);
  });
});
