/**
 * A simulated downstream service: a latency distribution, a concurrency capacity with a FIFO
 * queue in front, a timeout and an error rate. This is what makes overload reproducible: when
 * arrivals exceed concurrency / mean latency, the queue grows, latency grows with it, and past
 * queueLimit or timeoutMs calls fail, exactly the shape of a saturated card processor. Waiting
 * is done with timers (never busy waits), so a simulated slow service costs the server nothing
 * but memory. A call that times out still holds its slot until its latency has elapsed, as a
 * hung connection to a real service would.
 *
 * @example
 * const acquirer = new SimulatedService('acquirer', resolveService({}, 'acquirer'), env);
 * await acquirer.call(); // resolves after the sampled latency, or throws DownstreamError
 */
import { sampleLatency } from './latency.ts';
import type { ServiceConfig, ServiceName } from './faults.ts';
import type { ServerMetrics } from '../metrics.ts';

export type DownstreamFailure = 'error' | 'rejected' | 'timeout';

export class DownstreamError extends Error {
  readonly code = 'PICCO_ERR_DOWNSTREAM';
  constructor(readonly service: ServiceName, readonly kind: DownstreamFailure) {
    super(`downstream ${service}: ${kind}`);
  }
}

export interface SimulatorEnv {
  random: () => number;
  metrics: ServerMetrics;
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class SimulatedService {
  private inFlight = 0;
  private readonly queue: Waiter[] = [];
  private readonly gInFlight;
  private readonly gQueue;
  private readonly hDuration;

  constructor(readonly name: ServiceName, private config: ServiceConfig, private readonly env: SimulatorEnv) {
    this.gInFlight = env.metrics.downstreamInFlight.labels(name);
    this.gQueue = env.metrics.downstreamQueueDepth.labels(name);
    this.hDuration = env.metrics.downstreamDuration.labels(name);
    this.gInFlight.set(0);
    this.gQueue.set(0);
  }

  get settings(): ServiceConfig {
    return this.config;
  }

  configure(config: ServiceConfig): void {
    this.config = config;
    this.drain();
  }

  stats(): { inFlight: number; queued: number } {
    return { inFlight: this.inFlight, queued: this.queue.length };
  }

  /** Waits for a slot and the sampled latency; throws DownstreamError on rejection, timeout or error. */
  async call(): Promise<void> {
    const started = performance.now();
    try {
      await this.acquire();
      const waited = performance.now() - started;
      const latency = sampleLatency(this.config.latency, this.env.random);
      const budget = this.config.timeoutMs - waited;
      if (latency > budget) {
        await sleep(Math.max(0, budget));
        setTimeout(() => this.release(), latency - Math.max(0, budget)).unref();
        throw new DownstreamError(this.name, 'timeout');
      }
      if (latency > 0) await sleep(latency);
      this.release();
      if (this.config.errorRate > 0 && this.env.random() < this.config.errorRate) {
        throw new DownstreamError(this.name, 'error');
      }
      this.count('ok');
    } catch (err) {
      if (err instanceof DownstreamError) this.count(err.kind);
      throw err;
    } finally {
      this.hDuration.observe((performance.now() - started) / 1000);
    }
  }

  private count(outcome: string): void {
    this.env.metrics.downstreamCalls.labels(this.name, outcome).inc();
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.config.concurrency && this.queue.length === 0) {
      this.inFlight++;
      this.gInFlight.set(this.inFlight);
      return Promise.resolve();
    }
    if (this.queue.length >= this.config.queueLimit) return Promise.reject(new DownstreamError(this.name, 'rejected'));
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { grant: resolve, timer: undefined };
      w.timer = setTimeout(() => {
        const i = this.queue.indexOf(w);
        if (i >= 0) this.queue.splice(i, 1);
        this.gQueue.set(this.queue.length);
        reject(new DownstreamError(this.name, 'timeout'));
      }, this.config.timeoutMs);
      this.queue.push(w);
      this.gQueue.set(this.queue.length);
    });
  }

  private release(): void {
    this.inFlight--;
    this.drain();
    this.gInFlight.set(this.inFlight);
  }

  private drain(): void {
    while (this.inFlight < this.config.concurrency && this.queue.length > 0) {
      const w = this.queue.shift() as Waiter;
      if (w.timer !== undefined) clearTimeout(w.timer);
      this.inFlight++;
      w.grant();
    }
    this.gQueue.set(this.queue.length);
    this.gInFlight.set(this.inFlight);
  }
}
