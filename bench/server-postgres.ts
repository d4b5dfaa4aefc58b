/**
 * The PostgreSQL rows of the `server` bench, measured side by side in one run on one box:
 *  1. pgbench: one durable single-row `INSERT ... ON CONFLICT DO NOTHING` per transaction,
 *     32 clients, prepared, pinned to core 0 (PostgreSQL itself is not pinned: it is the box's).
 *     This is the reference (= 1): what PostgreSQL's own client does with one commit per row.
 *  2. `picco serve --db postgres://...`, one process pinned to core 1: durable POST
 *     /pp-restapi-CD/v1/wallet/cc card additions from wrk on core 0, 32 connections, unique
 *     Luhn-valid PANs spread over 2,000 logged-in citizens (each far under the per-token write
 *     limit, which stays on), admission control off (the raw capacity, as add-card.sh).
 *  3. pgbench again, so the ratio is against the mean of two references around the picco run.
 * Both write through PostgreSQL with synchronous_commit=on: a 200 means the row is on disk.
 *
 * `npm run bench -- server-postgres [--quick]`; `server` calls runPostgresRows() too.
 * Env: PICCO_BENCH_PG_WORKERS=1,2 adds `--workers N` rows (per-worker throughput);
 * PICCO_BENCH_PG_PROFILE=DIR writes a CPU profile of the single-process server into DIR.
 * The box has 2 cores shared with PostgreSQL and other tenants: figures are noisy, ratios
 * within one run are what to read.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { GEN_CPU, sh, TARGET_CPU } from './lib.ts';
import { fitUsl, uslX } from '../harness/capacity/usl.ts';
import { runWrkCards } from './server-wrk.ts';
import { startServer } from '../test/resilience/server-process.ts';
import { login } from '../test/resilience/citizen.ts';
import { createTestDatabase, type TestDatabase } from '../test/resilience/pg-database.ts';

const out = (s: string): void => {
  process.stdout.write(`  ${s}\n`);
};

export interface PgbenchResult { tps: number; latencyMs: number }

/** pgbench with a custom script: one durable single-row upsert per transaction. */
export async function pgbenchUpserts(db: TestDatabase, clients: number, seconds: number): Promise<PgbenchResult> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query('CREATE TABLE IF NOT EXISTS bench_upsert (k BIGINT PRIMARY KEY, v TEXT NOT NULL, at TIMESTAMPTZ NOT NULL)');
  } finally {
    await c.end();
  }
  const dir = mkdtempSync(join(tmpdir(), 'picco-pgbench-'));
  const script = join(dir, 'upsert.sql');
  writeFileSync(script, "\\set k random(1, 4000000000)\nINSERT INTO bench_upsert (k, v, at) VALUES (:k, 'x', now()) ON CONFLICT DO NOTHING;\n");
  const u = new URL(db.url);
  try {
    const r = await sh('taskset', ['-c', String(GEN_CPU), 'pgbench', '-n', '-M', 'prepared', '-c', String(clients), '-j', '2',
      '-T', String(seconds), '-f', script, '-h', u.hostname, '-p', u.port || '5432', '-U', u.username || 'postgres', db.name],
    { timeoutMs: (seconds + 60) * 1000 });
    const tps = /tps = ([\d.]+)/.exec(r.stdout);
    const lat = /latency average = ([\d.]+) ms/.exec(r.stdout);
    if (tps === null) throw new Error(`pgbench printed no tps (exit ${r.code}): ${r.stderr.slice(-800)}`);
    return { tps: Number(tps[1]), latencyMs: Number(lat?.[1] ?? NaN) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface PiccoPgResult {
  rate: number; p99Ms: number; p50Ms: number; non200: number; stored: number; workers: number;
  /** CPU the server process used per stored card (one process only; undefined under --workers). */
  cpuUsPerCard?: number;
  /** Share of one core the server process used during the run. */
  cpuShare?: number;
}

function cpuSplit(pid: number | undefined): number[] | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // schedstat: ns on CPU, ns waiting on a run queue (runnable but not running), timeslices
    const st = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return [Number(f[11]) / 100, Number(f[12]) / 100, st[0]! / 1e9, st[1]! / 1e9];
  } catch {
    return undefined;
  }
}

