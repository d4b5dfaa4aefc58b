/**
 * A circuit breaker for one downstream (acquirer, ACS, a PagoBancomat processor, IBAN check).
 *
 * Trade-off: without it, a dead downstream holds every caller for its full timeout, so the
 * server's in-flight count (and memory, and the client's 16 s wait) grows with the outage. With
 * it, after `failureThreshold` failures out of the last `window` calls (and at least
 * `minCalls` calls), the breaker opens and calls fail at once with `BreakerOpenError` for
 * `openMs`; then it lets `halfOpenProbes` calls through: all succeed → closed, one fails → open
 * again. A rolling count (not consecutive failures) keeps a 30 % error-rate downstream from
 * flapping the breaker on every unlucky streak, while still opening on a real outage.
 *
 * The clock is injected so tests drive time without sleeping.
 *
 * @example
 * const b = new CircuitBreaker('acquirer', { failureThreshold: 10, window: 20 });
 * const result = await b.run(() => acquirer.authorise(req));
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Calls remembered. Default 20. */
  window?: number;
  /** Failures within the window that open the breaker. Default 10 (50 %). */
  failureThreshold?: number;
  /** Fewer calls than this in the window never open it. Default 10. */
  minCalls?: number;
  /** How long it stays open. Default 2,000 ms. */
  openMs?: number;
  /** Trial calls in half-open. Default 3. */
  halfOpenProbes?: number;
  now?: () => number;
}

/** Thrown (never with the downstream's time spent) while the breaker is open. Stable code. */
export class BreakerOpenError extends Error {
  readonly code = 'PICCO_ERR_BREAKER_OPEN';
  constructor(readonly downstream: string, readonly retryAfterMs: number) {
    super(`circuit breaker for ${downstream} is open`);
  }
}

export class CircuitBreaker {
  private stateV: BreakerState = 'closed';
  private readonly ring: Uint8Array;
  private ringPos = 0;
  private ringCount = 0;
  private failures = 0;
  private openedAt = 0;
  private probesLeft = 0;
  private probeSuccesses = 0;
  private readonly window: number;
  private readonly failureThreshold: number;
  private readonly minCalls: number;
  private readonly openMs: number;
  private readonly halfOpenProbes: number;
  private readonly now: () => number;

  constructor(readonly name: string, opts: CircuitBreakerOptions = {}) {
    this.window = opts.window ?? 20;
    this.failureThreshold = opts.failureThreshold ?? 10;
    this.minCalls = opts.minCalls ?? 10;
    this.openMs = opts.openMs ?? 2000;
    this.halfOpenProbes = opts.halfOpenProbes ?? 3;
    this.now = opts.now ?? Date.now;
    this.ring = new Uint8Array(this.window);
  }

  get state(): BreakerState {
    if (this.stateV === 'open' && this.now() - this.openedAt >= this.openMs) {
      this.stateV = 'half-open';
      this.probesLeft = this.halfOpenProbes;
      this.probeSuccesses = 0;
    }
    return this.stateV;
  }

  /** Asks for permission to call; throws BreakerOpenError when refused. */
  admit(): void {
    const s = this.state;
    if (s === 'closed') return;
    if (s === 'half-open' && this.probesLeft > 0) {
      this.probesLeft--;
      return;
    }
    const left = s === 'open' ? this.openMs - (this.now() - this.openedAt) : this.openMs;
    throw new BreakerOpenError(this.name, Math.max(left, 1));
  }

  onSuccess(): void {
    if (this.stateV === 'half-open') {
      this.probeSuccesses++;
      if (this.probeSuccesses >= this.halfOpenProbes) this.close();
      return;
    }
    this.record(0);
  }

  onFailure(): void {
    if (this.stateV === 'half-open') {
      this.open();
      return;
    }
    this.record(1);
    if (this.ringCount >= this.minCalls && this.failures >= this.failureThreshold) this.open();
  }

  /** Runs `fn` under the breaker: counts its outcome, refuses while open. */
  async run<T>(fn: () => Promise<T>, isFailure: (err: unknown) => boolean = () => true): Promise<T> {
    this.admit();
    try {
      const v = await fn();
      this.onSuccess();
      return v;
    } catch (err) {
      if (isFailure(err)) this.onFailure();
      else this.onSuccess();
      throw err;
    }
  }

  private record(bit: 0 | 1): void {
    if (this.ringCount === this.window) this.failures -= this.ring[this.ringPos] ?? 0;
    else this.ringCount++;
    this.ring[this.ringPos] = bit;
    this.failures += bit;
    this.ringPos = (this.ringPos + 1) % this.window;
  }

  private open(): void {
    this.stateV = 'open';
    this.openedAt = this.now();
  }

  private close(): void {
    this.stateV = 'closed';
    this.ring.fill(0);
    this.ringCount = 0;
    this.ringPos = 0;
    this.failures = 0;
  }
}
