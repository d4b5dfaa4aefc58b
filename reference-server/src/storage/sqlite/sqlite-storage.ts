/**
 * The embedded default store: better-sqlite3 in WAL mode. A write acknowledged with 2xx is on
 * disk (fsynced) and survives kill -9 and power loss, as far as the disk honours fsync. Writes go
 * through GroupCommit: concurrent writes share one transaction (a savepoint each) and one fsync.
 * Reads run at once on the event loop (microseconds each). Several processes may open the same
 * file (WAL + busy_timeout); nothing is cached in memory between calls.
 *
 * Durability modes (`?durability=` of `--db sqlite:PATH`); both acknowledge only fsynced commits:
 * - `wal-fsync` (default): synchronous=NORMAL, and GroupCommit fsyncs the WAL file on libuv's
 *   thread pool before settling the batch's promises; reads are held while an fsync is in flight
 *   so that no response shows a write before it is durable. The event loop keeps serving
 *   requests during the fsync.
 * - `sqlite`: synchronous=FULL, SQLite fsyncs the WAL inside COMMIT, on the event loop.
 * `?synchronous=normal` alone (no fsync before acknowledging: survives kill -9 of the process, not
 * power loss) is for comparison runs only.
 *
 * @example
 * const storage = openSqliteStorage({ path: 'picco.db' });
 * await storage.enrollCitizen('RSSMRA80A01H501U', new Date());
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BATCH_BUCKETS, GroupCommit, type GroupCommitStats } from './group-commit.ts';
import { migrate } from './migrations.ts';
import { sessionOps } from './sessions.ts';
import { walletOps } from './wallets.ts';
import { cashbackOps } from './cashback.ts';
import { TokenCache } from './token-cache.ts';
import { startCheckpointer, type Checkpointer, type CheckpointerOptions } from './checkpointer.ts';
import type {
  CascadeStep, NewBancomatCard, NewCard, NewPmSession, NewSession, NewTransaction, Storage, TokenKind, TokenOwner, UserRecord,
  IbanUpdate, WalletPatch,
} from '../storage.ts';

export interface SqliteOptions {
  /** File path, or `:memory:` (tests only: not durable, not shareable). */
  path: string;
  /** Largest number of writes committed together. Default 512. */
  maxBatch?: number;
  /**
   * Without `durability`: `FULL` is durability `sqlite`; `NORMAL` fsyncs nothing before
   * acknowledging (commits survive kill -9 of the process, not power loss or an OS crash):
   * comparison runs only.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /**
   * `wal-fsync` (default): synchronous=NORMAL plus an fsync of the WAL file on the thread pool
   * before any acknowledgement (see GroupCommit). `sqlite`: synchronous=FULL, SQLite fsyncs each
   * commit itself, on the event loop. The same promise on kill -9 and power loss (see README).
   */
  durability?: 'sqlite' | 'wal-fsync';
  /** The checkpointer's interval and restart size (checkpointer.ts); defaults there. */
  checkpoints?: CheckpointerOptions;
}

/** The SQLite store plus what only it has: group-commit counters and their Prometheus metrics. */
export interface SqliteStorage extends Storage {
  /** `wal-fsync`, `sqlite` (synchronous=FULL) or `none` (synchronous=NORMAL, or `:memory:`). */
  readonly durability: 'wal-fsync' | 'sqlite' | 'none';
  dbStats(): GroupCommitStats;
  /**
   * Registers picco_db_commits_total, picco_db_writes_total{outcome}, picco_db_wal_fsyncs_total,
   * picco_db_held_reads_total, picco_db_busy_retries_total, the picco_db_batch_size histogram
   * (writes per transaction), the picco_db_wal_fsync_seconds histogram (each fsync of the WAL),
   * and for a file picco_db_wal_restarts_total and the picco_db_wal_frames gauge.
   */
  registerMetrics(registry: Registry): void;
}

