import { mkdtempSync, openSync, fsync, fdatasync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { migrate } from './reference-server/src/storage/sqlite/migrations.ts';
import { walletOps } from './reference-server/src/storage/sqlite/wallets.ts';
import { GroupCommit } from './reference-server/src/storage/sqlite/group-commit.ts';
const [ckpt, sync] = [process.argv[2] ?? '1000', process.argv[3] ?? 'fsync'];
const dir = mkdtempSync(join(tmpdir(), 'wt15a-ckpt-'));
const path = join(dir, 'x.sqlite');
const db = new Database(path);
db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL'); db.pragma(`wal_autocheckpoint = ${ckpt}`);
migrate(db);
const walFd = openSync(`${path}-wal`, 'a+');
let syncMs = 0, nsync = 0;
const f = sync === 'fsync' ? fsync : fdatasync;
const gc = new GroupCommit(db, { walFd, fsync: (fd, done) => { const a = performance.now(); f(fd, (e) => { syncMs += performance.now() - a; nsync++; done(e); }); } });
const w = walletOps(db);
const cfs = Array.from({ length: 2000 }, (_, i) => `RSSMRA80A01H${String(i).padStart(3, '0')}U`);
const N = 20000; let done = 0, inflight = 0, k = 0;
const t0 = performance.now();
await new Promise<void>((resolve) => {
  const launch = () => {
    while (inflight < 32 && done + inflight < N) {
      inflight++; const i = k++;
      const card = { fiscalCode: cfs[i % 2000]!, hpan: randomBytes(32).toString('hex'), maskedPan: '************4242', lastFour: '4242', brand: 'VISA', holder: 'Mario Rossi', expireMonth: '12', expireYear: '30', favourite: false };
      gc.writeStatement(() => w.addCard(card, new Date())).then(() => { inflight--; done++; if (done === N) resolve(); else setImmediate(launch); });
    }
  };
  launch();
});
const ms = performance.now() - t0;
console.log(`ckpt=${ckpt} ${sync}: ${(N / ms * 1000).toFixed(0)}/s, sync mean ${(syncMs / nsync).toFixed(2)} ms x ${nsync}, cpu-ish ${((ms - syncMs) / nsync).toFixed(2)} ms/batch`);
