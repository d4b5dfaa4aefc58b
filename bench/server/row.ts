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

/** A build of picco whose server the rows measure: this checkout, or another one given with --compare. */
export interface Build {
  /** Empty for this checkout; `(DIR)` for another. */
  label: string;
  /** bin/picco.js of that checkout (undefined: this one). */
  bin?: string;
}

export interface RowContext {
  /** This checkout first, then the one `--compare DIR` names (before/after in one run). */
  builds: Build[];
  seconds: number;
  connections: number;
  quick: boolean;
  /** Rates of the baseline rows measured so far in this run (e.g. `hono`, `pgbench`). */
  baselines: Map<string, number>;
  /** Progress and detail lines (probes, statuses), printed as they come. */
  log(line: string): void;
}

export type RowFn = (ctx: RowContext) => Promise<Row | Row[]>;

/**
 * A target's CPU per request over one measurement: rate and CPU are both noisy on a shared box,
 * but CPU µs per request barely depends on what the neighbours do, so it is printed beside each
 * rate and `cpu-<name>` baselines give a second ratio (per-core capacity).
 */
export async function measured<T extends { requests: number }>(cpuSeconds: () => number, run: () => Promise<T>): Promise<T & { cpuUsPerRequest: number }> {
  const c0 = cpuSeconds();
  const r = await run();
  const us = ((cpuSeconds() - c0) * 1e6) / Math.max(1, r.requests);
  return { ...r, cpuUsPerRequest: Math.round(us) };
}

/** `0.42 x bare Hono` when the baseline was measured, else `n/a (no <name>)`. */
export function ratioTo(ctx: RowContext, baseline: string, label: string, value: number): string {
  const b = ctx.baselines.get(baseline);
  return b === undefined || b <= 0 ? `n/a (no ${label})` : `${(value / b).toFixed(2)} x ${label}`;
}

/** `0.42 x bare Hono; per-core 0.45 x` (the second from CPU µs per request against the `cpu-<name>` baseline). */
export function ratiosTo(ctx: RowContext, baseline: string, label: string, rate: number, cpuUs: number): string {
  const rateRatio = ratioTo(ctx, baseline, label, rate);
  const b = ctx.baselines.get(`cpu-${baseline}`);
  return b === undefined || !(cpuUs > 0) ? rateRatio : `${rateRatio}; CPU per request ${(b / cpuUs).toFixed(2)} x`;
}
