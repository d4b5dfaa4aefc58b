/**
 * Event-loop lag as an overload signal. Every route class shares one JavaScript thread: when
 * the loop itself falls behind, per-class limits react too late (their RTTs all inflate at
 * once), so lag sheds by priority first: `low` above `lowMs`, `normal` above `normalMs`.
 *
 * Trade-off: the histogram's mean over the last 100 ms is cheap and smooth; a max would trip on
 * one GC pause. The sampling interval (10 ms) costs nothing measurable.
 *
 * @example
 * const lag = new LoopMonitor(); lag.start(); if (lag.sheds('low')) reject();
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Priority } from './route-classes.ts';

export interface LoopMonitorOptions {
  /** Mean lag (ms) above which `low` priority is shed. Default 40. */
  lowMs?: number;
  /** Mean lag (ms) above which `normal` priority is shed. Default 120. */
  normalMs?: number;
  intervalMs?: number;
}

export class LoopMonitor {
  private hist: IntervalHistogram | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Mean lag over the last interval, ms. */
  lagMs = 0;
  private readonly lowMs: number;
  private readonly normalMs: number;
  private readonly intervalMs: number;

  constructor(opts: LoopMonitorOptions = {}) {
    this.lowMs = opts.lowMs ?? 40;
    this.normalMs = opts.normalMs ?? 120;
    this.intervalMs = opts.intervalMs ?? 100;
  }

  start(): this {
    if (this.hist !== undefined) return this;
    this.hist = monitorEventLoopDelay({ resolution: 10 });
    this.hist.enable();
    this.timer = setInterval(() => {
      const h = this.hist!;
      // The histogram includes the 10 ms resolution itself; subtract it to get the delay.
      this.lagMs = Number.isFinite(h.mean) ? Math.max(0, h.mean / 1e6 - 10) : 0;
      h.reset();
    }, this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.hist?.disable();
    this.hist = undefined;
    this.timer = undefined;
  }

  /** True when requests of this priority should be refused now. */
  sheds(priority: Priority): boolean {
    if (priority === 'low') return this.lagMs > this.lowMs;
    if (priority === 'normal') return this.lagMs > this.normalMs;
    return false;
  }
}
