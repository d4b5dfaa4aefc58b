/**
 * Group commit of the SQLite store (src/storage/sqlite/group-commit.ts): concurrent writes share
 * one transaction and one fsync, a failing write rolls back alone, no read shows a write before
 * it is durable, and a failed fsync stops the store. Asserts counts and order, never timings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Registry } from 'prom-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../reference-server/src/storage/sqlite/group-commit.ts';
import { openSqliteStorage, type SqliteStorage } from '../../reference-server/src/storage/sqlite/sqlite-storage.ts';
import { StorageFailure, type NewCard } from '../../reference-server/src/storage/storage.ts';
import { randomFiscalCode, randomHpan } from './storage-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'picco-gc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = new Date('2020-12-07T09:00:00Z');
let n = 0;
const open: SqliteStorage[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});
function fresh(durability: 'wal-fsync' | 'sqlite', maxBatch?: number): SqliteStorage {
  const s = openSqliteStorage({ path: join(dir, `gc-${n++}.sqlite`), durability, ...(maxBatch !== undefined ? { maxBatch } : {}) });
  open.push(s);
  return s;
}
const card = (fiscalCode: string, hpan = randomHpan()): NewCard => ({ fiscalCode, hpan, maskedPan: '************4242',
  lastFour: '4242', brand: 'VISA', holder: 'Mario Rossi', expireMonth: '12', expireYear: '30', favourite: false });
const delta = (s: SqliteStorage, before: ReturnType<SqliteStorage['dbStats']>) => {
  const a = s.dbStats();
  return { writes: a.writes - before.writes, failed: a.failedWrites - before.failedWrites, commits: a.commits - before.commits,
    fsyncs: a.fsyncs - before.fsyncs, heldReads: a.heldReads - before.heldReads };
};

describe.each(['wal-fsync', 'sqlite'] as const)('SQLite group commit (durability %s)', (durability) => {
  it('commits 200 concurrent card additions in one transaction', async () => {
    const s = fresh(durability);
    expect(s.durability).toBe(durability);
    const cf = randomFiscalCode();
    const before = s.dbStats();
    const results = await Promise.all(Array.from({ length: 200 }, () => s.addCard(card(cf), T0)));
    expect(results.every((r) => r.kind === 'created')).toBe(true);
    expect(new Set(results.map((r) => (r.kind === 'created' ? r.wallet.idWallet : 0))).size).toBe(200);
    expect(delta(s, before)).toEqual({ writes: 200, failed: 0, commits: 1, fsyncs: durability === 'wal-fsync' ? 1 : 0, heldReads: 0 });
    // the batch-size histogram counted one transaction of 200 writes (bucket <= 256)
    const reg = new Registry();
    s.registerMetrics(reg);
    const text = await reg.metrics();
    expect(text).toMatch(/picco_db_batch_size_bucket\{le="128"\} 0\n/);
    expect(text).toMatch(/picco_db_batch_size_bucket\{le="256"\} 1\n/);
    expect(text).toMatch(/picco_db_commits_total \d+\n/);
    expect(text).toMatch(/picco_db_writes_total\{outcome="ok"\} \d+\n/);
    // every fsync of the WAL is timed: as many observations as fsyncs, none in sqlite mode
    expect(text).toMatch(new RegExp(`picco_db_wal_fsync_seconds_count ${durability === 'wal-fsync' ? s.dbStats().fsyncs : 0}\\n`));
  });

  it('splits a queue longer than maxBatch into several transactions covered by one fsync', async () => {
    const s = fresh(durability, 50);
    const cf = randomFiscalCode();
    const before = s.dbStats();
    await Promise.all(Array.from({ length: 200 }, () => s.addCard(card(cf), T0)));
    expect(delta(s, before)).toMatchObject({ writes: 200, commits: 4, fsyncs: durability === 'wal-fsync' ? 1 : 0 });
    expect((await s.getWallet(cf, 200))?.fiscalCode).toBe(cf); // a fresh database: ids 1..200
  });

  it('rolls back only the failing write of a batch; conflicts inside a batch resolve in order', async () => {
    const s = fresh(durability);
    const a = randomFiscalCode();
    const b = randomFiscalCode();
    const owned = randomHpan();
    const contested = randomHpan();
    await s.enrollCitizen(a, T0);
    await s.enrollCitizen(b, T0);
    expect((await s.enableInstrument(a, owned, 'IO', T0)).kind).toBe('enabled');
    const before = s.dbStats();
    // all issued in one event-loop turn: one batch
    const [x, cascade, y, first, second] = await Promise.allSettled([
      s.addCard(card(a), T0),
      s.deleteCitizenCascade(a, T0, { failAt: 'citizen' }), // throws after deactivating a's instruments
      s.addCard(card(b), T0),
      s.enableInstrument(a, contested, 'IO', T0),
      s.enableInstrument(b, contested, 'IO', T0), // the unique index says: active for a, 409
    ]);
    expect(delta(s, before)).toMatchObject({ writes: 5, failed: 1, commits: 1 });
    expect(x.status === 'fulfilled' && x.value.kind).toBe('created');
    expect(y.status === 'fulfilled' && y.value.kind).toBe('created');
    expect(cascade.status).toBe('rejected');
    expect(cascade.status === 'rejected' && cascade.reason).toBeInstanceOf(StorageFailure);
    expect(first.status === 'fulfilled' && first.value.kind).toBe('enabled');
    expect(second.status === 'fulfilled' && second.value.kind).toBe('conflict');
    // the failed cascade left nothing half-done: a's instrument is still active, a still enrolled
    const inst = await s.getInstrument(a, owned);
    expect(inst.kind === 'found' && inst.instrument.status).toBe('ACTIVE');
    expect((await s.getCitizen(a))?.enabled).toBe(true);
  });

  it('a duplicate of a verified card in the middle of a batch is 422 material, the others are created', async () => {
    const s = fresh(durability);
    const cf = randomFiscalCode();
    const hpan = randomHpan();
    const added = await s.addCard(card(cf, hpan), T0);
    if (added.kind !== 'created') throw new Error('setup');
    const v = await s.startVerification(cf, added.wallet.idWallet, { nonce: 'n', amountCents: 1 }, T0);
    if (v.kind !== 'started') throw new Error('setup');
    await s.completeVerification(v.verification.id, 'n', 'authorized', T0);
    const results = await Promise.all([s.addCard(card(cf), T0), s.addCard(card(cf, hpan), T0), s.addCard(card(cf), T0)]);
    expect(results.map((r) => r.kind)).toEqual(['created', 'already_exists', 'created']);
  });
});

describe('SQLite group commit, wal-fsync specifics', () => {
  it('holds a read issued while the fsync is in flight until the write it may show is durable', async () => {
    const s = fresh('wal-fsync');
    const cf = randomFiscalCode();
    const order: string[] = [];
    const before = s.dbStats();
    const write = s.addCard(card(cf), T0).then((r) => { order.push('write acknowledged'); return r; });
    // After this turn's check phase the batch has committed; its fsync completes in a later poll phase.
    await new Promise((r) => setImmediate(r));
    expect(delta(s, before)).toMatchObject({ writes: 1, commits: 1, fsyncs: 1 });
    expect(order).toEqual([]);
    const read = s.getWallet(cf, 1).then((w) => { order.push('read answered'); return w; });
    const [w, r] = await Promise.all([write, read]);
    expect(order).toEqual(['write acknowledged', 'read answered']);
    expect(w.kind === 'created' && r?.idWallet).toBe(w.kind === 'created' ? w.wallet.idWallet : -1);
    expect(delta(s, before).heldReads).toBe(1);
    // with no fsync in flight a read answers at once
    await s.getWallet(cf, 1);
    expect(delta(s, before).heldReads).toBe(1);
  });

  it('settles no write before its fsync completes; writes arriving meanwhile share the next transaction', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x INTEGER UNIQUE)');
    const syncs: ((err: NodeJS.ErrnoException | null) => void)[] = [];
    const gc = new GroupCommit(db, { walFd: 3, minSyncIntervalMs: 0, fsync: (_fd, done) => { syncs.push(done); } });
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM t');
    const settled: string[] = [];
    const track = (name: string, p: Promise<unknown>) => p.then(() => settled.push(name), () => settled.push(`${name} failed`));
    const tick = () => new Promise((r) => setImmediate(r));
    const a = [track('a1', gc.write(() => ins.run(1))), track('a2', gc.write(() => ins.run(1))), track('a3', gc.write(() => ins.run(2)))];
    await tick();
    await tick();
    expect(syncs.length).toBe(1); // batch a committed, its fsync pending
    expect(settled).toEqual([]); // nothing acknowledged, not even the failed duplicate
    const read = track('read', gc.read(() => count.get()?.n));
    const b = [track('b1', gc.write(() => ins.run(3))), track('b2', gc.write(() => ins.run(4)))];
    await tick();
    await tick();
    expect(settled).toEqual([]);
    expect(gc.stats()).toMatchObject({ commits: 1, fsyncs: 1, heldReads: 1 }); // b waits for a's fsync
    syncs[0]!(null);
    await Promise.all([...a, read]);
    expect(settled).toEqual(['a1', 'a2 failed', 'a3', 'read']);
    await tick();
    expect(gc.stats()).toMatchObject({ commits: 2, fsyncs: 2 }); // b: one transaction, one fsync
    expect(settled.length).toBe(4);
    syncs[1]!(null);
    await Promise.all(b);
    expect(settled.slice(4)).toEqual(['b1', 'b2']);
    expect(count.get()?.n).toBe(4);
    db.close();
  });

  it('paces fsyncs while the loop is busy: the next starts no sooner than minSyncIntervalMs after the last, and covers every write that came meanwhile', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x INTEGER)');
    const started: number[] = [];
    const gc = new GroupCommit(db, { walFd: 3, minSyncIntervalMs: 40, loopUtilisation: () => 0.8,
      fsync: (_fd, done) => { started.push(performance.now()); setImmediate(() => done(null)); } });
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    await gc.write(() => ins.run(1)); // the first fsync starts at once
    const t0 = performance.now();
    const later = [2, 3, 4].map((x) => gc.write(() => ins.run(x)));
    await Promise.all(later);
    expect(started.length).toBe(2); // the three writes made during the interval share one fsync
    // Unpaced, the second fsync would start within a millisecond; libuv's timers run on a loop
    // time cached at the loop's last turn, so on a busy box the paced one can fire a few ms early.
    expect(started[1]! - started[0]!).toBeGreaterThanOrEqual(30);
    expect(performance.now() - t0).toBeLessThan(40 + 1000); // paced, not stalled
    expect(gc.stats()).toMatchObject({ commits: 2, fsyncs: 2, writes: 4 });
    db.close();
  });

  it('does not pace fsyncs while the loop is mostly idle: the next starts as soon as the last one ends', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x INTEGER)');
    const started: number[] = [];
    let utilisation = 0.79;
    const gc = new GroupCommit(db, { walFd: 3, minSyncIntervalMs: 1000, loopUtilisation: () => utilisation,
      fsync: (_fd, done) => { started.push(performance.now()); setImmediate(() => done(null)); } });
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    await gc.write(() => ins.run(1));
    await Promise.all([2, 3].map((x) => gc.write(() => ins.run(x))));
    expect(started.length).toBe(2);
    expect(started[1]! - started[0]!).toBeLessThan(500); // not the 1,000 ms interval
    // The same store once the loop is busy: the interval applies again.
    utilisation = 0.8;
    const t0 = performance.now();
    await gc.write(() => ins.run(4));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(500);
    expect(gc.stats()).toMatchObject({ commits: 3, fsyncs: 3, writes: 4 });
    db.close();
  });

  it('stops the store when an fsync of the WAL fails (fail-stop, nothing acknowledged)', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x INTEGER)');
    const fd = 1_000_000; // beyond any open-file limit: fsync fails with EBADF
    const gc = new GroupCommit(db, { walFd: fd });
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    const a = gc.write(() => ins.run(1).changes);
    await expect(a).rejects.toBeInstanceOf(StorageFailure);
    await expect(gc.write(() => ins.run(2).changes)).rejects.toBeInstanceOf(StorageFailure);
    await expect(gc.read(() => 1)).rejects.toBeInstanceOf(StorageFailure);
    db.close();
  });
});
