/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses 1,000 WAL pages, on the connection that committed: here the event loop, which then
 * copies pages into the database file and fsyncs it while no request is served (measured: about
 * a third of the group commit's CPU under card additions). Instead the main connection turns
 * automatic checkpoints off and a worker thread with a connection of its own runs
 * `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs` (PASSIVE never blocks the writer; the
 * writer restarts the WAL from its beginning once a checkpoint has copied every frame).
 *
 * Durability does not depend on it: a commit is durable once the WAL is fsynced (group-commit.ts);
 * a checkpoint only moves committed pages into the main file. If the worker fails, the main
 * connection takes automatic checkpoints back (`onFailure`), so the WAL never grows unbounded.
 *
 * @example
 * const stop = startCheckpointer(path, () => db.pragma('wal_autocheckpoint = 1000'));
 * ...; await stop();
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
let stopping = false;
const tick = () => {
  if (stopping) return;
  try { checkpoint.get(); } catch (err) { if (err && err.code !== 'SQLITE_BUSY') throw err; }
  setTimeout(tick, workerData.intervalMs);
};
parentPort.on('message', (m) => { if (m === 'stop') { stopping = true; db.close(); process.exit(0); } });
tick();
`;

export function startCheckpointer(path: string, onFailure: () => void, intervalMs = 100): () => Promise<void> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { path, driver, intervalMs } });
  let stopped = false;
  const failed = (): void => {
    if (!stopped) onFailure();
    stopped = true;
  };
  worker.once('error', failed);
  worker.once('exit', failed);
  worker.unref();
  return async () => {
    if (stopped) return;
    stopped = true;
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    worker.postMessage('stop');
    const t = setTimeout(() => void worker.terminate(), 2000);
    await exited;
    clearTimeout(t);
  };
}
