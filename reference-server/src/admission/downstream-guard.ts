/**
 * Timeouts and circuit breakers around every downstream (acquirer, ACS, PagoBancomat
 * processors, IBAN check), applied without touching the simulators: `guardDownstream` wraps
 * each async method of a service object.
 *
 * Trade-off: the timeout cannot cancel the simulator's own timer (the late result is dropped),
 * but it bounds what the *caller* waits. Budgets sit below the app's 16 s PM timeout, so the
 * server answers (with a typed downstream error → 5xx/BR) before the client gives up and retries
 * against a server still working on the abandoned request. Default: 8 s per call, 2 s open.
 *
 * @example
 * const acquirer = guardDownstream('acquirer', rawAcquirer, { timeoutMs: 5000 });
 */
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.ts';

/** The client (io-app) gives up on a PM call after 16 s; every downstream budget stays below. */
export const CLIENT_TIMEOUT_MS = 16_000;

export class DownstreamTimeoutError extends Error {
  readonly code = 'PICCO_ERR_DOWNSTREAM_TIMEOUT';
  constructor(readonly downstream: string, readonly timeoutMs: number) {
    super(`${downstream} did not answer within ${timeoutMs} ms`);
  }
}

/** Resolves as `p` does, or rejects with DownstreamTimeoutError after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, downstream: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DownstreamTimeoutError(downstream, ms)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export interface GuardOptions extends CircuitBreakerOptions {
  /** Per-call budget in ms; must be below CLIENT_TIMEOUT_MS. Default 8,000. */
  timeoutMs?: number;
  /** Which errors count against the breaker. Default: all. */
  isFailure?: (err: unknown) => boolean;
  /** The async methods that call the downstream. Default: every function property. */
  methods?: readonly string[];
}

export interface Guarded {
  breaker: CircuitBreaker;
}

const GUARD = Symbol('picco.guard');

/**
 * Returns a proxy of `service` whose function-valued properties run under a timeout and the
 * service's breaker. Non-function properties (queue depth gauges, config) pass through.
 */
export function guardDownstream<T extends object>(name: string, service: T, opts: GuardOptions = {}): T & Guarded {
  const timeoutMs = opts.timeoutMs ?? 8000;
  if (!(timeoutMs > 0 && timeoutMs < CLIENT_TIMEOUT_MS)) {
    throw new RangeError(`downstream ${name}: timeoutMs ${timeoutMs} must be > 0 and below the client's ${CLIENT_TIMEOUT_MS} ms`);
  }
  const breaker = new CircuitBreaker(name, opts);
  const isFailure = opts.isFailure ?? (() => true);
  const cache = new Map<PropertyKey, unknown>();
  return new Proxy(service, {
    get(target, prop, receiver) {
      if (prop === 'breaker') return breaker;
      if (prop === GUARD) return true;
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      if (opts.methods !== undefined && !(typeof prop === 'string' && opts.methods.includes(prop))) {
        return (v as (...a: unknown[]) => unknown).bind(target);
      }
      let wrapped = cache.get(prop);
      if (wrapped === undefined) {
        const fn = v as (...args: unknown[]) => unknown;
        wrapped = (...args: unknown[]): unknown => {
          try {
            breaker.admit();
          } catch (err) {
            return Promise.reject(err);
          }
          let out: unknown;
          try {
            out = fn.apply(target, args);
          } catch (err) {
            if (isFailure(err)) breaker.onFailure();
            throw err;
          }
          if (!(out instanceof Promise)) {
            breaker.onSuccess();
            return out;
          }
          return withTimeout(out, timeoutMs, name).then(
            (r) => {
              breaker.onSuccess();
              return r;
            },
            (err: unknown) => {
              if (isFailure(err)) breaker.onFailure();
              else breaker.onSuccess();
              throw err;
            },
          );
        };
        cache.set(prop, wrapped);
      }
      return wrapped;
    },
  }) as T & Guarded;
}

/** True when `service` was returned by guardDownstream. */
export function isGuarded(service: object): boolean {
  return (service as Record<symbol, unknown>)[GUARD] === true;
}
