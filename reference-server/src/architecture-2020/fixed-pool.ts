/**
 * A fixed pool of slots with a FIFO wait in front: a servlet container's worker threads, or a
 * client's connection pool to a downstream service. The trade-off it reproduces is the 2020 one:
 * with `maxWaitMs` undefined a caller waits as long as it takes (Tomcat's executor queue, Apache
 * HttpClient's connection request timeout left at its default of "no limit"), so under overload
 * nobody is refused and everybody is late; work whose client has already given up is still
 * done, because nothing here can know the client left. There is no error rate anywhere: a
 * failure only ever comes from `maxWaitMs` elapsing.
 *
 * @example
 * const threads = new FixedPool('pm-workers', 40, undefined, gauges);
 * await threads.run(() => handler()); // holds one thread for the whole handler
 */
import type { Gauge } from 'prom-client';

export class PoolWaitTimeout extends Error {
  readonly code = 'PICCO_ERR_POOL_WAIT';
  constructor(readonly pool: string, readonly waitedMs: number) {
    super(`${pool}: no slot within ${Math.round(waitedMs)} ms`);
  }
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout | undefined;
  /** Its wait timed out: the drain skips it. */
  dead: boolean;
}

export interface PoolGauges {
  inFlight: Gauge<'service'>;
  queued: Gauge<'service'>;
}

export interface PoolStats {
  size: number;
  inFlight: number;
  queued: number;
  /** Callers that got a slot, in total. */
  granted: number;
  /** Callers whose maxWaitMs elapsed before a slot freed. */
  timedOut: number;
  /** The longest wait so far, ms. */
  maxWaitMs: number;
}

export class FixedPool {
  private inFlight = 0;
  private readonly waiting: Waiter[] = [];
  private head = 0;
  /** Dead entries still in `waiting`. */
  private queuedGone = 0;
  private granted = 0;
  private timedOut = 0;
  private longestWait = 0;
  private readonly gIn;
  private readonly gQ;

  /** `maxWaitMs` undefined = wait without limit. */
  constructor(readonly name: string, readonly size: number, readonly maxWaitMs: number | undefined, gauges?: PoolGauges) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`${name}: pool size must be a positive integer, got ${size}`);
    this.gIn = gauges?.inFlight.labels(name);
    this.gQ = gauges?.queued.labels(name);
    this.gIn?.set(0);
    this.gQ?.set(0);
  }

  stats(): PoolStats {
    return { size: this.size, inFlight: this.inFlight, queued: this.queuedNow(), granted: this.granted,
      timedOut: this.timedOut, maxWaitMs: Math.round(this.longestWait) };
  }

  /** Holds one slot while `work` runs; throws PoolWaitTimeout when maxWaitMs elapses first. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  acquire(): Promise<void> {
    if (this.inFlight < this.size && this.head === this.waiting.length) {
      this.take(0);
      return Promise.resolve();
    }
    const since = performance.now();
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { grant: () => { this.take(performance.now() - since); resolve(); }, timer: undefined, dead: false };
      if (this.maxWaitMs !== undefined) {
        w.timer = setTimeout(() => {
          // left in place, marked: the drain skips it (O(1), no splice in a long queue)
          w.dead = true;
          this.timedOut++;
          this.queuedGone++;
          this.gQ?.set(this.queuedNow());
          reject(new PoolWaitTimeout(this.name, performance.now() - since));
        }, this.maxWaitMs);
      }
      this.waiting.push(w);
      this.gQ?.set(this.queuedNow());
    });
  }

  release(): void {
    this.inFlight--;
    while (this.inFlight < this.size && this.head < this.waiting.length) {
      const w = this.waiting[this.head] as Waiter;
      this.waiting[this.head++] = undefined as unknown as Waiter;
      if (w.dead) {
        this.queuedGone--;
        continue;
      }
      if (w.timer !== undefined) clearTimeout(w.timer);
      w.grant();
    }
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    this.gIn?.set(this.inFlight);
    this.gQ?.set(this.queuedNow());
  }

  private queuedNow(): number {
    return this.waiting.length - this.head - this.queuedGone;
  }

  private take(waited: number): void {
    this.inFlight++;
    this.granted++;
    if (waited > this.longestWait) this.longestWait = waited;
    this.gIn?.set(this.inFlight);
  }
}