/** utime + stime of a process in seconds (Linux /proc), undefined where it cannot be read. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Logs in `citizens` citizens (16 at a time) and returns their PM tokens. */
async function pmTokens(url: string, citizens: number, from: number): Promise<string[]> {
  const tokens: string[] = new Array<string>(citizens);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < citizens) {
      const i = next++;
      tokens[i] = (await login(url, from + i)).pmToken;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return tokens;
}

export interface PiccoPgOptions { workers?: number; connections?: number; seconds: number; citizens?: number; profileDir?: string; panBase?: number }

/** `picco serve --db <db>` (one process on core 1, or --workers N unpinned) under wrk card additions. */
export async function piccoPgCards(db: TestDatabase, o: PiccoPgOptions): Promise<PiccoPgResult> {
  const workers = o.workers ?? 1;
  const env: Record<string, string> = { PICCO_ADMISSION: 'off' };
  // One process: pinned to core 1, wrk on core 0. N workers: the kernel places them (there
  // are only 2 cores), wrk stays on core 0.
  const args = ['--db', db.url, ...(workers > 1 ? ['--workers', String(workers)] : [])];
  const srv = await startServer(args, env, 60_000, workers > 1 ? [] : ['taskset', '-c', String(TARGET_CPU)],
    o.profileDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : []);
  try {
    const tokens = await pmTokens(srv.url, o.citizens ?? 2000, 100_000 + (o.panBase ?? 0));
    const before = await countCards(db);
    // A short warm-up (JIT, pool connections, prepared statements), then the measured run.
    await runWrkCards({ url: srv.url, tokens, connections: o.connections ?? 32, durationS: 2, wrap: ['taskset', '-c', String(GEN_CPU)],
      panBase: (o.panBase ?? 0) * 1_000_000 + 500_000 });
    const mid = await countCards(db);
    const cpu0 = cpuSeconds(srv.child.pid);
    const split0 = cpuSplit(srv.child.pid);
    const r = await runWrkCards({ url: srv.url, tokens, connections: o.connections ?? 32, durationS: o.seconds,
      wrap: ['taskset', '-c', String(GEN_CPU)], panBase: (o.panBase ?? 0) * 1_000_000 });
    const cpu1 = cpuSeconds(srv.child.pid);
    const stored = (await countCards(db)) - mid;
    void before;
    const ok = r.statuses['200'] ?? 0;
    const res: PiccoPgResult = { rate: ok / r.durationS, p99Ms: r.latencyMs.p99, p50Ms: r.latencyMs.p50, non200: r.requests - ok, stored, workers };
    if (process.env['PICCO_BENCH_PG_DEBUG'] === '1') process.stdout.write(`  cpu user/sys/oncpu/runqueue-wait: ${JSON.stringify([split0, cpuSplit(srv.child.pid)])}\n`);
    if (workers === 1 && cpu0 !== undefined && cpu1 !== undefined && ok > 0) {
      res.cpuUsPerCard = ((cpu1 - cpu0) * 1e6) / ok;
      res.cpuShare = (cpu1 - cpu0) / r.durationS;
    }
    return res;
  } finally {
    await srv.stop();
    if (process.env['PICCO_BENCH_PG_DEBUG'] === '1') process.stdout.write(srv.output().split('\n').slice(-12).join('\n'));
  }
}

async function countCards(db: TestDatabase): Promise<number> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM wallets')).rows[0]?.n ?? 0);
  } finally {
    await c.end();
  }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Prints the PostgreSQL rows (pgbench = 1, picco serve --db postgres, ratio) in one run. */
