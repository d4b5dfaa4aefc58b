/**
 * The ad hoc (`--url`) hot path: one request template, sent with undici's `dispatch` and a
 * pool of reusable handler objects (one per in-flight request, recycled on completion), so a
 * request costs no promise, no closure and no string building. Method, path, header list and
 * body are rendered once. Measured against `Pool.request` (bench/transport.ts): dispatch with
 * reusable handlers is the faster of the two, which is why the engine uses it here; journeys,
 * which need parsed bodies, use `Pool.request` (journey-client.ts).
 *
 * Latency is taken from the intended start the engine passes in; service time from
 * `onConnect`, i.e. when undici hands the request to a connection (after any pool queue).
 *
 * @example
 * const c = new FastClient({ url, method: 'GET', connections: 64, pipelining: 1, timeoutMs: 10_000 }, rec);
 * c.send(intendedMs, nowMs); // completion is recorded into rec
 */
import { Pool, type Dispatcher } from 'undici';
import { classifyError } from './classify.ts';
import type { EndpointStats, Recorder } from '../metrics/recorder.ts';
import { now } from '../runner/clock.ts';

export interface FastRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  connections: number;
  pipelining: number;
  timeoutMs: number;
  /** The label requests are reported under. Default `METHOD /path`. */
  endpoint?: string;
}

/**
 * One in-flight request. It implements undici's original handler interface (onConnect,
 * onHeaders, onData, onComplete, onError): undici 7 still drives it directly, whereas a handler
 * with the newer onRequestStart/onResponse* methods is wrapped per request (two objects, and
 * the response headers parsed into an object we never read).
 */
class Slot implements Dispatcher.DispatchHandler {
  intendedMs = 0;
  sentMs = 0;
  status = 0;
  next: Slot | null = null;
  constructor(private readonly owner: FastClient) {}
  onConnect(): void {
    this.sentMs = now();
  }
  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }
  onData(): boolean {
    return true;
  }
  onComplete(): void {
    this.owner.done(this, undefined);
  }
  onError(err: Error): void {
    this.owner.done(this, err);
  }
}

export class FastClient {
  inFlight = 0;
  private free: Slot | null = null;
  private readonly pool: Pool;
  private readonly opts: Dispatcher.DispatchOptions;
  private readonly ep: EndpointStats;
  private onIdle: (() => void) | undefined;

  constructor(req: FastRequest, private readonly rec: Recorder) {
    const u = new URL(req.url);
    this.pool = new Pool(u.origin, {
      connections: req.connections,
      pipelining: req.pipelining,
      keepAliveTimeout: 60_000,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
      connectTimeout: Math.min(req.timeoutMs, 10_000),
    });
    const headers: string[] = [];
    for (const [k, v] of Object.entries(req.headers)) headers.push(k, v);
    this.opts = {
      path: u.pathname + u.search,
      method: req.method as Dispatcher.HttpMethod,
      headers,
      body: req.body ?? null,
      blocking: false,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    };
    this.ep = rec.endpoint(req.endpoint ?? `${req.method} ${u.pathname}`);
  }

  send(intendedMs: number): void {
    let s = this.free;
    if (s === null) s = new Slot(this);
    else this.free = s.next;
    s.intendedMs = intendedMs;
    s.sentMs = 0;
    s.status = 0;
    this.inFlight++;
    this.rec.started++;
    this.pool.dispatch(this.opts, s);
  }

  done(s: Slot, err: Error | undefined): void {
    const t = now();
    const sent = s.sentMs === 0 ? t : s.sentMs;
    if (err === undefined) {
      const ok = s.status >= 200 && s.status < 300;
      this.rec.complete(this.ep, s.status, ok, ok ? undefined : 'unexpected_status', t - s.intendedMs, t - sent);
    } else {
      this.rec.complete(this.ep, 0, false, classifyError(err), t - s.intendedMs, t - sent);
    }
    this.inFlight--;
    s.next = this.free;
    this.free = s;
    if (this.inFlight === 0 && this.onIdle !== undefined) this.onIdle();
  }

  /**
   * Opens the pool's connections and warms the JIT before the clock starts: up to `total`
   * requests, `concurrency` at a time, within `budgetMs`, not recorded. Returns how many were
   * sent (to subtract from a target-side count).
   */
  warmup(total: number, concurrency: number, budgetMs = 1500): Promise<number> {
    if (total <= 0) return Promise.resolve(0);
    const pool = this.pool;
    const opts = this.opts;
    const deadline = now() + budgetMs;
    let sent = 0;
    let finished = 0;
    return new Promise((resolve) => {
      let over = false;
      const end = (): void => {
        if (over) return;
        over = true;
        clearTimeout(timer);
        resolve(sent);
      };
      // A slow target must not hold the start: past the budget, stop and go (stragglers finish unrecorded).
      const timer = setTimeout(end, budgetMs + 500);
      const next = (): void => {
        finished++;
        if (!over && sent < total && now() < deadline) {
          sent++;
          pool.dispatch(opts, handler);
        } else if (finished === sent) end();
      };
      const handler: Dispatcher.DispatchHandler = {
        onConnect() {},
        onHeaders: () => true,
        onData: () => true,
        onComplete: () => next(),
        onError: () => next(),
      };
      for (let i = 0; i < Math.min(concurrency, total); i++) {
        sent++;
        pool.dispatch(opts, handler);
      }
    });
  }

  /** Resolves once nothing is in flight. */
  drained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.onIdle = resolve;
    });
  }

  async close(force = false): Promise<void> {
    await (force ? this.pool.destroy() : this.pool.close());
  }
}
