/**
 * One row of the `server` bench table, and what every row function receives. A row is one
 * function (bench/server/rows.ts lists them in order): it measures one thing and returns its
 * figure; a row that is the `1` of later ratios stores its rate in `baselines` under its name.
 * Adding a row (say a PostgreSQL path against pgbench) is one file exporting a RowFn and one
 * line in rows.ts.
 *
 * @example
 * export const bareHono: RowFn = async (ctx) => { ...; ctx.baselines.set('hono', rps); return { what, figure, ratio: '1' }; };
 */
export interface Row {
  what: string;
  figure: string;
  /** `1` for a baseline, `0.42 x bare Hono` for the others; empty when there is nothing to divide. */
  ratio: string;
}

export interface RowContext {
  seconds: number;
  connections: number;
  quick: boolean;
  /** Rates of the baseline rows measured so far in this run (e.g. `hono`, `pgbench`). */
  baselines: Map<string, number>;
  /** Progress and detail lines (probes, statuses), printed as they come. */
  log(line: string): void;
}

export type RowFn = (ctx: RowContext) => Promise<Row | Row[]>;

/** `0.42 x bare Hono` when the baseline was measured, else `n/a (no <name>)`. */
export function ratioTo(ctx: RowContext, baseline: string, label: string, value: number): string {
  const b = ctx.baselines.get(baseline);
  return b === undefined || b <= 0 ? `n/a (no ${label})` : `${(value / b).toFixed(2)} x ${label}`;
}
