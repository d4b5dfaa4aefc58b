/**
 * `npx tsx bench/server/pg-card-statement.ts [BATCH=32] [ROUNDS=300] [DIR]`: the PostgreSQL store
 * alone, without HTTP: a card addition with its write hit as two statements (`hit`, then
 * `addCard`: what the request path sent before the hit rode in the card's statement) against one
 * (`addCardCounted`), BATCH calls at once per round (each kind shares one batched statement),
 * alternating three times in one run. Prints per card: wall time, this process's CPU (the
 * driver, the batching, the promises) and PostgreSQL's backend CPU (from /proc), so the change
 * is judged on work, not on a shared box's rate. Durable (synchronous_commit=on): the wall time
 * includes the WAL flushes. DIR: another checkout's store too (its `addCardCounted`, one
 * statement), in the same alternation, for a before/after of the statement itself.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '../../test/resilience/pg-database.ts';
import { openPostgresStorage, type PostgresStorage } from '../../reference-server/src/storage/postgres/postgres-storage.ts';
import type { NewCard } from '../../reference-server/src/storage/storage.ts';

const batch = Number(process.argv[2] ?? 32);
const rounds = Number(process.argv[3] ?? 300);
const other = process.argv[4] === undefined ? undefined : resolve(process.argv[4]);
const db = await createTestDatabase('picco_bench_card_statement');
const s = await openPostgresStorage({ url: db.url, poolSize: 2 });
const o: PostgresStorage | undefined = other === undefined ? undefined
  : await ((await import(join(other, 'reference-server/src/storage/postgres/postgres-storage.ts'))) as typeof import('../../reference-server/src/storage/postgres/postgres-storage.ts'))
    .openPostgresStorage({ url: db.url, poolSize: 2 });

/** CPU seconds of this database's backends (utime + stime from /proc; Linux, same host). */
async function backendCpu(): Promise<number> {
  const pids = (await s.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows;
  let t = 0;
  for (const { pid } of pids) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      t += (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // a backend that ended meanwhile
    }
  }
  return t;
}

const card = (): NewCard => ({ fiscalCode: `RSSMRA80A01H${randomBytes(3).toString('hex')}`, hpan: randomBytes(32).toString('hex'),
  maskedPan: '************4242', lastFour: '4242', brand: 'VISA', holder: 'Mario Rossi', expireMonth: '12', expireYear: '30', favourite: false });

let windowStart = 1_000;
async function measure(mode: 'two statements' | 'one statement' | 'one statement, DIR'): Promise<void> {
  const cards = Array.from({ length: rounds }, () => Array.from({ length: batch }, card));
  const c0 = process.cpuUsage();
  const b0 = await backendCpu();
  const t0 = performance.now();
  for (const round of cards) {
    const w = windowStart++;
    if (mode === 'two statements') {
      await Promise.all(round.map(async (c) => {
        if ((await s.hit(`w:${c.fiscalCode}`, w)) <= 20) await s.addCard(c, new Date());
      }));
    } else {
      const store = mode === 'one statement' ? s : o!;
      await Promise.all(round.map((c) => store.addCardCounted(c, new Date(), { subject: `w:${c.fiscalCode}`, windowStart: w, limit: 20 })));
    }
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const pg = (await backendCpu()) - b0;
  const n = rounds * batch;
  process.stdout.write(`${mode.padEnd(18)} ${((wall * 1000) / n).toFixed(1).padStart(6)} µs wall, ${((cpu.user + cpu.system) / n).toFixed(1).padStart(6)} µs this process, `
    + `${((pg * 1e6) / n).toFixed(1).padStart(6)} µs PostgreSQL per card\n`);
}

try {
  process.stdout.write(`${batch} card additions at once, ${rounds} rounds each, durable\n`);
  for (let i = 0; i < 3; i++) {
    await measure('two statements');
    await measure('one statement');
    if (o !== undefined) await measure('one statement, DIR');
  }
} finally {
  await o?.close();
  await s.close();
  await db.drop();
}
