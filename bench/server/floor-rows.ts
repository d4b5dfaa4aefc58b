/**
 * The floors under a card addition, measured in the same run as the rows they explain:
 * - `bareNode`: the bare Hono app's two routes on node:http alone (bare-node-app.ts), so the table
 *   shows what of the `1` and of the bare POST is Node's HTTP and what is Hono with its adapter;
 * - `sqliteStore`: picco's SQLite store alone, no HTTP (storage-ab.ts): durable card additions
 *   with as many in flight as the table has connections, CPU µs a card over all its threads;
 * - `cardBudget`: what the goal "durable card additions >= 0.35 x the bare Hono route" leaves a
 *   card on this core, in CPU µs (the bare route's CPU per request / 0.35), less the two floors a
 *   card cannot avoid here (the bare Hono POST, the store alone): the room left for everything
 *   else picco does for a card (auth, admission, the per-token limit, validation, the hpan, the
 *   answer), beside what it uses now. The bare routes are the ones measured around the card row
 *   (the GET before and after it, the POST right after it), the store alone right before it.
 * CPU µs per request, not rates: CPU per request moves far less with the neighbours than a rate
 * does. It still moves with the box's own speed, which drifts by a third within minutes here:
 * the figure is an estimate, the card's own work an upper bound (the store alone commits 32
 * writes a transaction, the server about 16, and a transaction costs more per card when smaller).
 *
 * @example
 * export const ROWS = [bareHono, bareNode, piccoInfo, sqliteStore, sqliteCards, cardBudget];
 */
import { join } from 'node:path';
import { ROOT, TARGET_CPU, runWrk, sh } from '../lib.ts';
import { measureCardPost, warmCardPost } from './reference-rows.ts';
import { measured, ratiosTo, type Row, type RowFn } from './row.ts';
import { startBareNode } from './processes.ts';

/** The ratio of the issue's card goal: durable card additions per second over the bare Hono GET route's rate. */
export const CARD_GOAL = 0.35;

export const bareNode: RowFn = async (ctx) => {
  const t = await startBareNode();
  try {
    await runWrk(`${t.url}/info`, 2, ctx.connections); // JIT warm-up
    const g = await measured(t.cpuSeconds, () => runWrk(`${t.url}/info`, ctx.seconds, ctx.connections));
    await warmCardPost(t, ctx);
    const p = await measureCardPost(t, ctx, 0);
    const postRate = p.rate;
    ctx.log(`  node:http alone: GET ${Math.round(g.rate)} req/s, ${g.cpuUsPerRequest} µs CPU/request; POST ${Math.round(postRate)} req/s, ${p.cpuUsPerRequest} µs CPU/request`);
    ctx.baselines.set('cpu-node-post', p.cpuUsPerRequest);
    return [
      { what: 'the same GET route on node:http alone, no framework (the floor under the `1`)',
        figure: `${Math.round(g.rate)} rps, ${g.cpuUsPerRequest} µs CPU/request`, ratio: ratiosTo(ctx, 'hono', 'bare Hono', g.rate, g.cpuUsPerRequest) },
      { what: 'the same POST of the card body on node:http alone (the floor under the bare Hono POST)',
        figure: `${Math.round(postRate)} rps, ${p.cpuUsPerRequest} µs CPU/request`,
        ratio: `${ratiosTo(ctx, 'hono', 'bare Hono', postRate, p.cpuUsPerRequest)}; ${ratiosTo(ctx, 'hono-post', 'bare Hono POST', postRate, p.cpuUsPerRequest)}` },
    ];
  } finally {
    await t.stop();
  }
};

interface StoreAlone { cardsPerS: number; cpuUsPerCard: number; commits: number; fsyncs: number; inFlight: number }

export const sqliteStore: RowFn = async (ctx) => {
  const cards = ctx.quick ? 15_000 : 30_000;
  const r = await sh('taskset', ['-c', String(TARGET_CPU), process.execPath, '--import', 'tsx', join(ROOT, 'bench', 'server', 'storage-ab.ts'),
    `--in-flight=${ctx.connections}`, `--cards=${cards}`, '--json'], { timeoutMs: 300_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let s: StoreAlone;
  try {
    s = JSON.parse(line) as StoreAlone;
  } catch {
    throw new Error(`storage-ab printed no result (exit ${r.code}): ${r.stderr.slice(-300)}`);
  }
  ctx.log(`  store alone: ${s.cardsPerS} cards/s, ${s.cpuUsPerCard} µs CPU/card, ${s.commits} transactions, ${s.fsyncs} fsyncs for ${cards} cards`);
  ctx.baselines.set('cpu-store', s.cpuUsPerCard);
  return { what: `picco's SQLite store alone, no HTTP: durable card additions, ${s.inFlight} in flight, 2000 citizens (the floor of the write)`,
    figure: `${s.cardsPerS}/s, ${s.cpuUsPerCard} µs CPU/card over all its threads, ${(cards / Math.max(1, s.commits)).toFixed(1)} writes a transaction`, ratio: '' };
};

export const cardBudget: RowFn = async (ctx) => {
  const hono = ctx.baselines.get('cpu-hono-card') ?? ctx.baselines.get('cpu-hono');
  const post = ctx.baselines.get('cpu-hono-post-card') ?? ctx.baselines.get('cpu-hono-post');
  const store = ctx.baselines.get('cpu-store');
  const card = ctx.baselines.get('cpu-card');
  if (hono === undefined || post === undefined || store === undefined) {
    return { what: `what ${CARD_GOAL} x bare Hono leaves a card`, figure: 'n/a: needs the bareHono and sqliteStore rows', ratio: '' };
  }
  const budget = hono / CARD_GOAL;
  const left = budget - post - store;
  const node = ctx.baselines.get('cpu-node-post');
  const now = card === undefined ? '' : `; this card's own work now ${Math.round(card - post - store)} µs (${Math.round(card)} µs a card)`;
  return {
    what: `what ${CARD_GOAL} x bare Hono leaves a card on this core, CPU µs: the bare route's / ${CARD_GOAL}, less the bare Hono POST and the store alone`,
    figure: `${Math.round(budget)} µs = bare Hono POST ${Math.round(post)}${node === undefined ? '' : ` (node:http alone ${Math.round(node)})`} + store ${Math.round(store)} `
      + `+ ${Math.round(left)} left for picco's own work${now}`,
    ratio: left <= 0 ? `out of reach with these floors: they alone cost ${Math.round(-left)} µs more than ${CARD_GOAL} x allows`
      : card === undefined ? '' : `own work ${((card - post - store) / left).toFixed(1)} x what is left`,
  };
};
