/**
 * The PostgreSQL rows of `npm run bench -- server`: pgbench's durable single-row upserts (the
 * `1`), `picco serve --db postgres://...` (one process, core 1) durable card additions, pgbench
 * again; the ratio is against the mean of the two pgbench runs around the picco run(s), so drift
 * of the shared box during the row shows. With `--compare=DIR`, DIR's server and this checkout's
 * run twice each, A B B A, between the same two pgbench runs. Skipped, saying why, when PostgreSQL is not there.
 * The server runs as `picco serve` does by default (admission control and the per-token limits
 * on), as the SQLite row.
 */
import { createTestDatabase, type TestDatabase } from '../../test/resilience/pg-database.ts';
import { describeCards, fmt, pgbenchUpserts, piccoPgCards, PG_CITIZENS, type PiccoPgResult } from './postgres.ts';
import type { Build, Row, RowFn } from './row.ts';

export const postgresCards: RowFn = async (ctx) => {
  let db: TestDatabase;
  try {
    db = await createTestDatabase('picco_bench_pg');
  } catch (err) {
    return { what: 'PostgreSQL rows', figure: `skipped: PostgreSQL at 127.0.0.1:5432 not reachable (${(err as Error).message.slice(0, 120)})`, ratio: '' };
  }
  try {
    const a = await pgbenchUpserts(db, ctx.connections, ctx.seconds);
    ctx.log(`  pgbench: ${fmt(a.tps)} tx/s, latency avg ${a.latencyMs} ms`);
    // Each build in turn, on the same database (runIndex keeps their citizens and PANs apart).
    // With --compare, in the order A B B A, so the drift of a shared box during the row falls on
    // both builds alike; each build's figure is then the mean of its two runs.
    const order = ctx.builds.length > 1 ? [...ctx.builds, ...[...ctx.builds].reverse()] : ctx.builds;
    const runs = new Map<Build, PiccoPgResult[]>();
    for (const [i, b] of order.entries()) {
      const p = await piccoPgCards(db, { seconds: ctx.seconds, connections: ctx.connections, runIndex: i, ...(b.bin !== undefined ? { bin: b.bin } : {}) });
      ctx.log(`  picco serve --db postgres${b.label}: ${describeCards(p)}; ${p.stored} rows stored`);
      runs.set(b, [...(runs.get(b) ?? []), p]);
    }
    const b = await pgbenchUpserts(db, ctx.connections, ctx.seconds);
    ctx.log(`  pgbench again: ${fmt(b.tps)} tx/s`);
    const ref = (a.tps + b.tps) / 2;
    ctx.baselines.set('pgbench', ref);
    const rows: Row[] = [
      { what: `pgbench, one durable single-row \`INSERT ... ON CONFLICT DO NOTHING\` per transaction, ${ctx.connections} clients (before, after)`,
        figure: `${fmt(a.tps)}/s, ${fmt(b.tps)}/s (mean ${fmt(ref)}/s)`, ratio: '1' },
      ...[...runs].map(([build, ps]) => {
        const rate = ps.reduce((t, p) => t + p.rate, 0) / ps.length;
        return {
          what: `\`picco serve --db postgres://...\`${build.label} (one process), POST /pp-restapi-CD/v1/wallet/cc, durable (wrk -c${ctx.connections}, ${PG_CITIZENS} citizens)`,
          figure: ps.map(describeCards).join(' / ') + (ps.length > 1 ? ` (mean ${fmt(rate)}/s)` : ''),
          ratio: `${(rate / ref).toFixed(2)} x pgbench`,
        };
      }),
    ];
    return rows;
  } finally {
    await db.drop();
  }
};
