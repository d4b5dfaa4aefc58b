/**
 * The SQLite WAL under sustained writes: the checkpointer (src/storage/sqlite/checkpointer.ts)
 * restarts it, so it stays bounded where PASSIVE checkpoints alone let it grow with every batch;
 * and the group commit never waits for the write lock on the event loop, it retries its BEGIN on
 * a timer (src/storage/sqlite/group-commit.ts). Asserts counts, sizes and order, never timings.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../reference-server/src/storage/sqlite/group-commit.ts';
import { openSqliteStorage } from '../../reference-server/src/storage/sqlite/sqlite-storage.ts';
import type { NewCard } from '../../reference-server/src/storage/storage.ts';
import { randomFiscalCode, randomHpan } from './storage-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'picco-wal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A WAL database as the store opens it (autocheckpoint off), for the lock tests. */
function openDb(busyTimeoutMs = 5000): { db: Database.Database; path: string } {
  const path = join(dir, `wal-${n++}.sqlite`);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL UNIQUE, v TEXT NOT NULL)');
  return { db, path };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const T0 = new Date('2020-12-07T18:15:00Z');
const card = (fiscalCode: string): NewCard => ({ fiscalCode, hpan: randomHpan(), maskedPan: '************4242',
  lastFour: '4242', brand: 'VISA', holder: 'Mario Rossi', expireMonth: '12', expireYear: '30', favourite: false });

describe('SQLite WAL under sustained writes', () => {
  /**
   * The WAL file's size after 12,000 card additions in waves of 40 through the durable store (each
   * wave one transaction and one fsync), the checkpointer ticking every 5 ms.
   */
  async function walAfterSustainedWrites(restartFrames: number): Promise<{ bytes: number; restarts: number }> {
    const path = join(dir, `store-${n++}.sqlite`);
    const s = openSqliteStorage({ path, durability: 'wal-fsync', checkpoints: { intervalMs: 5, restartFrames } });
    try {
      const citizens = Array.from({ length: 500 }, () => randomFiscalCode());
      for (let wave = 0; wave < 300; wave++) {
        const added = await Promise.all(Array.from({ length: 40 }, (_, i) => s.addCard(card(citizens[(wave * 40 + i) % 500]!), T0)));
        expect(added.every((a) => a.kind === 'created')).toBe(true);
      }
      const reg = new Registry();
      s.registerMetrics(reg);
      const restarts = Number(/\npicco_db_wal_restarts_total (\d+)/.exec(await reg.metrics())?.[1]);
      return { bytes: statSync(`${path}-wal`).size, restarts };
    } finally {
      await s.close();
    }
  }

  it('restarts the WAL from its beginning, so it stays bounded while writes never stop (PASSIVE checkpoints alone let it grow)', async () => {
    const passiveOnly = await walAfterSustainedWrites(Number.MAX_SAFE_INTEGER);
    const restarted = await walAfterSustainedWrites(64);
    expect(passiveOnly.restarts).toBe(0);
    expect(restarted.restarts).toBeGreaterThan(0);
    // The file keeps its largest size: restarted, the WAL is overwritten in place from frame 0.
    expect(restarted.bytes).toBeLessThan(passiveOnly.bytes / 2);
  });

  it('a BEGIN refused by a held write lock is retried on a timer: the event loop runs meanwhile, and the write commits once the lock is free', async () => {
    const { db, path } = openDb();
    const other = new Database(path);
    const gc = new GroupCommit(db);
    try {
      other.exec('BEGIN IMMEDIATE');
      let committed = false;
      const write = gc.writeStatement(() => db.prepare("INSERT INTO t (k, v) VALUES ('a', 'b')").run().changes)
        .then((c) => { committed = true; return c; });
      // Timers fire while the lock is held: the loop is not asleep in SQLite's busy handler.
      let timers = 0;
      for (let i = 0; i < 5; i++) { await sleep(2); timers++; }
      expect(timers).toBe(5);
      expect(committed).toBe(false);
      expect(gc.stats().busyRetries).toBeGreaterThan(0);
      other.exec('COMMIT');
      await expect(write).resolves.toBe(1);
      expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
      // the connection's own busy_timeout is back for everything else
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      other.close();
      db.close();
    }
  });

  it('refuses the writes with SQLITE_BUSY once the lock was held longer than busy_timeout, and commits the next ones', async () => {
    const { db, path } = openDb(30);
    const other = new Database(path);
    const gc = new GroupCommit(db);
    try {
      other.exec('BEGIN IMMEDIATE');
      const ins = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
      await expect(gc.writeStatement(() => ins.run('a', 'b').changes)).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      other.exec('ROLLBACK');
      await expect(gc.writeStatement(() => ins.run('c', 'd').changes)).resolves.toBe(1);
      expect(db.prepare('SELECT k FROM t').all()).toEqual([{ k: 'c' }]);
    } finally {
      other.close();
      db.close();
    }
  });
});
