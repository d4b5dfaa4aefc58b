/**
 * The rows of `npm run bench -- server` about one reference-server process on one core:
 * the bare Hono route (the `1`), `picco serve` GET /info, and durable SQLite card additions
 * (closed loop with wrk for the rate, then an open-model run with picco's engine at 80 % of it
 * for the p99 from the intended start). Loads come from the generator core, 32 connections.
 *
 * Card additions are spread over 2,000 citizens logged in beforehand (each far under the
 * per-token write limit, as real traffic is) with a PAN never sent before per request.
 */
import { GEN_CPU, runWrk } from '../lib.ts';
import { runWrkCards } from '../server-wrk.ts';
import { piccoRun, scenarioFile, tokensFor, type Summary } from '../server-surge.ts';
import { bracketed, measured, ratiosTo, type Build, type Row, type RowContext, type RowFn } from './row.ts';
import { startBareHono, startPiccoServe, type Target } from './processes.ts';

const CARD = 'POST /v1/wallet/cc';
const CITIZENS = 2000;
/** The open-model row's ramp from 0 before the measured window (the engine's code and connections warm up). */
const RAMP_S = 3;

/**
 * Whether an open-model run measured the target over the window after `rampS`: valid if the
 * engine found it valid, or if the only thing it flagged is its own delay in seconds of the ramp
 * (JIT compilation and connection set-up share the engine's one core in the first seconds).
 */
export function measuredWindowValidity(s: Summary, rampS: number): { valid: boolean; note: string } {
  if (s.valid) return { valid: true, note: '' };
  const reasons = s.invalidReasons ?? [];
  const late = s.generator?.perSecond?.lateSeconds ?? [];
  const onlyDelay = reasons.length === 1 && reasons[0]!.startsWith("the generator's own delay");
  const inRamp = late.length > 0 && late.every((l) => l.t < rampS);
  return onlyDelay && inRamp
    ? { valid: true, note: `valid over the measured window (the engine flagged only its own delay in second${late.length > 1 ? 's' : ''} ${late.map((l) => l.t).join(', ')} of the ramp)` }
    : { valid: false, note: 'run invalid' };
}

/** Made-up tokens for the bare apps, which check none; wrk's command prefix pinning it to the generator core. */
const BARE_TOKENS = Array.from({ length: CITIZENS }, (_, i) => `bare${i}`);
const ON_GENERATOR = ['taskset', '-c', String(GEN_CPU)];

/**
 * Card-body POSTs from wrk (the generator core, 2,000 made-up tokens) against a bare app with no
 * storage or auth: the rate answered 200 and the app's CPU a request. Each call sends PANs of its
 * own range (`run` numbers it).
 */
export async function measureCardPost(t: Target, ctx: RowContext, run: number): Promise<{ rate: number; cpuUsPerRequest: number }> {
  const p = await measured(t.cpuSeconds, () => runWrkCards({ url: t.url, tokens: BARE_TOKENS, connections: ctx.connections, durationS: ctx.seconds,
    wrap: ON_GENERATOR, panBase: 100_000_000 + 10_000_000 * run }));
  return { rate: (p.statuses['200'] ?? 0) / p.durationS, cpuUsPerRequest: p.cpuUsPerRequest };
}

/** A JIT warm-up of the card POST on a bare app: 2 s of it, not measured. */
export async function warmCardPost(t: Target, ctx: RowContext): Promise<void> {
  await runWrkCards({ url: t.url, tokens: BARE_TOKENS, connections: ctx.connections, durationS: 2, wrap: ON_GENERATOR, panBase: 0 });
}

/**
 * wrk against the bare Hono app: GET, the best of a run before and a run after a short pause
 * (drift on a shared box), then POST (the floor of a JSON write: the card request, no work).
 */
