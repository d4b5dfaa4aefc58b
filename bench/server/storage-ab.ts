/**
 * `npx tsx bench/server/storage-ab.ts [DIR] [--in-flight=64] [--cards=30000] [--json]`: the SQLite
 * store alone, without HTTP: durable card additions over 2,000 citizens with a fixed number in
 * flight (the group commit batches them), rate and CPU µs per card over all threads (the
 * checkpoint worker and the thread pool's fsyncs included; the random hpans are drawn before the
 * clock starts). DIR: another checkout's store (before/after; run both alternately, pinned with
 * `taskset -c 1`, on a shared box). `--json` prints one line of JSON instead (the server bench's
 * "store alone" row reads it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ROOT } from '../lib.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const v = Number(args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3));
  return Number.isInteger(v) && v > 0 ? v : fallback;
};
const dirArg = args.find((a) => !a.startsWith('--'));
const root = resolve(dirArg ?? ROOT);
const { openSqliteStorage } = (await import(join(root, 'reference-server/src/storage/sqlite/sqlite-storage.ts'))) as typeof import('../../reference-server/src/storage/sqlite/sqlite-storage.ts');
const dir = mkdtempSync(join(tmpdir(), 'picco-storage-ab-'));
const s = openSqliteStorage({ path: join(dir, 'ab.sqlite') });
const cfs = Array.from({ length: 2000 }, (_, i) => `RSSMRA80A01H${String(i).padStart(3, '0')}U`);
const N = option('cards', 30_000);
const IN_FLIGHT = option('in-flight', 64);
const hpans = Array.from({ length: N }, () => randomBytes(32).toString('hex'));
let done = 0;
let inFlight = 0;
let k = 0;
const c0 = process.cpuUsage();
const t0 = performance.now();
await new Promise<void>((finish) => {
  const launch = (): void => {
    while (inFlight < IN_FLIGHT && done + inFlight < N) {
      inFlight++;
      const i = k++;
      void s.addCard({ fiscalCode: cfs[i % 2000]!, hpan: hpans[i]!, maskedPan: '************4242', lastFour: '4242',
        brand: 'VISA', holder: 'Mario Rossi', expireMonth: '12', expireYear: '30', favourite: false }, new Date())
        .then(() => {
          inFlight--;
          done++;
          if (done === N) finish();
          else setImmediate(launch);
        });
    }
  };
  launch();
});
const cpu = process.cpuUsage(c0);
const ms = performance.now() - t0;
const stats = s.dbStats();
const result = { cardsPerS: Math.round((N / ms) * 1000), cpuUsPerCard: Math.round(((cpu.user + cpu.system) / N) * 10) / 10, commits: stats.commits,
  fsyncs: stats.fsyncs, inFlight: IN_FLIGHT };
process.stdout.write(args.includes('--json') ? `${JSON.stringify(result)}\n`
  : `${dirArg ?? 'this checkout'}: ${result.cardsPerS} cards/s, ${result.cpuUsPerCard} µs CPU per card (all threads), ${result.commits} commits, ${result.fsyncs} fsyncs, ${IN_FLIGHT} in flight\n`);
await s.close();
rmSync(dir, { recursive: true, force: true });
