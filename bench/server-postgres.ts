/**
 * `npm run bench -- server-postgres [--quick] [--workers=1,2] [--profile] [--compare=DIR]`: the
 * PostgreSQL rows of the server table alone (pgbench durable upserts = 1, `picco serve --db
 * postgres` card additions, ratio; with `--compare=DIR` DIR's server too, between the same two
 * pgbench runs), then optionally `--workers N` (per-worker throughput, placed by the kernel; the
 * box has 2 cores shared with PostgreSQL and wrk) with the USL projection, and a CPU profile of
 * the single process (top functions by self time in the measured window). Admission control is
 * on, as `picco serve` runs by default; PICCO_ADMISSION=off in the environment measures without it.
 * The box is shared: figures are noisy, the ratios within one run are what to read.
 */
import { join, resolve } from 'node:path';
import { createTestDatabase } from '../test/resilience/pg-database.ts';
import { postgresCards } from './server/postgres-rows.ts';
import { describeCards, fmt, pgbenchUpserts, piccoPgCards, projectWorkers } from './server/postgres.ts';
import type { Row } from './server/row.ts';

const out = (s: string): void => {
  process.stdout.write(`  ${s}\n`);
};

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const seconds = quick ? 5 : 10;
  const env: Record<string, string> = process.env['PICCO_ADMISSION'] === 'off' ? { PICCO_ADMISSION: 'off' } : {};
  const other = args.find((a) => a.startsWith('--compare='))?.slice('--compare='.length);
  const builds = [{ label: '' }, ...(other !== undefined ? [{ label: ` (${other})`, bin: join(resolve(other), 'bin', 'picco.js') }] : [])];
  const ctx = { quick, seconds, connections: 32, baselines: new Map<string, number>(), cleanups: [], builds, log: out };
  const r = await postgresCards(ctx);
  for (const row of Array.isArray(r) ? r : [r]) out(`| ${row.what} | ${row.figure} | ${row.ratio} |`);
  const single = Array.isArray(r) && r[1] !== undefined ? Number(/^([\d,]+)\/s/.exec(r[1].figure)?.[1]?.replace(/,/g, '')) : undefined;
  const wi = args.findIndex((a) => a.startsWith('--workers'));
  const spec = wi < 0 ? '' : args[wi]!.includes('=') ? args[wi]!.split('=')[1]! : '1,2';
  if (spec === '' && !args.includes('--profile')) return;
  const db = await createTestDatabase('picco_bench_pg');
  try {
    if (args.includes('--profile')) {
      const p = await piccoPgCards(db, { seconds, env, profile: true, runIndex: 9 });
      out(`profile of one process under the same load: ${describeCards(p)}`);
      for (const x of p.top ?? []) out(`${(100 * x.share).toFixed(1).padStart(5)} %  ${x.name}`);
    }
    if (spec !== '') {
      const points: { n: number; x: number }[] = [];
      const rows: Row[] = [];
      for (const [i, n] of spec.split(',').map(Number).filter((x) => x >= 1).entries()) {
        const w = await piccoPgCards(db, { seconds, env, workers: n, runIndex: 1 + i });
        points.push({ n, x: w.rate });
        rows.push({ what: `\`picco serve --db postgres --workers ${n}\` (placed by the kernel), same load`, figure: describeCards(w), ratio: `${fmt(w.rate / n)}/s per worker` });
        out(`--workers ${n}: ${describeCards(w)}, ${fmt(w.rate / n)}/s per worker`);
      }
      const after = await pgbenchUpserts(db, 32, seconds);
      out(`pgbench after the worker runs: ${fmt(after.tps)} tx/s`);
      for (const row of rows) out(`| ${row.what} | ${row.figure} | ${row.ratio} |`);
      projectWorkers(points, single !== undefined && Number.isFinite(single) ? single : undefined, out);
    }
  } finally {
    await db.drop();
  }
}
