/**
 * The PostgreSQL measurements of the server bench, on one box in one run:
 * - pgbench: one durable single-row `INSERT ... ON CONFLICT DO NOTHING` per transaction, 32
 *   clients, prepared, pinned to core 0 (PostgreSQL itself is not pinned: it is the box's);
 * - `picco serve --db postgres://...`: one process pinned to core 1 (or `--workers N`, placed by
 *   the kernel), durable POST /pp-restapi-CD/v1/wallet/cc from wrk on core 0, 32 connections,
 *   unique Luhn-valid PANs spread over 2,000 citizens logged in beforehand (each far under the
 *   per-token write limit, which stays on, and counts every write in PostgreSQL).
 * Both write with synchronous_commit=on: a 200 (or a pgbench commit) is on disk. Each server run
 * uses a fresh database, dropped afterwards.
 *
 * @example
 * const db = await createTestDatabase('picco_bench_pg'); const r = await pgbenchUpserts(db, 32, 10);
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { GEN_CPU, sh, TARGET_CPU } from '../lib.ts';
import { runWrkCards } from '../server-wrk.ts';
import { tokensFor } from '../server-surge.ts';
import { startServer } from '../../test/resilience/server-process.ts';
import type { TestDatabase } from '../../test/resilience/pg-database.ts';
import { fitUsl, uslX } from '../../harness/capacity/usl.ts';
import { topSelf } from './profile.ts';

export const PG_CITIZENS = 2000;

export interface PgbenchResult { tps: number; latencyMs: number }

/** pgbench with a custom script: one durable single-row upsert per transaction, pinned to core 0. */
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
  rate: number; p50Ms: number; p99Ms: number; statuses: Record<string, number>; stored: number; workers: number;
  /** One process only: CPU it used per card answered 200, and its share of a core, in the measured window. */
  cpuUsPerCard?: number;
  cpuShare?: number;
  /** One process only: share of the window it was runnable but waiting for a CPU (/proc schedstat). */
  runQueueShare?: number;
  /** PostgreSQL's CPU (every postgres process of the box) per card answered 200, in the measured window. */
  pgCpuUsPerCard?: number;
  /** With a profile: the top functions by self time in the measured window. */
  top?: { share: number; name: string }[];
}

/** [CPU seconds (utime + stime), seconds waiting on a run queue] of a process (Linux /proc). */
function cpuOf(pid: number | undefined): [number, number] | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const st = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return [(Number(f[11]) + Number(f[12])) / 100, st[1]! / 1e9];
  } catch {
    return undefined;
  }
}

/** CPU seconds (utime + stime) of every `postgres` process on the box (Linux /proc). */
function postgresCpu(): number {
  let t = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      t += (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // a process that ended meanwhile
    }
  }
  return t;
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

export interface PiccoPgOptions {
  seconds: number;
  connections?: number;
  workers?: number;
  /** Offset of this run's citizens and PANs, so runs on one database never collide. */
  runIndex?: number;
  /** Environment for the server (e.g. PICCO_ADMISSION=off). */
  env?: Record<string, string>;
  profile?: boolean;
  /** Another checkout's bin/picco.js (default this one's). */
  bin?: string;
}

