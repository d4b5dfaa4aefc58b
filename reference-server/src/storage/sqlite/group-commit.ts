/**
 * Group commit for better-sqlite3: many concurrent writes, one transaction and one fsync.
 *
 * Writes are queued and applied together in ONE transaction, each inside its own SAVEPOINT
 * (better-sqlite3's nested transaction), so a failing write (a unique constraint turned into an
 * exception, an injected failure) rolls back alone while the others commit. Every promise settles
 * only once the shared COMMIT is durable: a 2xx is never sent for a write that is not on disk.
 *
 * When a batch is applied:
 * - Mode `sqlite` (synchronous=FULL, no `walFd`): on the next event-loop turn (setImmediate), so
 *   every write issued while the previous batch ran (its fsync blocks the loop) joins the next one.
 * - Mode `wal-fsync` (synchronous=NORMAL, `walFd` given): COMMIT only writes the WAL frames to
 *   the OS; the fsync of the WAL file then runs on libuv's thread pool while the loop keeps
 *   serving requests. Writes that arrive during that fsync wait for it to finish and then go
 *   together into the next transaction, so there is never more than one transaction per fsync.
 *   At low load a write commits on the next loop turn; under load the fsync in flight is the
 *   batching window (self-clocking), and while the event loop is busy (at least 80 % since the
 *   last fsync started) fsyncs are paced at most one per `minSyncIntervalMs` (2 ms), so that a
 *   fast disk does not turn every few writes into an fsync of their own when the core is what
 *   bounds the rate. With the loop mostly idle the core has room for more fsyncs, and waiting
 *   would only add the wait to every write's latency (and, for a closed loop of clients, take
 *   it off the rate): the next fsync then starts as soon as the last one ends.
 * A transaction holds at most `maxBatch` writes; a larger queue becomes several transactions
 * covered by the same fsync.
 *
 * The write lock: when another connection holds it (the checkpointer's RESTART checkpoint, for a
 * millisecond or two; another process writing the same file), the BEGIN does not wait in SQLite's
 * busy handler, which sleeps on the event loop: it fails at once, the batch goes back to the head
 * of the queue, and the flush is tried again every millisecond on a timer until the connection's
 * busy_timeout has passed since the first refusal; only then are the writes refused with
 * SQLITE_BUSY. Writes arriving meanwhile join the waiting batch.
 *
 * Visibility in `wal-fsync` mode: a committed but not yet fsynced write is visible to this
 * connection. So that no response can reveal it before it is durable (as with synchronous=FULL,
 * where SQLite publishes a commit only after its fsync), `read()` holds a read's result until the
 * fsync in flight completes; with no fsync in flight it answers at once.
 *
 * Fail-stop: if an fsync of the WAL fails, what the OS kept is unknown (Linux may drop the dirty
 * pages and report success on the next fsync). The store then refuses every later read and write
 * with StorageFailure (503 downstream.unavailable) instead of acknowledging writes it cannot vouch
 * for; a restart recovers from what is on disk.
 *
 * @example
 * const gc = new GroupCommit(db, { walFd });
 * const id = await gc.write(() => insert.run(row).lastInsertRowid);
 */
import { fdatasync } from 'node:fs';
import type Database from 'better-sqlite3';
import { StorageFailure } from '../storage.ts';

interface Pending {
  fn: () => unknown;
  /** One SQL statement: no savepoint needed (see writeStatement). */
  single: boolean;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  ok: boolean;
  value: unknown;
}

/** Upper bounds of the batch-size histogram (writes per transaction); the last bucket is +Inf. */
export const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] as const;

/** Counters since open, for tests and metrics (picco_db_*). */
export interface GroupCommitStats {
  /** Writes applied (committed or rolled back to their savepoint). */
  writes: number;
  /** Writes whose function threw (rolled back alone; the rest of their batch committed). */
  failedWrites: number;
  /** Transactions committed. */
  commits: number;
  /** fsyncs of the WAL issued by the group commit (wal-fsync mode; SQLite's own are not counted). */
  fsyncs: number;
  /** Reads held until the fsync in flight completed (wal-fsync mode). */
  heldReads: number;
  /** BEGINs refused because another connection held the write lock (each retried on a timer). */
  busyRetries: number;
  /** Writes per transaction: counts per BATCH_BUCKETS upper bound (cumulative = false), plus +Inf. */
  batchSizes: number[];
  /** Sum of writes over all transactions (batch-size histogram sum). */
  batchSizeSum: number;
}

