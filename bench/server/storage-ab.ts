/**
 * `npx tsx bench/server/storage-ab.ts [DIR]`: the SQLite store alone, without HTTP: 30,000
 * durable card additions over 2,000 citizens with 64 in flight (the group commit batches them),
 * rate and CPU µs per card over all threads (the checkpoint worker and the thread pool's fsyncs
 * included). DIR: another checkout's store (before/after; run both alternately, pinned with
 * `taskset -c 1`, on a shared box).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ROOT } from '../lib.ts';

const root = resolve(process.argv[2] ?? ROOT);
const { openSqliteStorage } = (await import(join(root, 'reference-server/src/storage/sqlite/sqlite-storage.ts'))) as typeof import('../../reference-server/src/storage/sqlite/sqlite-storage.ts');
const dir = mkdtempSync(join(tmpdir(), 'picco-storage-ab-'));
const s = openSqliteStorage({ path: join(dir, 'ab.sqlite') });
const cfs = Array.from({ length: 2000 }, (_, i) => `RSSMRA80A01H${String(i).padStart(3, '0')}U`);
const N = 30_000;
let done = 0;
let inFlight = 0;
let k = 0;
const c0 = process.cpuUsage();
const t0 = performance.now();
await new Promise<void>((finish) => {
  const launch = (): void => {
    while (inFlight < 64 && done + inFlight < N) {
      inFlight++;
      const i = k++;
      void s.addCard({ fiscalCode: cfs[i % 2000]!, hpan: randomBytes(32).toString('hex'), maskedPan: '************4242', lastFour: '4242',
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
process.stdout.write(`${process.argv[2] ?? 'this checkout'}: ${Math.round((N / ms) * 1000)} cards/s, ${((cpu.user + cpu.system) / N).toFixed(1)} µs CPU per card (all threads), ${s.dbStats().commits} commits\n`);
await s.close();
rmSync(dir, { recursive: true, force: true });