/** journal_size_limit: 64 MiB. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export function openSqliteStorage(opts: SqliteOptions): SqliteStorage {
  const db = new Database(opts.path);
  db.pragma('journal_mode = WAL');
  const mode = opts.durability ?? (opts.synchronous === 'FULL' ? 'sqlite' : opts.synchronous === 'NORMAL' ? 'none' : 'wal-fsync');
  const walFsync = mode === 'wal-fsync' && opts.path !== ':memory:';
  db.pragma(`synchronous = ${mode === 'sqlite' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = OFF');
  migrate(db);
  let walFd: number | undefined;
  // Checkpoints in a worker thread (checkpointer.ts), for files (an in-memory db has no WAL).
  let checkpointer: Checkpointer | undefined;
  if (opts.path !== ':memory:') {
    db.pragma('wal_autocheckpoint = 0');
    // A WAL a burst grew past this is cut back when it restarts (checkpointer.ts); the steady WAL stays far below.
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    checkpointer = startCheckpointer(opts.path, () => {
      if (db.open) db.pragma('wal_autocheckpoint = 1000');
    }, opts.checkpoints);
  }
  if (walFsync) {
    // The WAL file exists once the database is in WAL mode and a write happened (migrate wrote);
    // it stays (same inode) while a connection is open. Sync its directory entry once.
    walFd = openSync(`${opts.path}-wal`, 'a+');
    fsyncSync(walFd);
    const dirFd = openSync(dirname(opts.path), 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
  }
  const batchSize = new Histogram({ name: 'picco_db_batch_size', help: 'Writes per SQLite transaction (group commit)',
    buckets: [...BATCH_BUCKETS], registers: [] });
  const walSync = new Histogram({ name: 'picco_db_wal_fsync_seconds', help: 'How long each fsync of the SQLite WAL took (durability wal-fsync)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1], registers: [] });
  const gc = new GroupCommit(db, { maxBatch: opts.maxBatch ?? 512, ...(walFd !== undefined ? { walFd } : {}),
    onCommit: (n) => batchSize.observe(n), onSync: (s) => walSync.observe(s) });
  const fromStats = (name: string, help: string, value: (st: GroupCommitStats) => number): Counter =>
    new Counter({ name, help, registers: [], collect() { this.reset(); this.inc(value(gc.stats())); } });
  const s = sessionOps(db);
  const w = walletOps(db);
  const c = cashbackOps(db);
  const settingGet = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const settingPut = db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
  // data_version moves when another connection (process) commits to the file: the token cache's guard.
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const tokens = new TokenCache(() => dataVersion.get() as number);
  let closed = false;

  const read = <T>(fn: () => T): Promise<T> => gc.read(fn);
  const write = <T>(fn: () => T): Promise<T> => gc.write(fn);

  return {
    kind: 'sqlite',
    durability: walFsync ? 'wal-fsync' : mode === 'sqlite' ? 'sqlite' : 'none',
    dbStats: () => gc.stats(),
    registerMetrics: (registry: Registry) => {
      registry.registerMetric(batchSize);
      registry.registerMetric(walSync);
      registry.registerMetric(fromStats('picco_db_commits_total', 'SQLite transactions committed by the group commit', (st) => st.commits));
      registry.registerMetric(new Counter({ name: 'picco_db_writes_total', help: 'Writes applied by the group commit (failed = rolled back alone)',
        labelNames: ['outcome'], registers: [], collect() {
          const st = gc.stats();
          this.reset();
          this.inc({ outcome: 'ok' }, st.writes - st.failedWrites);
          this.inc({ outcome: 'failed' }, st.failedWrites);
        } }));
      registry.registerMetric(fromStats('picco_db_wal_fsyncs_total', 'fsyncs of the WAL issued by the group commit (durability wal-fsync)', (st) => st.fsyncs));
      registry.registerMetric(fromStats('picco_db_held_reads_total', 'Reads held until the WAL fsync in flight completed', (st) => st.heldReads));
      registry.registerMetric(fromStats('picco_db_busy_retries_total', 'Group-commit BEGINs refused because another connection held the write lock, retried on a timer', (st) => st.busyRetries));
      if (checkpointer === undefined) return;
      const cp = checkpointer;
      registry.registerMetric(new Counter({ name: 'picco_db_wal_restarts_total', help: 'RESTART checkpoints completed: the WAL started again from its beginning',
        registers: [], collect() { this.reset(); this.inc(cp.stats().restarts); } }));
      registry.registerMetric(new Gauge({ name: 'picco_db_wal_frames', help: 'Frames (pages) in the SQLite WAL at the last checkpoint',
        registers: [], collect() { this.set(cp.stats().walFrames); } }));
    },
    ensureUser: (u: UserRecord) => write(() => s.ensureUser(u)),
    getUser: (cf: string) => read(() => s.getUser(cf)),
    createSession: (x: NewSession) => write(() => s.createSession(x)).then(() => {
      const owner = (kind: TokenKind): TokenOwner => ({ fiscalCode: x.fiscalCode, sessionId: x.sessionId, kind, expiresAt: x.expiresAt });
      tokens.issued(x.sessionToken, 'session', owner('session'));
      tokens.issued(x.walletToken, 'wallet', owner('wallet'));
      tokens.issued(x.bpdToken, 'bpd', owner('bpd'));
      tokens.issued(x.myPortalToken, 'myPortal', owner('myPortal'));
    }),
    getSession: (id: string, now: Date) => read(() => s.getSession(id, now)),
    // Not held behind the fsync: a token is presented only by someone who got it in an
    // acknowledged (durable) response, so its existence is never undurable news; the one unsynced
    // change this lookup can reveal is a logout or purge, and showing that early refuses a token
    // (fails closed). Every request authenticates, so this keeps auth off the fsync's latency.
    // Verified tokens are cached in the process (token-cache.ts says why that never serves a
    // revoked one).
    findToken: (token: string, kind: TokenKind, now: Date) => {
      try {
        return Promise.resolve(tokens.lookup(token, kind, now, () => s.findToken(token, kind, now)));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    deleteSession: (id: string) => {
      tokens.forgetSession(id);
      return write(() => s.deleteSession(id));
    },
    createPmSession: (x: NewPmSession) => write(() => s.createPmSession(x)).then(() => {
      tokens.issued(x.token, 'pm', { fiscalCode: x.fiscalCode, sessionId: x.sessionId, kind: 'pm', expiresAt: x.expiresAt });
    }),
    purgeExpired: (now: Date) => {
      tokens.clear();
      return write(() => s.purgeExpired(now));
    },

    addCard: (card: NewCard, now: Date) => gc.writeStatement(() => w.addCard(card, now)),
    getWallet: (cf: string, id: number) => read(() => w.getWallet(cf, id)),
    listWallets: (cf: string) => read(() => w.listWallets(cf)),
    startVerification: (cf: string, id: number, v: { nonce: string; amountCents: number }, now: Date) =>
      write(() => w.startVerification(cf, id, v, now)),
    getVerification: (id: number) => read(() => w.getVerification(id)),
    completeVerification: (id: number, nonce: string, outcome: 'authorized' | 'denied', now: Date) =>
      write(() => w.completeVerification(id, nonce, outcome, now)),
    confirmWallet: (cf: string, id: number, now: Date) => write(() => w.confirmWallet(cf, id, now)),
    setFavourite: (cf: string, id: number, now: Date) => write(() => w.setFavourite(cf, id, now)),
    updateWallet: (cf: string, id: number, patch: WalletPatch, now: Date) => write(() => w.updateWallet(cf, id, patch, now)),
    deleteWallet: (cf: string, id: number) => write(() => w.deleteWallet(cf, id)),
    addBancomatCards: (cf: string, cards: NewBancomatCard[], now: Date) => write(() => w.addBancomatCards(cf, cards, now)),

    getCitizen: (cf: string) => read(() => c.getCitizen(cf)),
    enrollCitizen: (cf: string, now: Date) => write(() => c.enrollCitizen(cf, now)),
    setIban: (cf: string, iban: IbanUpdate, now: Date) => write(() => c.setIban(cf, iban, now)),
    deleteCitizenCascade: (cf: string, now: Date, o?: { failAt?: CascadeStep }) =>
      write(() => c.deleteCitizenCascade(cf, now, o?.failAt)),
    getInstrument: (cf: string, hpan: string) => read(() => c.getInstrument(cf, hpan)),
    enableInstrument: (cf: string, hpan: string, channel: string, now: Date) => write(() => c.enableInstrument(cf, hpan, channel, now)),
    disableInstrument: (cf: string, hpan: string, now: Date) => write(() => c.disableInstrument(cf, hpan, now)),
    ingestTransactions: (trxs: NewTransaction[]) => write(() => c.ingestTransactions(trxs)),
    listWinningTransactions: (cf: string, period: number, hpan: string) => read(() => c.listWinningTransactions(cf, period, hpan)),
    getCashbackTotals: (cf: string, period: number) => read(() => c.getCashbackTotals(cf, period)),
    getRanking: (cf: string, period: number, top: number) => read(() => c.getRanking(cf, period, top)),

    getSetting: (key: string) => read(() => {
      const r = settingGet.get(key);
      return r === undefined ? undefined : (JSON.parse(r.value) as unknown);
    }),
    putSetting: (key: string, value: unknown, now: Date) =>
      write(() => { settingPut.run(key, JSON.stringify(value), now.getTime()); }),

    close: async () => {
      if (closed) return;
      closed = true;
      gc.flush();
      await gc.drained();
      await checkpointer?.stop();
      db.close();
      if (walFd !== undefined) closeSync(walFd);
    },
  };
}
