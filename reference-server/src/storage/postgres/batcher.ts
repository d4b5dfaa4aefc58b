/**
 * Group commit for the hot operations (card additions, write-rate hits, token lookups): calls
 * that arrive while `maxInFlight` statements of the same kind are already at PostgreSQL wait,
 * and go together as ONE statement (unnest of arrays) as soon as one of those returns. Under
 * load N requests cost one round trip, one parse/plan/execute and, for writes, one commit and
 * one WAL flush instead of N; at low load a call is sent at once, so nothing waits on a timer.
 *
 * Trade-off: a batch is one transaction, so one bad item would fail its neighbours. When a batch
 * of several fails, each of its items is retried alone, and only the item that fails alone sees
 * the error (unless the database is unavailable, a StorageFailure: then all fail at once). Items
 * whose `key` is already in the batch wait for the next one (an upsert cannot touch the same row
 * twice in one statement). Durability is unchanged: a caller's promise
 * resolves only after the statement that carried its item committed (synchronous_commit=on).
 *
 * @example
 * const b = new Batcher(async (items) => runOneStatement(items), { maxInFlight: 2 });
 * const out = await b.call(item);
 */
import { StorageFailure } from '../storage.ts';

export interface BatcherOptions<I> {
  /** Statements of this kind at PostgreSQL at once; more callers queue into the next batch. */
  maxInFlight: number;
  /** Items per statement at most. Default 256. */
  maxBatch?: number;
  /** Two items with the same key never share a batch. */
  key?: (item: I) => string;
  /**
   * A statement beyond the first in flight is sent only with at least this many items waiting
   * (default 1): statements overlap under load, but each carries a batch worth its fixed cost
   * (parse, plan, commit) rather than the two or three calls that arrived since the last one.
   */
  overlapAt?: number;
}

interface Pending<I, O> { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }

export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private readonly maxBatch: number;

  /** `run` gets 1..maxBatch items and returns one output per item, in order. */
  constructor(private readonly run: (items: I[]) => Promise<O[]>, private readonly opts: BatcherOptions<I>) {
    this.maxBatch = opts.maxBatch ?? 256;
  }

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    const overlapAt = this.opts.overlapAt ?? 1;
    while (this.inFlight < this.opts.maxInFlight && this.queue.length > 0 && (this.inFlight === 0 || this.queue.length >= overlapAt)) {
      const batch = this.take();
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private take(): Pending<I, O>[] {
    const key = this.opts.key;
    if (key === undefined) return this.queue.splice(0, this.maxBatch);
    const seen = new Set<string>();
    const batch: Pending<I, O>[] = [];
    const rest: Pending<I, O>[] = [];
    for (const p of this.queue) {
      const k = key(p.item);
      if (batch.length < this.maxBatch && !seen.has(k)) {
        seen.add(k);
        batch.push(p);
      } else {
        rest.push(p);
      }
    }
    this.queue = rest;
    return batch;
  }

  private async send(batch: Pending<I, O>[]): Promise<void> {
    try {
      const out = await this.run(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(out[i] as O));
    } catch (err) {
      // One item, or the database itself is away (StorageFailure): retrying alone would only
      // multiply the failed attempts.
      if (batch.length === 1 || err instanceof StorageFailure) {
        for (const p of batch) p.reject(err);
        return;
      }
      // Retried one by one, so only the item that fails alone gets the error.
      await Promise.all(batch.map(async (p) => {
        try {
          p.resolve((await this.run([p.item]))[0] as O);
        } catch (e) {
          p.reject(e);
        }
      }));
    }
  }
}

