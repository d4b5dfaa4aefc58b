/**
 * Group commit for better-sqlite3. With synchronous=FULL every COMMIT waits for an fsync, which
 * would cap durable writes at the disk's fsync rate. Writes are therefore queued and flushed
 * together on the next event-loop turn (setImmediate) in ONE transaction, each write inside its
 * own SAVEPOINT so a failing write (a constraint, an injected failure) rolls back alone. Every
 * promise settles only after the shared COMMIT returned: an acknowledged write is on disk.
 * The cost is at most one loop turn of added latency at low load; the gain is one fsync per
 * batch instead of one per request at high load.
 *
 * With `walFd` (durability 'wal-fsync'), SQLite runs with synchronous=NORMAL and the fsync moves
 * off the event loop: after a batch commits (into the OS page cache), its promises wait for an
 * fs.fsync of the WAL file on libuv's thread pool; batches committed while one fsync runs are
 * covered by the next. The guarantee is the same as synchronous=FULL (a commit's WAL frames are
 * on disk before it is acknowledged); the event loop keeps serving requests during the fsync.
 *
 * @example
 * const gc = new GroupCommit(db);
 * const id = await gc.write(() => insert.run(row).lastInsertRowid);
 */
import { fsync } from 'node:fs';
import type Database from 'better-sqlite3';

interface Pending {
  fn: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  ok: boolean;
  value: unknown;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly runBatch: Database.Transaction<(batch: Pending[]) => void>;

  /** Batches committed but not yet fsynced (wal-fsync mode). */
  private unsynced: Pending[] = [];
  private syncing = false;

  constructor(private readonly db: Database.Database, private readonly maxBatch = 512, private readonly walFd?: number) {
    const one = db.transaction((p: Pending) => p.fn());
    this.runBatch = db.transaction((batch: Pending[]) => {
      for (const p of batch) {
        try {
          p.value = one(p);
          p.ok = true;
        } catch (err) {
          p.value = err;
          p.ok = false;
        }
      }
    });
  }

  write<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, ok: false, value: undefined });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs everything queued; called by the timer and by close(). */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        this.runBatch.immediate(batch);
      } catch (err) {
        for (const p of batch) p.reject(err);
        continue;
      }
      if (this.walFd === undefined) {
        for (const p of batch) (p.ok ? p.resolve : p.reject)(p.value);
      } else {
        for (const p of batch) this.unsynced.push(p);
      }
    }
    if (this.walFd !== undefined) this.sync();
  }

  /** Resolves when nothing committed is waiting for its fsync (used by close). */
  async drained(): Promise<void> {
    while (this.syncing || this.unsynced.length > 0) {
      this.sync();
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  private sync(): void {
    if (this.syncing || this.unsynced.length === 0 || this.walFd === undefined) return;
    this.syncing = true;
    const covered = this.unsynced;
    this.unsynced = [];
    fsync(this.walFd, (err) => {
      this.syncing = false;
      for (const p of covered) {
        if (err !== null) p.reject(err);
        else (p.ok ? p.resolve : p.reject)(p.value);
      }
      this.sync();
    });
  }
}
