/**
 * The admission middleware: one line in app.ts, mounted after metrics (so shed requests are
 * counted) and before any body parsing (so a shed request costs almost nothing).
 *
 * Order of checks per request: class of the route → event-loop lag sheds `low`/`normal`
 * priority → the class's adaptive limit (a free slot, or a short wait) → handler. Refusals are
 * 503 `server.overloaded` with `Retry-After` (seconds), in the error envelope, and never reach a
 * handler, so nothing is written. The handler's service time (from admission, not from arrival)
 * feeds the class's limiter; a 504/timeout counts as a drop and shrinks it.
 *
 * Limits are per process: they protect this process's CPU and memory. Rules that must hold
 * across `--workers` (duplicates, idempotency, rate limits per token) live in the database.
 *
 * @example
 * app.use('*', admission({ registry }));
 */
import type { Context, MiddlewareHandler } from 'hono';
import { Counter, Gauge, type Registry } from 'prom-client';
import { Bulkhead } from './bulkhead.ts';
import { LoopMonitor } from './loop-monitor.ts';
import { CLASS_DEFAULTS, classifyRoute, type ClassConfig, type RouteClass } from './route-classes.ts';

export interface Refusal {
  routeClass: RouteClass;
  reason: 'limit' | 'queue_timeout' | 'loop_lag';
  retryAfterS: number;
}

export interface AdmissionOptions {
  registry?: Registry;
  /** Overrides per class (merged over CLASS_DEFAULTS). */
  classes?: Partial<Record<RouteClass, Partial<ClassConfig>>>;
  classify?: (method: string, path: string) => RouteClass | null;
  /** Builds the refusal response. Default: 503 in the error envelope with Retry-After. */
  refuse?: (c: Context, r: Refusal) => Response;
  /**
   * Event-loop lag thresholds; `false` disables lag shedding. `minBusy` (default 16): lag sheds
   * only while at least this many requests are in flight or waiting across all classes. With
   * fewer, the lag is not this server's load (a neighbour took the CPU, a GC pause) and
   * refusing the few requests there are would relieve nothing.
   */
  loop?: { lowMs?: number; normalMs?: number; minBusy?: number } | false;
}

export interface Admission extends MiddlewareHandler {
  bulkheads: ReadonlyMap<RouteClass, Bulkhead>;
  loop: LoopMonitor | undefined;
  classify(method: string, path: string): RouteClass | null;
  /** True when event-loop lag sheds this class now (lag over its priority's bound while busy). */
  lagSheds(routeClass: RouteClass): boolean;
  /** Counts a refusal made outside the middleware (the node:http gate). */
  noteRefusal(routeClass: RouteClass, reason: Refusal['reason']): void;
  close(): void;
}

/** The default refusal: 503, Retry-After, the server's error envelope. */
export function defaultRefusal(c: Context, r: Refusal): Response {
  c.header('Retry-After', String(r.retryAfterS));
  return c.json(
    { code: 'server.overloaded', message: `the server is shedding load (${r.routeClass}); retry after ${r.retryAfterS} s` },
    503,
  );
}

export function admission(opts: AdmissionOptions = {}): Admission {
  const classify = opts.classify ?? classifyRoute;
  const refuse = opts.refuse ?? defaultRefusal;
  const bulkheads = new Map<RouteClass, Bulkhead>();
  for (const [name, cfg] of Object.entries(CLASS_DEFAULTS) as [RouteClass, ClassConfig][]) {
    bulkheads.set(name, new Bulkhead(name, { ...cfg, ...(opts.classes?.[name] ?? {}) }));
  }
  const loop = opts.loop === false ? undefined : new LoopMonitor(opts.loop ?? {}).start();
  const minBusy = opts.loop === false ? 0 : (opts.loop?.minBusy ?? 16);
  const busy = (): number => {
    let n = 0;
    for (const b of bulkheads.values()) n += b.limiter.inFlight + b.waiting;
    return n;
  };
  const lagSheds = (routeClass: RouteClass): boolean =>
    loop?.sheds(bulkheads.get(routeClass)!.config.priority) === true && busy() >= minBusy;

  let rejected: Counter<'class' | 'reason'> | undefined;
  if (opts.registry !== undefined) {
    const registers = [opts.registry];
    rejected = new Counter({
      name: 'admission_rejected_total',
      help: 'Requests refused by admission control, by route class and reason',
      labelNames: ['class', 'reason'] as const,
      registers,
    });
    new Gauge({
      name: 'admission_limit',
      help: 'Current adaptive concurrency limit per route class',
      labelNames: ['class'] as const,
      registers,
      collect() {
        for (const [n, b] of bulkheads) this.set({ class: n }, b.limiter.limit);
      },
    });
    new Gauge({
      name: 'admission_in_flight',
      help: 'Requests admitted and not yet answered, per route class',
      labelNames: ['class'] as const,
      registers,
      collect() {
        for (const [n, b] of bulkheads) this.set({ class: n }, b.limiter.inFlight);
      },
    });
    new Gauge({
      name: 'admission_event_loop_lag_seconds',
      help: 'Mean event-loop lag over the last 100 ms, as seen by admission control',
      registers,
      collect() {
        this.set((loop?.lagMs ?? 0) / 1000);
      },
    });
  }

  const refuseWith = (c: Context, routeClass: RouteClass, reason: Refusal['reason']): Response => {
    rejected?.inc({ class: routeClass, reason });
    const b = bulkheads.get(routeClass)!;
    b.rejected++;
    // Spread retries: 1 s while only queueing overflows, 2 s under loop lag.
    return refuse(c, { routeClass, reason, retryAfterS: reason === 'loop_lag' ? 2 : 1 });
  };

  const mw = (async (c, next) => {
    const routeClass = classify(c.req.method, c.req.path);
    if (routeClass === null) return next();
    const b = bulkheads.get(routeClass)!;
    if (lagSheds(routeClass)) return refuseWith(c, routeClass, 'loop_lag');
    if (!b.tryEnter()) {
      const admitted = await b.wait();
      if (!admitted) return refuseWith(c, routeClass, b.waiting >= b.config.maxQueue ? 'limit' : 'queue_timeout');
    }
    const t0 = performance.now();
    let outcome: 'ok' | 'dropped' | 'ignore' = 'ok';
    try {
      await next();
      const s = c.res.status;
      if (s === 504) outcome = 'dropped';
      else if (s >= 500) outcome = 'ignore';
    } catch (err) {
      outcome = 'dropped';
      throw err;
    } finally {
      b.leave(performance.now() - t0, outcome);
    }
  }) as Admission;
  Object.assign(mw, {
    bulkheads,
    loop,
    classify,
    lagSheds,
    noteRefusal(routeClass: RouteClass, reason: Refusal['reason']) {
      rejected?.inc({ class: routeClass, reason });
      bulkheads.get(routeClass)!.rejected++;
    },
    close() {
      loop?.stop();
      for (const b of bulkheads.values()) b.close();
    },
  });
  return mw;
}