/** `picco serve --db <db>` under wrk card additions: one process on core 1, or --workers N unpinned. */
export async function piccoPgCards(db: TestDatabase, o: PiccoPgOptions): Promise<PiccoPgResult> {
  const workers = o.workers ?? 1;
  const run = o.runIndex ?? 0;
  const dir = o.profile === true ? mkdtempSync(join(tmpdir(), 'picco-pg-profile-')) : undefined;
  const spawnedAt = performance.now();
  const srv = await startServer(['--db', db.url, ...(workers > 1 ? ['--workers', String(workers)] : [])], o.env ?? {}, 60_000,
    workers > 1 ? [] : ['taskset', '-c', String(TARGET_CPU)], dir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', dir] : [],
    ...(o.bin !== undefined ? [o.bin] : []));
  let from = 0;
  let to = 0;
  let res: PiccoPgResult;
  try {
    const tokens = await tokensFor(srv.url, PG_CITIZENS, 7_100_000 + run * 10_000);
    const wrap = ['taskset', '-c', String(GEN_CPU)];
    const connections = o.connections ?? 32;
    // JIT, the pool's connections and the prepared statements warm up first.
    await runWrkCards({ url: srv.url, tokens, connections, durationS: 2, wrap, panBase: run * 20_000_000 + 10_000_000 });
    const before = await countCards(db);
    const c0 = cpuOf(srv.child.pid);
    const pg0 = postgresCpu();
    from = performance.now();
    const w = await runWrkCards({ url: srv.url, tokens, connections, durationS: o.seconds, wrap, panBase: run * 20_000_000 });
    to = performance.now();
    const c1 = cpuOf(srv.child.pid);
    const pg1 = postgresCpu();
    const ok = w.statuses['200'] ?? 0;
    res = { rate: ok / w.durationS, p50Ms: w.latencyMs.p50, p99Ms: w.latencyMs.p99, statuses: w.statuses,
      stored: (await countCards(db)) - before, workers, ...(ok > 0 ? { pgCpuUsPerCard: ((pg1 - pg0) * 1e6) / ok } : {}) };
    if (workers === 1 && c0 !== undefined && c1 !== undefined && ok > 0) {
      res.cpuUsPerCard = ((c1[0] - c0[0]) * 1e6) / ok;
      res.cpuShare = (c1[0] - c0[0]) / w.durationS;
      res.runQueueShare = (c1[1] - c0[1]) / w.durationS;
    }
  } finally {
    await srv.stop();
  }
  if (dir !== undefined) {
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file !== undefined) {
      const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Parameters<typeof topSelf>[0];
      res.top = topSelf(p, (from - spawnedAt) * 1000, (to - spawnedAt) * 1000, 20);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return res;
}

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** `rate/s, p99 ...; CPU` for a table cell. */
export function describeCards(p: PiccoPgResult): string {
  const other = Object.entries(p.statuses).filter(([s]) => s !== '200').map(([s, n]) => `${s}: ${n}`).join(', ');
  const cpu = p.cpuUsPerCard === undefined ? ''
    : `; ${fmt(p.cpuUsPerCard)} µs server CPU per card, ${Math.round((p.cpuShare ?? 0) * 100)} % of a core used, ` +
      `${Math.round((p.runQueueShare ?? 0) * 100)} % of the time runnable but waiting for it`;
  const pgCpu = p.pgCpuUsPerCard === undefined ? '' : `; PostgreSQL ${fmt(p.pgCpuUsPerCard)} µs CPU per card`;
  return `${fmt(p.rate)}/s, p99 ${p.p99Ms.toFixed(1)} ms${other === '' ? '' : ` (other statuses ${other})`}${cpu}${pgCpu}`;
}

/**
 * What the USL says from N = 1, 2 (and the pinned single process). harness/capacity/usl.ts
 * refuses a fit on fewer than 3 instance counts, and that is printed; with two counts only the
 * contention σ is identified if coherency κ is taken as 0 (Amdahl): printed as the optimistic
 * bound, with what N = 4 and 8 would have to show on a bigger box to confirm it.
 */
export function projectWorkers(points: { n: number; x: number }[], single: number | undefined, log: (s: string) => void): void {
  try {
    const f = fitUsl(single === undefined ? points : [...points, { n: 1, x: single }]);
    log(`USL fit: λ ${fmt(f.lambda)}/s, σ ${f.sigma.toFixed(3)}, κ ${f.kappa.toExponential(2)}, peak ${f.peakN.toFixed(1)} workers`);
  } catch (err) {
    log(`USL fit (harness/capacity/usl.ts): ${(err as Error).message}`);
  }
  const mean = (n: number): number | undefined => {
    const xs = points.filter((q) => q.n === n).map((q) => q.x);
    return xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const x1 = mean(1);
  const x2 = mean(2);
  if (x1 === undefined || x2 === undefined || x2 <= 0) return;
  if (x2 <= x1) {
    log(`X(2) ${fmt(x2)}/s ≤ X(1) ${fmt(x1)}/s: no scale-up measured here (the box's cores were already busy with PostgreSQL, wrk` +
      ' and its neighbours), so there is nothing to project; measure N = 1, 2, 4, 8 on a box with cores to spare');
    return;
  }
  // X(2) = 2λ / (1 + σ) with κ = 0  →  σ = 2λ / X(2) − 1 (clamped to [0, 1]).
  const sigma = Math.min(1, Math.max(0, (2 * x1) / x2 - 1));
  const fit = { lambda: x1, sigma, kappa: 0 };
  const proj = [4, 8, 16].map((n) => `X(${n}) ${fmt(uslX(n, fit))}/s`).join(', ');
  log(`USL from N = 1, 2 with κ = 0 (the optimistic bound): λ ${fmt(x1)}/s, σ ${sigma.toFixed(3)} → ${proj}; ceiling λ/σ ${sigma > 0 ? fmt(x1 / sigma) : '∞'}/s`);
  log(`a box with more cores confirms it only if N = 4 holds ≥ ${fmt(uslX(4, fit))}/s and N = 8 ≥ ${fmt(uslX(8, fit))}/s` +
    ' (a shortfall is κ > 0: measure N = 1, 2, 4, 8 there and fit all four)');
}