export const bareHono: RowFn = async (ctx) => {
  const t = await startBareHono();
  let keep = false;
  try {
    await runWrk(`${t.url}/info`, 2, ctx.connections); // JIT warm-up
    const a = await measured(t.cpuSeconds, () => runWrk(`${t.url}/info`, ctx.seconds, ctx.connections));
    const b = await measured(t.cpuSeconds, () => runWrk(`${t.url}/info`, ctx.seconds, ctx.connections));
    const rps = Math.max(a.rate, b.rate);
    const us = Math.min(a.cpuUsPerRequest, b.cpuUsPerRequest);
    ctx.log(`  bare Hono: ${Math.round(a.rate)} then ${Math.round(b.rate)} req/s, ${a.cpuUsPerRequest} then ${b.cpuUsPerRequest} µs CPU/request`);
    ctx.baselines.set('hono', rps);
    ctx.baselines.set('cpu-hono', us);
    await warmCardPost(t, ctx);
    let posts = 0;
    const p = await measureCardPost(t, ctx, posts++);
    const postRate = p.rate;
    ctx.log(`  bare Hono POST: ${Math.round(postRate)} req/s, ${p.cpuUsPerRequest} µs CPU/request`);
    ctx.baselines.set('hono-post', postRate);
    ctx.baselines.set('cpu-hono-post', p.cpuUsPerRequest);
    // The app stays up, idle, for the later rows' brackets (see bracketed in row.ts).
    ctx.probeHono = () => measured(t.cpuSeconds, () => runWrk(`${t.url}/info`, ctx.seconds, ctx.connections));
    ctx.probeHonoPost = () => measureCardPost(t, ctx, posts++);
    ctx.cleanups.push(() => t.stop());
    keep = true;
    return [{ what: `bare Hono app on @hono/node-server, one JSON GET route (wrk -c${ctx.connections})`,
      figure: `${Math.round(rps)} rps, ${us} µs CPU/request`, ratio: '1' },
    { what: 'bare Hono app, POST of the card body at the card path: JSON parsed, a wallet of the same shape answered; no validation, storage or auth',
      figure: `${Math.round(postRate)} rps, ${p.cpuUsPerRequest} µs CPU/request`, ratio: ratiosTo(ctx, 'hono', 'bare Hono', postRate, p.cpuUsPerRequest) }];
  } finally {
    if (!keep) await t.stop();
  }
};

/**
 * The rows of each build: this checkout's alone, or with --compare A B B A (this checkout, the
 * other, the other, this one), so a shared box's drift during the row falls on both builds alike
 * rather than on whichever ran first.
 */
const perBuild = (name: string, one: (ctx: RowContext, b: Build) => Promise<Row[]>): RowFn => {
  const fn: RowFn = async (ctx) => {
    const rows: Row[] = [];
    for (const b of ctx.builds.length > 1 ? [...ctx.builds, ...[...ctx.builds].reverse()] : ctx.builds) {
      try {
        rows.push(...(await one(ctx, b)));
      } catch (err) {
        rows.push({ what: `${name}${b.label}`, figure: `failed: ${(err as Error).message.slice(0, 200)}`, ratio: '' });
      }
    }
    return rows;
  };
  // The name --rows selects it by (see bench/server.ts).
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
};

export const piccoInfo: RowFn = perBuild('piccoInfo', async (ctx, build) => {
  const t = await startPiccoServe({}, [], build.bin);
  try {
    await runWrk(`${t.url}/info`, 2, ctx.connections);
    const { value: r, ctx: around, bracket } = await bracketed(ctx, () => measured(t.cpuSeconds, () => runWrk(`${t.url}/info`, ctx.seconds, ctx.connections)));
    return [{ what: `\`picco serve\` GET /info${build.label}`, figure: `${Math.round(r.rate)} rps, ${r.cpuUsPerRequest} µs CPU/request${bracket}`,
      ratio: ratiosTo(around, 'hono', 'bare Hono', r.rate, r.cpuUsPerRequest) }];
  } finally {
    await t.stop();
  }
});

