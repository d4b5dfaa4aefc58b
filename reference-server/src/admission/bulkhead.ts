/**
 * One compartment: an adaptive limit plus a short FIFO of requests waiting for a slot.
 *
 * Trade-off: a small bounded queue absorbs bursts shorter than `maxWaitMs` (arrivals are
 * Poisson, not smooth) without letting a queue build: a waiter older than `maxWaitMs`, or one
 * arriving when `maxQueue` are already waiting, is refused at once. Refusing fast is the point:
 * a 503 in 1 ms lets the app back off (2-4-8-16 s), a 200 after 15 s costs the same work and
 * still times out on the phone. Expired waiters are swept on every release and by one shared
 * 20 ms timer, never a timer per request.
 *
 * @example
 * const bh = new Bulkhead('card-write', CLASS_DEFAULTS['card-write']);
 * if (bh.tryEnter() || (await bh.wait())) { try { ... } finally { bh.leave(ms, 'ok'); } }
 */
import { GradientLimiter, type SampleOutcome } from './gradient-limiter.ts';
import type { ClassConfig } from './route-classes.ts';

interface Waiter {
  since: number;
  resolve: (admitted: boolean) => void;
}

export class Bulkhead {
  readonly limiter: GradientLimiter;
  private readonly queue: Waiter[] = [];
  private head = 0;
  private sweeper: NodeJS.Timeout | undefined;
  rejected = 0;

  constructor(
    readonly name: string,
    readonly config: ClassConfig,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.limiter = new GradientLimiter({ initial: config.initial, min: config.min, max: config.max,
      ...(config.tolerance !== undefined ? { tolerance: config.tolerance } : {}),
      ...(config.targetMs !== undefined ? { targetMs: config.targetMs } : {}) });
  }

  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Takes a slot now if one is free and nobody is waiting ahead. */
  tryEnter(): boolean {
    if (this.waiting > 0) return false;
    return this.limiter.tryAcquire();
  }

  /** Waits up to maxWaitMs for a slot; false means refused (queue full or waited too long). */
  wait(): Promise<boolean> {
    if (this.waiting >= this.config.maxQueue || this.config.maxWaitMs <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      this.queue.push({ since: this.now(), resolve });
      this.armSweeper();
    });
  }

  /** Gives the slot back, feeding the limiter, and hands free slots to waiters. */
  leave(serviceMs: number, outcome: SampleOutcome): void {
    this.limiter.release(serviceMs, outcome);
    this.drain();
  }

  private drain(): void {
    const t = this.now();
    while (this.head < this.queue.length) {
      const w = this.queue[this.head]!;
      if (t - w.since > this.config.maxWaitMs) {
        this.head++;
        w.resolve(false);
        continue;
      }
      if (!this.limiter.tryAcquire()) break;
      this.head++;
      w.resolve(true);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.waiting === 0 && this.sweeper !== undefined) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private armSweeper(): void {
    if (this.sweeper !== undefined) return;
    this.sweeper = setInterval(() => this.drain(), 20);
    this.sweeper.unref();
  }

  /** Refuses everyone waiting (shutdown). */
  close(): void {
    while (this.head < this.queue.length) this.queue[this.head++]!.resolve(false);
    this.drain();
  }
}