export async function runPostgresRows(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const seconds = quick ? 5 : 10;
  let db: TestDatabase;
  try {
    db = await createTestDatabase('picco_bench_pg');
  } catch (err) {
    out(`skipped: PostgreSQL at 127.0.0.1:5432 is not reachable: ${(err as Error).message.slice(0, 200)}`);
    return;
  }
  try {
    const a = await pgbenchUpserts(db, 32, seconds);
    out(`pgbench, durable single-row INSERT ... ON CONFLICT DO NOTHING, 32 clients, ${seconds} s: ${fmt(a.tps)} tx/s (avg ${a.latencyMs} ms)  = 1`);
    const p = await piccoPgCards(db, { seconds, ...(process.env['PICCO_BENCH_PG_PROFILE'] ? { profileDir: process.env['PICCO_BENCH_PG_PROFILE'] } : {}) });
    const b = await pgbenchUpserts(db, 32, seconds);
    const ref = (a.tps + b.tps) / 2;
    out(`pgbench again: ${fmt(b.tps)} tx/s; reference (mean) ${fmt(ref)} tx/s`);
    out(`picco serve --db postgres (1 process, core 1), POST /v1/wallet/cc, 2,000 citizens, wrk -c32 ${seconds} s: ` +
      `${fmt(p.rate)} cards/s, p50 ${p.p50Ms.toFixed(1)} ms, p99 ${p.p99Ms.toFixed(1)} ms, non-200 ${p.non200}, rows stored ${p.stored}` +
      (p.cpuUsPerCard !== undefined ? `, server ${Math.round(p.cpuUsPerCard)} µs CPU/card (${Math.round((p.cpuShare ?? 0) * 100)} % of a core)` : '') +
      `  = ${(p.rate / ref).toFixed(2)} x pgbench (goal >= 0.6)`);
    const spec = process.env['PICCO_BENCH_PG_WORKERS'];
    if (spec !== undefined && spec !== '') {
      const points: { n: number; x: number }[] = [];
      for (const n of spec.split(',').map(Number).filter((x) => x >= 1)) {
        const w = await piccoPgCards(db, { seconds, workers: n, panBase: 10 + n });
        points.push({ n, x: w.rate });
        out(`picco serve --db postgres --workers ${n} (unpinned), same load: ${fmt(w.rate)} cards/s (${fmt(w.rate / n)} per worker), ` +
          `p99 ${w.p99Ms.toFixed(1)} ms, non-200 ${w.non200}`);
      }
      const pg2 = await pgbenchUpserts(db, 32, seconds);
      out(`pgbench after the worker runs: ${fmt(pg2.tps)} tx/s`);
      projectWorkers(points, p.rate);
    }
  } finally {
    await db.drop();
  }
}

/**
 * What the USL says from N = 1, 2 (and the pinned single process): harness/capacity/usl.ts
 * refuses a fit on fewer than 3 instance counts, and says so; with two counts only the
 * contention σ is identified if coherency κ is taken as 0 (Amdahl), which is printed as the
 * optimistic bound, with what N = 4 and 8 would have to show on a bigger box to confirm it.
 */
function projectWorkers(points: { n: number; x: number }[], single: number): void {
  try {
    const f = fitUsl([...points, { n: 1, x: single }]);
    out(`USL fit: λ ${fmt(f.lambda)}/s, σ ${f.sigma.toFixed(3)}, κ ${f.kappa.toExponential(2)}, peak ${f.peakN.toFixed(1)} workers`);
  } catch (err) {
    out(`USL fit: ${(err as Error).message}`);
  }
  const mean = (n: number): number | undefined => {
    const xs = points.filter((q) => q.n === n).map((q) => q.x);
    return xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const x1 = mean(1);
  const x2 = mean(2);
  if (x1 === undefined || x2 === undefined || x2 <= 0) return;
  // X(2) = 2λ / (1 + σ) with κ = 0  →  σ = 2λ / X(2) − 1 (clamped to [0, 1]).
  const sigma = Math.min(1, Math.max(0, (2 * x1) / x2 - 1));
  const fit = { lambda: x1, sigma, kappa: 0 };
  const proj = [4, 8, 16].map((n) => `X(${n}) ${fmt(uslX(n, fit))}/s`).join(', ');
  out(`USL from N = 1, 2 with κ = 0 (optimistic): λ ${fmt(x1)}/s, σ ${sigma.toFixed(3)} → ${proj}; ceiling λ/σ ${sigma > 0 ? fmt(x1 / sigma) : '∞'}/s`);
  out(`  a box with more cores confirms it only if N = 4 holds ≥ ${fmt(uslX(4, fit))}/s and N = 8 ≥ ${fmt(uslX(8, fit))}/s` +
    ' (any shortfall is κ > 0: measure N = 1, 2, 4, 8 there and fit all four)');
}

export async function run(args: string[]): Promise<void> {
  await runPostgresRows(args);
}
