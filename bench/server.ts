/**
 * `npm run bench -- server [--quick] [--seconds=N] [--connections=N] [--compare=DIR] [--rows=NAME,...]`: the reference server's
 * per-core cost as a table, every row measured in this run, target on core 1, generator on
 * core 0: a bare Hono JSON GET route (= 1), the same routes on node:http alone, `picco serve`
 * GET /info, the SQLite store alone, durable SQLite card additions (rate, p99, and an open-model
 * run at 80 % of it), what the card goal leaves a card once those floors are paid, and the
 * PostgreSQL rows against pgbench. Rows are functions listed in
 * bench/server/rows.ts; add one there to extend the table. The box is shared: figures are noisy,
 * the ratios (same run, same cores) are what to compare, and CPU µs per request (printed beside
 * every rate) the least noisy of all. The picco rows' ratios to bare Hono divide by the bare route
 * measured right before and right after each of them (bracketed, bench/server/row.ts).
 * `--compare=DIR` adds the picco rows of another checkout (DIR/bin/picco.js, e.g. `git worktree
 * add DIR main` with node_modules linked): before and after in one run, each picco row measured
 * A B B A (this checkout, DIR, DIR, this checkout).
 */
import { join, resolve } from 'node:path';
import { ROWS } from './server/rows.ts';
import type { Row, RowContext } from './server/row.ts';

const out = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

// bench/index.ts passes a section only its `-` arguments: values come as `--name=value`.
const value = (args: string[], name: string): string | undefined =>
  args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
const flag = (args: string[], name: string): number | undefined => {
  const v = Number(value(args, name));
  return Number.isFinite(v) && v > 0 ? v : undefined;
};

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const other = value(args, '--compare');
  const ctx: RowContext = {
    builds: [{ label: '' }, ...(other !== undefined ? [{ label: ` (${other})`, bin: join(resolve(other), 'bin', 'picco.js') }] : [])],
    quick,
    seconds: flag(args, '--seconds') ?? (quick ? 5 : 10),
    connections: flag(args, '--connections') ?? 32,
    baselines: new Map(),
    cleanups: [],
    log: out,
  };
  out(`  ${ctx.seconds} s per measurement, ${ctx.connections} connections; target on core 1, generator on core 0`);
  // --rows=bareHono,piccoInfo: only those row functions (by name; the baselines they divide by too).
  const only = value(args, '--rows')?.split(',');
  const rows: Row[] = [];
  try {
    for (const fn of ROWS.filter((f) => only === undefined || only.includes(f.name))) {
      try {
        const r = await fn(ctx);
        rows.push(...(Array.isArray(r) ? r : [r]));
      } catch (err) {
        rows.push({ what: fn.name, figure: `failed: ${(err as Error).message.slice(0, 200)}`, ratio: '' });
      }
    }
  } finally {
    for (const stop of ctx.cleanups.splice(0)) await stop();
  }
  out('');
  out('| what | figure | ratio |');
  out('|---|---|---|');
  for (const r of rows) out(`| ${r.what} | ${r.figure} | ${r.ratio} |`);
}