export interface GroupCommitOptions {
  /** Largest number of writes in one transaction. Default 512. */
  maxBatch?: number;
  /** An fd of the WAL file: selects wal-fsync mode (the connection runs synchronous=NORMAL). */
  walFd?: number;
  /**
   * wal-fsync mode: the least time between the starts of two fsyncs. Default 2 ms. An fsync costs
   * the server's core ~50 µs of kernel CPU whatever it covers, and on a fast disk (0.2 ms) the
   * self-clocked group commit would issue thousands a second of a few writes each; pacing them
   * makes each cover more writes (at most this much added latency; none while writes come
   * slower than one per interval). Applies only while the loop is busy (`paceAtUtilisation`).
   */
  minSyncIntervalMs?: number;
  /** wal-fsync mode: the event loop's utilisation since the last fsync started at or above which fsyncs are paced. Default 0.8. */
  paceAtUtilisation?: number;
  /** wal-fsync mode: the event loop's utilisation (0..1) since the last fsync started; default from performance.eventLoopUtilization. Tests pass their own. */
  loopUtilisation?: () => number;
  /** Called after each committed transaction with its number of writes (metrics). */
  onCommit?: (batchSize: number) => void;
  /** wal-fsync mode: called after each fsync of the WAL with how long it took, in seconds (metrics). */
  onSync?: (seconds: number) => void;
  /**
   * How the WAL is synced; default fs.fdatasync, as SQLite itself syncs its WAL on Linux: it
   * flushes the data and the metadata needed to read it back (the size), not the timestamps, so
   * the journal commit ext4 makes for an mtime is skipped (the WAL is rewritten in place after a
   * checkpoint, mostly without growing). Tests pass one they complete by hand.
   */
  fsync?: (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly runBatch: Database.Transaction<(batch: Pending[]) => void>;

  /** wal-fsync mode: an fsync is in flight; writes queue, reads wait in `heldReads`. */
  private syncing = false;
  private heldReads: (() => void)[] = [];
  private broken: StorageFailure | undefined;
  /** performance.now() of the first BEGIN refused with SQLITE_BUSY since the last one that succeeded. */
  private busySince: number | undefined;
  private readonly busyTimeoutMs: number;
  private readonly db: Database.Database;
  private readonly counters: GroupCommitStats = {
    writes: 0, failedWrites: 0, commits: 0, fsyncs: 0, heldReads: 0, busyRetries: 0,
    batchSizes: new Array<number>(BATCH_BUCKETS.length + 1).fill(0), batchSizeSum: 0,
  };

  private readonly maxBatch: number;
  private readonly minSyncIntervalMs: number;
  /** performance.now() when the last fsync was issued. */
  private lastSyncAt = Number.NEGATIVE_INFINITY;
  /** The event loop's utilisation counters when the last fsync was issued. */
  private eluAtSync = performance.eventLoopUtilization();
  private readonly paceAtUtilisation: number;
  private readonly loopUtilisation: () => number;
  private readonly flushNow = (): void => this.flush();
  private readonly walFd: number | undefined;
  private readonly onCommit: ((batchSize: number) => void) | undefined;
  private readonly onSync: ((seconds: number) => void) | undefined;
  private readonly fsync: NonNullable<GroupCommitOptions['fsync']>;

  constructor(db: Database.Database, opts: GroupCommitOptions = {}) {
    this.maxBatch = opts.maxBatch ?? 512;
    this.minSyncIntervalMs = opts.minSyncIntervalMs ?? 2;
    this.paceAtUtilisation = opts.paceAtUtilisation ?? 0.8;
    this.loopUtilisation = opts.loopUtilisation ?? (() => performance.eventLoopUtilization(this.eluAtSync).utilization);
    this.walFd = opts.walFd;
    this.onCommit = opts.onCommit;
    this.onSync = opts.onSync;
    this.fsync = opts.fsync ?? fdatasync;
    this.db = db;
    this.busyTimeoutMs = Number(db.pragma('busy_timeout', { simple: true }));
    const one = db.transaction((p: Pending) => p.fn());
    this.runBatch = db.transaction((batch: Pending[]) => {
      for (const p of batch) {
        try {
          p.value = p.single ? p.fn() : one(p);
          p.ok = true;
        } catch (err) {
          p.value = err;
          p.ok = false;
        }
      }
    });
  }

  write<T>(fn: () => T): Promise<T> {
    return this.enqueue(fn, false);
  }

  /**
   * A write that is ONE SQL statement (e.g. an upsert with RETURNING): it runs without a savepoint
   * of its own, since SQLite already undoes a failing statement alone and keeps the transaction
   * (conflict resolution ABORT); an error that ends the whole transaction (disk full, I/O) makes
   * the COMMIT fail, and then every write of the batch is refused, as for any write. Saves the
   * SAVEPOINT and RELEASE round of the hottest writes.
   */
  writeStatement<T>(fn: () => T): Promise<T> {
    return this.enqueue(fn, true);
  }

  private enqueue<T>(fn: () => T, single: boolean): Promise<T> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, single, resolve: resolve as (v: unknown) => void, reject, ok: false, value: undefined });
      this.schedule();
    });
  }

  /**
   * Runs `fn` (a read) now; its result is delivered once every write committed so far is durable
   * (at once unless a wal-fsync is in flight).
   */
  read<T>(fn: () => T): Promise<T> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    let value: T;
    try {
      value = fn();
    } catch (err) {
      return Promise.reject(err);
    }
    if (!this.syncing) return Promise.resolve(value);
    this.counters.heldReads++;
    return new Promise<T>((resolve, reject) => {
      this.heldReads.push(() => (this.broken === undefined ? resolve(value) : reject(this.broken)));
    });
  }

  stats(): GroupCommitStats {
    return { ...this.counters, batchSizes: [...this.counters.batchSizes] };
  }

  /** Applies everything queued now (used by the scheduler and by close()). */
  flush(): void {
    this.scheduled = false;
    if (this.syncing || this.queue.length === 0) return;
    const covered: Pending[] = [];
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        this.begin(batch);
      } catch (err) {
        if (this.busyStillWaiting(err)) {
          this.queue.unshift(...batch);
          this.scheduled = true;
          setTimeout(this.flushNow, 1);
          break;
        }
        // BEGIN or COMMIT failed (SQLITE_BUSY past busy_timeout, disk full): nothing committed.
        for (const p of batch) p.reject(err);
        continue;
      }
      this.busySince = undefined;
      this.count(batch);
      if (this.walFd === undefined) for (const p of batch) (p.ok ? p.resolve : p.reject)(p.value);
      else for (const p of batch) covered.push(p);
    }
    if (covered.length > 0) this.sync(covered);
  }

  /** Resolves when nothing is queued and no fsync is in flight (used by close). */
  async drained(): Promise<void> {
    while (this.syncing || this.queue.length > 0) {
      this.flush();
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** One transaction for `batch`, its BEGIN refused at once (SQLITE_BUSY) if the write lock is held. */
  private begin(batch: Pending[]): void {
    // A PRAGMA takes effect when prepared: exec, not a prepared statement run again.
    this.db.exec('PRAGMA busy_timeout = 0');
    try {
      this.runBatch.immediate(batch);
    } finally {
      this.db.exec(`PRAGMA busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  /** Whether `err` is a refused BEGIN to retry: SQLITE_BUSY, first seen less than busy_timeout ago. */
  private busyStillWaiting(err: unknown): boolean {
    if ((err as { code?: unknown }).code !== 'SQLITE_BUSY') return false;
    this.counters.busyRetries++;
    const now = performance.now();
    this.busySince ??= now;
    return now - this.busySince < this.busyTimeoutMs;
  }

  private schedule(): void {
    if (this.scheduled || this.syncing) return;
    this.scheduled = true;
    // Paced while the loop is busy: the next fsync starts no sooner than minSyncIntervalMs after the last one started.
    const wait = this.lastSyncAt + this.minSyncIntervalMs - performance.now();
    if (this.walFd !== undefined && wait >= 0.5 && this.loopUtilisation() >= this.paceAtUtilisation) setTimeout(this.flushNow, wait);
    else setImmediate(this.flushNow);
  }

  private count(batch: Pending[]): void {
    const c = this.counters;
    c.commits++;
    c.writes += batch.length;
    c.batchSizeSum += batch.length;
    for (const p of batch) if (!p.ok) c.failedWrites++;
    const i = BATCH_BUCKETS.findIndex((b) => batch.length <= b);
    c.batchSizes[i === -1 ? BATCH_BUCKETS.length : i]! += 1;
    this.onCommit?.(batch.length);
  }

  private sync(covered: Pending[]): void {
    const fd = this.walFd;
    if (fd === undefined) return;
    this.syncing = true;
    const started = performance.now();
    this.lastSyncAt = started;
    this.eluAtSync = performance.eventLoopUtilization();
    this.counters.fsyncs++;
    this.fsync(fd, (err) => {
      this.syncing = false;
      this.onSync?.((performance.now() - started) / 1000);
      if (err !== null && this.broken === undefined) {
        this.broken = new StorageFailure(`fsync of the SQLite WAL failed (${err.code ?? 'error'}): the store stops accepting requests`);
      }
      for (const p of covered) {
        if (this.broken !== undefined) p.reject(this.broken);
        else (p.ok ? p.resolve : p.reject)(p.value);
      }
      const reads = this.heldReads;
      this.heldReads = [];
      for (const settle of reads) settle();
      if (this.broken !== undefined) {
        for (const p of this.queue.splice(0)) p.reject(this.broken);
        return;
      }
      if (this.queue.length > 0) this.schedule();
    });
  }
}
