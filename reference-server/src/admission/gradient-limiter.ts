/**
 * An adaptive concurrency limit after Netflix's Gradient2: the limit follows the ratio of a
 * long-term latency baseline to the latency seen now, so it needs no per-route latency target.
 *
 * Trade-off: a fixed limit is either too low (wasted capacity on a quiet box) or too high (the
 * queue grows inside the server and latency explodes before anything is refused). A latency
 * target (AIMD on "rtt > X ms") needs tuning per route and per downstream profile: a card
 * verification that waits 300 ms on the acquirer is healthy, a wallet list at 300 ms is not.
 * Gradient2 compares each route class with itself: while the short-term RTT stays within
 * `tolerance` × the long-term RTT the limit grows by `queueSize(limit)` (≈ √limit) per update;
 * when queueing inflates the RTT the gradient drops below 1 and the limit shrinks in proportion,
 * down to `min`. Updates while the class uses less than half its limit are ignored (an idle
 * class must not "learn" a huge limit it never tested). The long-term RTT decays towards the
 * short one when latency falls by half, so the baseline follows a recovering downstream.
 *
 * Each update is O(1), no allocation: this sits on every request.
 *
 * @example
 * const lim = new GradientLimiter({ initial: 20, min: 4, max: 400 });
 * if (lim.tryAcquire()) { const t0 = now(); ...; lim.release(now() - t0, 'ok'); }
 */
export interface GradientLimiterOptions {
  /** Starting limit. Default 20. */
  initial?: number;
  /** Never below this many concurrent requests. Default 2. */
  min?: number;
  /** Never above. Default 1000. */
  max?: number;
  /** How much RTT inflation over the baseline is accepted before shrinking. Default 1.5. */
  tolerance?: number;
  /** Weight of a new limit versus the old one (0..1]. Default 0.2. */
  smoothing?: number;
  /**
   * Time constant (ms) of the long-term RTT baseline. Time-based, not sample-based: at
   * thousands of requests per second a 500-sample window would be 60 ms of history and follow
   * the overload it is meant to detect. While congested the baseline moves 4× slower. Default 30,000.
   */
  longTauMs?: number;
  /**
   * An absolute ceiling on the short-term RTT (ms): above it the limit shrinks whatever the
   * baseline says. The gradient alone cannot tell a healthy baseline from one learned while
   * already overloaded (a surge that starts at full force); the ceiling can. Default: none.
   */
  targetMs?: number;
  /** Samples in the short-term RTT average. Default 50. */
  shortWindow?: number;
  now?: () => number;
}

/** 'ok': a normal response; 'dropped': a timeout, shed or downstream failure (shrink); 'ignore': not a sample. */
export type SampleOutcome = 'ok' | 'dropped' | 'ignore';

export class GradientLimiter {
  private limitF: number;
  private inFlightN = 0;
  private longRtt = 0;
  private shortRtt = 0;
  private readonly min: number;
  private readonly max: number;
  private readonly tolerance: number;
  private readonly smoothing: number;
  private readonly longTauMs: number;
  private readonly targetMs: number;
  private readonly shortAlpha: number;
  private readonly now: () => number;
  private lastSampleAt = 0;
  private samples = 0;

  constructor(opts: GradientLimiterOptions = {}) {
    this.min = Math.max(1, opts.min ?? 2);
    this.max = Math.max(this.min, opts.max ?? 1000);
    this.limitF = clamp(opts.initial ?? 20, this.min, this.max);
    this.tolerance = opts.tolerance ?? 1.5;
    this.smoothing = opts.smoothing ?? 0.2;
    this.longTauMs = opts.longTauMs ?? 30_000;
    this.targetMs = opts.targetMs ?? Number.POSITIVE_INFINITY;
    this.shortAlpha = 2 / ((opts.shortWindow ?? 50) + 1);
    this.now = opts.now ?? (() => performance.now());
  }

  /** The current whole-number limit. */
  get limit(): number {
    return Math.floor(this.limitF);
  }

  get inFlight(): number {
    return this.inFlightN;
  }

  /** Takes a slot if one is free; the caller must `release` exactly once when it got one. */
  tryAcquire(): boolean {
    if (this.inFlightN >= Math.floor(this.limitF)) return false;
    this.inFlightN++;
    return true;
  }

  /** Gives the slot back and feeds the sample (milliseconds) to the limit. */
  release(rttMs: number, outcome: SampleOutcome = 'ok'): void {
    const inFlightAtSample = this.inFlightN;
    if (this.inFlightN > 0) this.inFlightN--;
    if (outcome === 'ignore') return;
    if (outcome === 'dropped') {
      // A timeout or downstream failure says "too much", whatever its RTT was.
      this.setLimit(this.limitF * 0.9);
      return;
    }
    this.update(Math.max(rttMs, 0.001), inFlightAtSample);
  }

  private update(rtt: number, inFlight: number): void {
    this.samples++;
    const t = this.now();
    if (this.samples === 1) {
      this.longRtt = rtt;
      this.shortRtt = rtt;
      this.lastSampleAt = t;
      return;
    }
    this.shortRtt += this.shortAlpha * (rtt - this.shortRtt);
    const congested = this.shortRtt > this.tolerance * this.longRtt || this.shortRtt > this.targetMs;
    const dt = Math.max(0, t - this.lastSampleAt);
    this.lastSampleAt = t;
    const longAlpha = 1 - Math.exp(-dt / (congested ? this.longTauMs * 4 : this.longTauMs));
    this.longRtt += longAlpha * (rtt - this.longRtt);
    // Latency fell well below the baseline: the baseline is stale (a recovered downstream).
    if (this.longRtt / this.shortRtt > 2) this.longRtt *= 0.95;
    // App-limited: using less than half the limit tells nothing about the limit.
    if (inFlight < this.limitF / 2) return;
    const gradient = clamp(Math.min((this.tolerance * this.longRtt) / this.shortRtt, this.targetMs / this.shortRtt), 0.5, 1);
    const queueSize = Math.sqrt(this.limitF);
    const target = this.limitF * gradient + queueSize;
    this.setLimit(this.limitF * (1 - this.smoothing) + target * this.smoothing);
  }

  private setLimit(next: number): void {
    this.limitF = clamp(next, this.min, this.max);
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
