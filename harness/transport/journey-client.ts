/**
 * JourneyClient on undici: one Pool per distinct URL origin among the scenario's named origins
 * (shared when several names live on one host); each request is dispatched with a collector of
 * its status, content-type, location and body (response-collector.ts), because journeys read
 * JSON bodies. The client owns time for one
 * arrival: the first request is stamped with the arrival's intended start, each later one with
 * (previous completion + sleep), so a slow server never hides its own slowness (no coordinated
 * omission) and never slows other arrivals. Per-arrival state is a handful of numbers.
 *
 * @example
 * const pools = new OriginPools({ auth: 'http://127.0.0.1:8081', shop: 'http://127.0.0.1:8082/v2' }, { connections: 64, pipelining: 1, timeoutMs: 16_000 });
 * const c = new ArrivalClient(pools, rec, arrival, seed); await journey.run(c, arrival, params);
 */
import { Pool } from 'undici';
import type { Arrival, JourneyClient, RequestSpec, ResponseResult, Targets } from '../scenario/types.ts';
import { classifyError, isExpected } from './classify.ts';
import { collect } from './response-collector.ts';
import type { EndpointStats, Recorder } from '../metrics/recorder.ts';
import { threadLoop } from '../metrics/loop-watch.ts';
import { now } from '../runner/clock.ts';
import { mulberry32, seedOf, type Random } from '../executors/random.ts';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PoolOptions {
  connections: number;
  pipelining: number;
  timeoutMs: number;
}

interface OriginTarget {
  pool: Pool;
  basePath: string;
}

export class OriginPools {
  private readonly origins = new Map<string, OriginTarget>();
  private readonly pools = new Map<string, Pool>();
  readonly timeoutMs: number;

  constructor(targets: Targets, opts: PoolOptions) {
    this.timeoutMs = opts.timeoutMs;
    const make = (url: string): OriginTarget => {
      const u = new URL(url);
      let pool = this.pools.get(u.origin);
      if (pool === undefined) {
        pool = new Pool(u.origin, {
          connections: opts.connections,
          pipelining: opts.pipelining,
          keepAliveTimeout: 60_000,
          headersTimeout: opts.timeoutMs,
          bodyTimeout: opts.timeoutMs,
          connectTimeout: Math.min(opts.timeoutMs, 10_000),
        });
        this.pools.set(u.origin, pool);
      }
      return { pool, basePath: u.pathname.replace(/\/$/, '') };
    };
    for (const [name, url] of Object.entries(targets)) this.origins.set(name, make(url));
  }

  /** The pool and base path of a named origin; undefined for a name the run has no target for. */
  get(origin: string): OriginTarget | undefined {
    return this.origins.get(origin);
  }

  async close(force = false): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => (force ? p.destroy() : p.close())));
  }
}

export class ArrivalClient implements JourneyClient {
  private nextIntendedMs: number;
  readonly random: Random;

  constructor(
    private readonly pools: OriginPools,
    private readonly rec: Recorder,
    private readonly endpoints: Map<string, EndpointStats>,
    arrival: Arrival,
    seed: number,
    /** Set by the engine when the run is aborted: requests then fail fast. */
    private readonly aborted: () => boolean,
    /** How late the engine released the arrival (release − intended), ms: the generator's, not the target's. */
    private lagMs = 0,
  ) {
    this.nextIntendedMs = arrival.intendedMs;
    const rnd = mulberry32(seedOf(seed, arrival.index, 0x6a));
    this.random = rnd;
  }

  private endpoint(name: string): EndpointStats {
    let e = this.endpoints.get(name);
    if (e === undefined) {
      e = this.rec.endpoint(name);
      this.endpoints.set(name, e);
    }
    return e;
  }

  async request(spec: RequestSpec): Promise<ResponseResult> {
    const intended = this.nextIntendedMs;
    const ep = this.endpoint(spec.endpoint);
    const target = this.pools.get(spec.origin);
    const timeoutMs = spec.timeoutMs ?? this.pools.timeoutMs;
    const sent = now();
    this.rec.started++;
    let status = 0;
    let json: unknown;
    let failure: ResponseResult['failure'];
    let location: string | undefined;
    if (this.aborted()) {
      failure = 'other';
    } else if (target === undefined) {
      // A journey naming an origin its scenario did not declare: a scenario bug, counted as data.
      failure = 'unknown_origin';
    } else {
      try {
        const res = await collect(target.pool, {
          path: target.basePath + spec.path,
          method: spec.method,
          headers: spec.headers ?? {},
          body: spec.body ?? null,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        status = res.status;
        const ct = res.contentType;
        if (status >= 300 && status < 400 && res.location !== undefined) location = res.location;
        if (ct !== undefined && ct.includes('json')) {
          const text = res.text();
          if (text.length > 0) {
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
          }
        }
      } catch (err) {
        failure = classifyError(err);
      }
    }
    const done = now();
    const ok = failure === undefined && isExpected(status, spec.expect);
    if (failure === undefined && !ok) failure = 'unexpected_status';
    const latencyMs = done - intended;
    const serviceMs = done - sent;
    // The arrival's release lag counts once, on its first request; later steps start from a completion.
    this.rec.complete(ep, status, ok, failure, latencyMs, serviceMs, threadLoop().readDelay(done, serviceMs), this.lagMs);
    this.lagMs = 0;
    this.nextIntendedMs = done;
    const out: ResponseResult = { status, json, ok, latencyMs, serviceMs };
    if (failure !== undefined) out.failure = failure;
    if (location !== undefined) out.location = location;
    return out;
  }

  async sleep(ms: number): Promise<void> {
    if (ms > 0) await sleep(ms);
    this.nextIntendedMs = this.nextIntendedMs + ms;
    // A think time that ended late (a busy loop) delays the next step: the generator's part of its latency.
    const late = now() - this.nextIntendedMs;
    if (late > 0) this.lagMs += late;
  }

  check(name: string, ok: boolean): void {
    this.rec.check(name, ok);
  }

  count(outcome: string, n = 1): void {
    this.rec.count(outcome, n);
  }
}
