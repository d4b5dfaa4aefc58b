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
  /**
   * Measures the bare Hono GET route again, now (set by the bareHono row, whose app stays up, idle,
   * until the table is done): `bracketed` calls it right before and right after a row.
   */
  probeHono?: () => Promise<{ rate: number; cpuUsPerRequest: number }>;
  /** The bare Hono POST of the card body, measured again now (set by the bareHono row, as `probeHono`). */
  probeHonoPost?: () => Promise<{ rate: number; cpuUsPerRequest: number }>;
  /** Run when the table is done (stops processes a row left up for later rows). */
  cleanups: (() => Promise<void>)[];
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

/**
 * Runs `measure` between two fresh measurements of the bare Hono GET route and returns, beside its
 * value, a context whose `hono` and `cpu-hono` baselines are their means, for the row's ratios:
 * the `1` of a ratio is then taken seconds before and after its row, not minutes earlier. On this
 * shared box the route's own rate moves by a third from one minute to another (19,000-34,000 rps
 * in one afternoon), which a table-wide baseline passes on to every ratio. Without a probe (the
 * bareHono row not in the table) the context is the table's, as before.
 */
export async function bracketed<T>(ctx: RowContext, measure: () => Promise<T>): Promise<{ value: T; ctx: RowContext; bracket: string }> {
  if (ctx.probeHono === undefined) return { value: await measure(), ctx, bracket: '' };
  const before = await ctx.probeHono();
  const value = await measure();
  const after = await ctx.probeHono();
  const baselines = new Map(ctx.baselines);
  baselines.set('hono', (before.rate + after.rate) / 2);
  baselines.set('cpu-hono', (before.cpuUsPerRequest + after.cpuUsPerRequest) / 2);
  ctx.log(`  bare Hono around it: ${Math.round(before.rate)} then ${Math.round(after.rate)} rps, ${before.cpuUsPerRequest} then ${after.cpuUsPerRequest} µs CPU/request`);
  return { value, ctx: { ...ctx, baselines }, bracket: `; bare Hono around it ${Math.round(before.rate)} / ${Math.round(after.rate)} rps` };
}