export const sqliteCards: RowFn = perBuild('sqliteCards', async (ctx, build) => {
  const t = await startPiccoServe({}, [], build.bin);
  try {
    const t0 = Date.now();
    const tokens = await tokensFor(t.url, CITIZENS, 5_100_000);
    ctx.log(`  ${CITIZENS} citizens logged in in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await runWrkCards({ url: t.url, tokens, connections: ctx.connections, durationS: 2, wrap: ON_GENERATOR, panBase: 0 }); // JIT warm-up
    const { value: w, ctx: around, bracket } = await bracketed(ctx, () => measured(t.cpuSeconds, () =>
      runWrkCards({ url: t.url, tokens, connections: ctx.connections, durationS: ctx.seconds, wrap: ON_GENERATOR, panBase: 100_000_000 })));
    const ok = w.statuses['200'] ?? 0;
    const rate = ok / w.durationS;
    const other = Object.entries(w.statuses).filter(([s]) => s !== '200').map(([s, n]) => `${s}: ${n}`).join(', ') || 'none';
    ctx.log(`  wrk -c${ctx.connections} card additions: ${Math.round(rate)}/s answered 200, p50 ${w.latencyMs.p50} ms, p99 ${w.latencyMs.p99} ms; other statuses ${other}`);
    if (build.bin === undefined) {
      // For the card budget row (floor-rows.ts): this checkout's CPU a card, and the bare routes
      // (GET around it, POST right after it) measured within seconds of it, as the box's speed drifts.
      ctx.baselines.set('cpu-card', w.cpuUsPerRequest);
      const hono = around.baselines.get('cpu-hono');
      if (hono !== undefined) ctx.baselines.set('cpu-hono-card', hono);
      if (ctx.probeHonoPost !== undefined) {
        const post = await ctx.probeHonoPost();
        ctx.log(`  bare Hono POST right after it: ${Math.round(post.rate)} rps, ${post.cpuUsPerRequest} µs CPU/request`);
        ctx.baselines.set('cpu-hono-post-card', post.cpuUsPerRequest);
      }
    }
    const closed: Row = {
      what: `\`picco serve\` POST /pp-restapi-CD/v1/wallet/cc, SQLite, durable (wrk -c${ctx.connections}, ${CITIZENS} citizens)${build.label}`,
      figure: `${Math.round(rate)}/s, p99 ${w.latencyMs.p99.toFixed(1)} ms (closed loop), ${w.cpuUsPerRequest} µs CPU/card${bracket}`,
      ratio: `${ratiosTo(around, 'hono', 'bare Hono', rate, w.cpuUsPerRequest)}; ${ratiosTo(around, 'hono-post', 'bare Hono POST', rate, w.cpuUsPerRequest)}`,
    };
    const openRate = Math.max(100, Math.floor((rate * 0.8) / 50) * 50);
    const openS = Math.max(10, ctx.seconds);
    const what = `same, open model at 80 % of that rate (picco's engine, a ${RAMP_S} s ramp from 0, then ${openS} s measured)${build.label}`;
    let open: Row;
    try {
      const file = scenarioFile({ rate: openRate, seconds: openS, tokens, panOffset: 700_000_000, rampS: RAMP_S });
      const s = await piccoRun([file, '--target', t.url], true);
      const e = s.endpoints[CARD];
      const p99 = e?.latencyMs['p99'] ?? Number.NaN;
      const ok200 = e?.status['200'] ?? 0;
      const share = e === undefined ? 0 : (100 * ok200) / Math.max(1, openRate * openS);
      const g = s.generator;
      const engine = `engine ${g?.cpuUsPerRequest ?? '?'} µs CPU/request, loop ${(g?.cpu ?? []).map((x) => `${Math.round(100 * x)} %`).join('/')} busy`;
      ctx.log(`  open model ${openRate}/s x ${openS} s after a ${RAMP_S} s ramp: statuses ${JSON.stringify(e?.status ?? {})}, p50 ${e?.latencyMs['p50']} ms, p99 ${p99} ms, dropped ${s.requests.dropped}, lag p99 ${g?.lagP99Ms} ms; ${engine}; ${s.valid ? 'valid' : `INVALID: ${(s.invalidReasons ?? []).join('; ')}`}`);
      // A run whose generator could not keep its schedule measured the generator, not the server.
      // The row's p99 is the measured stream's alone, so the seconds that judge it are its own:
      // a run the engine flagged only for seconds of the ramp is valid for the measured window.
      const window = measuredWindowValidity(s, RAMP_S);
      const verdict = !window.valid ? 'not measured: the generator fell behind (run invalid)' : p99 <= 50 && share >= 99 ? 'met' : 'missed';
      open = {
        what,
        figure: `${openRate}/s offered, ${share.toFixed(1)} % answered 200, p99 ${p99.toFixed(1)} ms from the intended start (generator lag p99 ${g?.lagP99Ms} ms, ${engine}${s.valid ? '' : window.valid ? `, ${window.note}` : ', run invalid'})`,
        ratio: `p99 <= 50 ms: ${verdict}`,
      };
    } catch (err) {
      open = { what, figure: `failed: ${(err as Error).message.slice(0, 200)}`, ratio: '' };
    }
    return [closed, open];
  } finally {
    await t.stop();
  }
});
