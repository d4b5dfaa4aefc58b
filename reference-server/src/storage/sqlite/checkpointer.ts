/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses 1,000 WAL pages, on the connection that committed: here the event loop, which then
 * copies pages into the database file and fsyncs it while no request is served (measured: about
 * a third of the group commit's CPU under card additions). Instead the main connection turns
 * automatic checkpoints off and a worker thread with a connection of its own runs
 * `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs` (PASSIVE never blocks the writer).
 *
 * The WAL restarts from its beginning only when a write transaction begins with every frame
 * already copied. Under sustained writes that never happens by itself: a PASSIVE checkpoint copies
 * the frames that were there when it started, and the group commit has appended more by the time
 * it ends, so the WAL grew without bound (measured: 280 MB in 12 s of card additions, each fsync
 * of it then also a journal commit of its new size). So once a PASSIVE checkpoint leaves the WAL
 * at `restartFrames` frames or more, the worker copies what was appended meanwhile with more
 * PASSIVE passes, then runs `wal_checkpoint(RESTART)`: it takes the write lock between two
 * transactions, copies the last few frames, fsyncs the database file, and the next write starts
 * the WAL again from frame 0, overwriting the file in place (its size stays, so an fsync of it
 * flushes data only). The group commit does not wait for that lock on the event loop: it retries
 * its BEGIN on a timer (group-commit.ts). The store's `journal_size_limit` cuts a WAL a burst
 * grew large back at a restart.
 *
 * Durability does not depend on it: a commit is durable once the WAL is fsynced (group-commit.ts);
 * a checkpoint only moves committed pages into the main file. If the worker fails, the main
 * connection takes automatic checkpoints back (`onFailure`), so the WAL never grows unbounded.
 *
 * @example
 * const cp = startCheckpointer(path, () => db.pragma('wal_autocheckpoint = 1000'));
 * cp.stats().restarts; ...; await cp.stop();
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const restart = db.prepare('PRAGMA wal_checkpoint(RESTART)');
let stopping = false;
const tick = () => {
  if (stopping) return;
  try {
    const passive = checkpoint.get();
    let restarted = false;
    if (passive.log >= workerData.restartFrames) {
      // Copy what was appended meanwhile without the lock first, so RESTART holds it for a few frames.
      let tail = checkpoint.get();
      for (let i = 0; i < 3 && tail.log > tail.checkpointed; i++) tail = checkpoint.get();
      restarted = restart.get().busy === 0;
    }
    parentPort.postMessage({ frames: passive.log, restarted });
  } catch (err) { if (err && err.code !== 'SQLITE_BUSY') throw err; }
  setTimeout(tick, workerData.intervalMs);
};
parentPort.on('message', (m) => { if (m === 'stop') { stopping = true; db.close(); process.exit(0); } });
tick();
`;

export interface CheckpointerOptions {
  /** Time between two checkpoints. Default 100 ms. */
  intervalMs?: number;
  /**
   * WAL frames (pages) after a PASSIVE checkpoint from which a RESTART one follows. Default 4,096
   * (16 MiB of 4 KiB pages; about one restart a second under 9,000 card additions/s): each
   * restart holds the write lock for 1-3 ms (it fsyncs the database file), so not at every tick.
   */
  restartFrames?: number;
}

export interface CheckpointerStats {
  /** Frames in the WAL when the last checkpoint started (0 right after a restart took effect). */
  walFrames: number;
  /** RESTART checkpoints that completed: the next write started the WAL again from its beginning. */
  restarts: number;
}

export interface Checkpointer {
  stats(): CheckpointerStats;
  stop(): Promise<void>;
}

export function startCheckpointer(path: string, onFailure: () => void, opts: CheckpointerOptions = {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const workerData = { path, driver, intervalMs: opts.intervalMs ?? 100, restartFrames: opts.restartFrames ?? 4096 };
  const worker = new Worker(WORKER, { eval: true, workerData });
  const counters: CheckpointerStats = { walFrames: 0, restarts: 0 };
  worker.on('message', (m: { frames: number; restarted: boolean }) => {
    counters.walFrames = m.frames;
    if (m.restarted) counters.restarts++;
  });
  let stopped = false;
  const failed = (): void => {
    if (!stopped) onFailure();
    stopped = true;
  };
  worker.once('error', failed);
  worker.once('exit', failed);
  worker.unref();
  return {
    stats: () => ({ ...counters }),
    async stop() {
      if (stopped) return;
      stopped = true;
      const exited = new Promise<void>((r) => worker.once('exit', () => r()));
      worker.postMessage('stop');
      const t = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(t);
    },
  };
}
