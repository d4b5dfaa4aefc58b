/**
 * The embedded default store: better-sqlite3 in WAL mode with synchronous=FULL, so a write
 * acknowledged with 2xx has been fsynced and survives kill -9 (and power loss, as far as the
 * disk honours fsync). Reads run at once on the event loop (microseconds each); writes go
 * through GroupCommit, one transaction and one fsync per event-loop turn. Several processes may
 * open the same file (WAL + busy_timeout); nothing is cached in memory between calls.
 *
 * @example
 * const storage = openSqliteStorage({ path: 'picco.db' });
 * await storage.enrollCitizen('RSSMRA80A01H501U', new Date());
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { GroupCommit } from './group-commit.ts';
import { migrate } from './migrations.ts';
import { sessionOps } from './sessions.ts';
import { walletOps } from './wallets.ts';
import { cashbackOps } from './cashback.ts';
import type {
  CascadeStep, NewBancomatCard, NewCard, NewPmSession, NewSession, NewTransaction, Storage, TokenKind, UserRecord,
  IbanUpdate, WalletPatch,
} from '../storage.ts';

export interface SqliteOptions {
  /** File path, or `:memory:` (tests only: not durable, not shareable). */
  path: string;
  /** Largest number of writes committed together. Default 512. */
  maxBatch?: number;
  /**
   * `FULL` (default): every commit is fsynced before it is acknowledged. `NORMAL` (WAL): commits
   * reach the OS at once and survive kill -9 of the process, but the last ones may be lost on
   * power loss or an OS crash; for comparison runs only.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /**
   * `sqlite` (default): SQLite fsyncs each commit itself (synchronous=FULL), on the event loop.
   * `wal-fsync`: synchronous=NORMAL plus an fsync of the WAL file on the thread pool before any
   * acknowledgement (see GroupCommit): the same guarantee, without blocking the event loop.
   */
  durability?: 'sqlite' | 'wal-fsync';
}

export function openSqliteStorage(opts: SqliteOptions): Storage {
  const db = new Database(opts.path);
  db.pragma('journal_mode = WAL');
  const walFsync = opts.durability === 'wal-fsync' && opts.path !== ':memory:';
  db.pragma(`synchronous = ${walFsync ? 'NORMAL' : (opts.synchronous ?? 'FULL')}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = OFF');
  migrate(db);
  let walFd: number | undefined;
  if (walFsync) {
    // The WAL file exists once the database is in WAL mode and a write happened (migrate wrote);
    // it stays (same inode) while a connection is open. Sync its directory entry once.
    walFd = openSync(`${opts.path}-wal`, 'a+');
    fsyncSync(walFd);
    const dirFd = openSync(dirname(opts.path), 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
  }
  const gc = new GroupCommit(db, opts.maxBatch ?? 512, walFd);
  const s = sessionOps(db);
  const w = walletOps(db);
  const c = cashbackOps(db);
  const settingGet = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const settingPut = db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
  let closed = false;

  const read = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err);
    }
  };
  const write = <T>(fn: () => T): Promise<T> => gc.write(fn);

  return {
    kind: 'sqlite',
    ensureUser: (u: UserRecord) => write(() => s.ensureUser(u)),
    getUser: (cf: string) => read(() => s.getUser(cf)),
    createSession: (x: NewSession) => write(() => s.createSession(x)),
    getSession: (id: string, now: Date) => read(() => s.getSession(id, now)),
    findToken: (token: string, kind: TokenKind, now: Date) => read(() => s.findToken(token, kind, now)),
    deleteSession: (id: string) => write(() => s.deleteSession(id)),
    createPmSession: (x: NewPmSession) => write(() => s.createPmSession(x)),
    purgeExpired: (now: Date) => write(() => s.purgeExpired(now)),

    addCard: (card: NewCard, now: Date) => write(() => w.addCard(card, now)),
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
      db.close();
      if (walFd !== undefined) closeSync(walFd);
    },
  };
}
