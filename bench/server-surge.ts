/**
 * `npm run bench -- server-surge [--quick]`: the reference server under the December 2020 card
 * peak, driven by picco's own engine (`picco run card-peak`, open model, latency from the
 * intended start), on SQLite (1 process, pinned to core 1, engine on core 0) and on PostgreSQL
 * (`--workers 2`; PostgreSQL itself shares the box, so nothing is pinned).
 *
 * Per store:
 *  1. card-peak at 8,000 POST /v1/wallet/cc per second for 60 s (15 s with --quick): achieved
 *     rate, goodput (200s per second), p50/p99 from the intended start, errors by status.
 *  2. the sustainable rate: the highest rate (bisection, 10 s runs) at which ≥ 99 % of arrivals
 *     get 200 with p99 < 500 ms from the intended start and the engine drops nothing;
 *  3. 2× the sustainable rate for 30 s (15 s): goodput as a fraction of the sustainable rate, the share of
 *     non-2xx answers that were fast admission refusals (503 server.overloaded; a probe in this
 *     process measures their latency), and GET /v2/wallet p99 from a second engine run at 50/s
 *     during the overload (its SLO: p99 < 500 ms).
 * Figures are ratios measured in one run on a shared 2-core box: noisy, printed, not asserted.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { sh, PICCO, GEN_CPU, ROOT, TARGET_CPU } from './lib.ts';
import { startServer, type ServerProcess } from '../test/resilience/server-process.ts';
import { cardBody, call, login, panFor } from '../test/resilience/citizen.ts';
import { createTestDatabase, type TestDatabase } from '../test/resilience/pg-database.ts';

const out = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

interface EndpointSummary { count: number; ok: number; failed: number; status: Record<string, number>; latencyMs: Record<string, number> }
export interface Summary {
  durationS: number; valid: boolean; requests: { total: number; ok: number; failed: number; dropped: number };
  rate: { target: number; achieved: number }; latencyMs: Record<string, number>; serviceTimeMs: Record<string, number>;
  endpoints: Record<string, EndpointSummary>; invalidReasons?: string[];
  generator?: { lagP99Ms?: number; lagMaxMs?: number; cpu?: number[]; cpuUsPerRequest?: number;
    perSecond?: { maxMs: number; lateSeconds: { t: number; delayMs: number }[] } };
}

const CARD = 'POST /v1/wallet/cc';

export async function piccoRun(args: string[], pin: boolean): Promise<Summary> {
  const dir = mkdtempSync(join(tmpdir(), 'picco-surge-'));
  const prefix = pin ? ['taskset', '-c', String(GEN_CPU)] : [];
  const [cmd, ...pre] = [...prefix, process.execPath];
  const r = await sh(cmd!, [...pre, PICCO, 'run', ...args, ...runFlags, '--out', dir, '--quiet'], { timeoutMs: 900_000 });
  try {
    return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
  } catch {
    throw new Error(`picco run ${args.join(' ')} wrote no summary (exit ${r.code}): ${r.stderr.slice(-1500)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The surge as a scenario file the engine loads: POST /v1/wallet/cc at `rate`/s for `seconds`,
 * each with a PAN never sent before (scenarios/identity/card-number.ts, citizen = arrival index),
 * round-robin over the PM tokens of citizens the bench logged in beforehand; optionally a
 * second stream of GET /v2/wallet at `walletRate`/s from one more citizen.
 *
 * Why not `picco run card-peak` itself: its warm-up logs in 40,000 citizens at 4,000 requests/s,
 * which is above what one reference-server process sustains for logins on this box, so the burst
 * would start on top of a login backlog and measure that instead. The tokens here are obtained
 * first, at the server's pace, and the burst is then measured alone.
 */
export function scenarioFile(o: { rate: number; seconds: number; tokens: string[]; panOffset: number; walletToken?: string; walletRate?: number; rampS?: number }): string {
  const dir = mkdtempSync(join(tmpdir(), 'picco-surge-scn-'));
  const file = join(dir, 'surge.mts');
  const cards = pathToFileURL(join(ROOT, 'scenarios', 'identity', 'card-number.ts')).href;
  const ramp = o.rampS ?? 0;
  // A ramp from 0 to the rate first, as a stream of its own under its own endpoint label (the
  // engine's code and connections warm up, the server's limits adapt); the measured stream starts after it.
  const streams = [
    ...(ramp > 0 ? [`{ name: 'card-ramp', journey: addCard('POST /v1/wallet/cc (ramp)', 900000000), params: {}, executor: { type: 'ramping-arrival-rate', startRate: 0, stages: [{ durationS: ${ramp}, target: ${o.rate} }] } }`] : []),
    `{ name: 'card-surge', journey: addCard('POST /v1/wallet/cc', 0), params: {}, startS: ${ramp}, executor: { type: 'constant-arrival-rate', rate: ${o.rate}, durationS: ${o.seconds} } }`,
  ];
  if (o.walletToken !== undefined) {
    streams.push(`{ name: 'wallet-list', journey: listWallet, params: {}, executor: { type: 'constant-arrival-rate', rate: ${o.walletRate ?? 50}, durationS: ${o.seconds} } }`);
  }
  writeFileSync(file, `import { cardNumber } from ${JSON.stringify(cards)};
const tokens = ${JSON.stringify(o.tokens)};
const body = (pan) => JSON.stringify({ data: { type: 'CREDIT_CARD', favourite: false, creditCard: { pan, holder: 'Mario Rossi', expireMonth: '12', expireYear: '30', securityCode: '123' } } });
const addCard = (endpoint, offset) => ({ name: 'add-card-step-1', async run(c, a) {
  const r = await c.request({ origin: 'pm', method: 'POST', path: '/v1/wallet/cc', endpoint,
    headers: { authorization: 'Bearer ' + tokens[a.index % tokens.length] }, body: body(cardNumber(${3_000_000 + o.panOffset} + offset + a.index, 0, 20201207)), expect: [200] });
  c.check('card added', r.status === 200);
} });
const listWallet = { name: 'wallet-list', async run(c) {
  await c.request({ origin: 'pm', method: 'GET', path: '/v2/wallet', endpoint: 'GET /v2/wallet', headers: { authorization: 'Bearer ${o.walletToken ?? ''}' }, expect: [200] });
} };
export default { name: 'server-surge', origins: { io: {}, pm: { basePath: '/pp-restapi-CD' }, bpd: {} },
  description: 'bench: card additions at a fixed rate', build: () => ({
  scenario: 'server-surge', durationS: ${ramp + o.seconds}, streams: [${streams.join(', ')}], expected: {} }) };
`);
  return file;
}

/** Logs in `n` citizens at the server's own pace (32 at a time); returns their PM tokens. */
export async function tokensFor(url: string, n: number, base: number): Promise<string[]> {
  const agent = new Agent({ connections: 32 });
  const tokens: string[] = new Array<string>(n);
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < n) {
      const i = next++;
      for (let attempt = 0; ; attempt++) {
        try {
          tokens[i] = (await login(url, base + i, agent)).pmToken;
          break;
        } catch (err) {
          if (attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  }));
  await agent.close();
  return tokens;
}

type Store = 'sqlite' | 'postgres';

interface Target { srv: ServerProcess; close(): Promise<void> }

let extraEnv: Record<string, string> = {};
let runFlags: string[] = [];

async function target(store: Store): Promise<Target> {
  const env = { ...extraEnv };
  if (store === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'picco-surge-db-'));
    const srv = await startServer(['--db', `sqlite:${join(dir, 'surge.sqlite')}`], env, 30_000, ['taskset', '-c', String(TARGET_CPU)]);
    return { srv, async close() { await srv.stop(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const db: TestDatabase = await createTestDatabase('picco_bench');
  const srv = await startServer(['--db', db.url, '--workers', '2'], env);
  return { srv, async close() { await srv.stop(); await db.drop(); } };
}

const f0 = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(0));
const f1 = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(1));
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

interface Phase { rate: number; seconds: number; summary: Summary; ok200: number; goodput: number }

let panOffset = 0;
async function cards(t: Target, tokens: string[], rate: number, seconds: number, store: Store, wallet?: string): Promise<Phase> {
  const file = scenarioFile({ rate, seconds, tokens, panOffset, ...(wallet !== undefined ? { walletToken: wallet, walletRate: 50 } : {}) });
  panOffset += Math.ceil(rate * seconds) + 1000;
  const summary = await piccoRun([file, '--target', t.srv.url], store === 'sqlite');
  const e = summary.endpoints[CARD];
  if (e === undefined) throw new Error(`no ${CARD} in the summary`);
  const ok200 = e.status['200'] ?? 0;
  return { rate, seconds, summary, ok200, goodput: ok200 / seconds };
}

/** Sustained: ≥ 99 % of the arrivals answered 200, none dropped, p99 from the intended start < 500 ms. */
function sustainedAt(p: Phase): boolean {
  const e = p.summary.endpoints[CARD]!;
  return p.summary.requests.dropped === 0 && p.ok200 >= 0.99 * p.rate * p.seconds && (e.latencyMs['p99'] ?? Infinity) < 500;
}

async function measure(store: Store, peakS: number, overS: number, probeS: number): Promise<void> {
  const t = await target(store);
  try {
    const tokens = await tokensFor(t.srv.url, 2000, 3_100_000);
    const label = `${store}${store === 'postgres' ? ' (2 workers)' : ' (1 process)'}`;
    // 1. The December peak.
    const p1 = await cards(t, tokens, 8000, peakS, store);
    const e = p1.summary.endpoints[CARD]!;
    const errors = Object.entries(e.status).filter(([k]) => k !== '200').map(([k, v]) => `${k}: ${v}`).join(', ') || 'none';
    out(`  ${label}: POST /v1/wallet/cc at 8000/s × ${peakS} s (unique cards, 2,000 citizens)`);
    out(`    achieved ${f0(e.count / peakS)}/s sent, goodput ${f0(p1.goodput)}/s (200), p50 ${f1(e.latencyMs['p50'])} ms, p99 ${f1(e.latencyMs['p99'])} ms`
      + ` from the intended start (service time p50 ${f1(p1.summary.serviceTimeMs['p50'])} ms, p99 ${f1(p1.summary.serviceTimeMs['p99'])} ms);`
      + ` errors ${errors}; arrivals dropped by the engine at its in-flight cap ${p1.summary.requests.dropped}`);
    // 2. The sustainable rate: bisection with short runs, each after the store settled (a
    // backlog, checkpoint or autovacuum left by the run before is not this rate's doing).
    const settle = () => new Promise((r) => setTimeout(r, 10_000));
    await settle();
    let good = 0;
    let bad = 8001;
    let rate = Math.max(250, Math.min(8000, Math.round(p1.goodput * 0.9 / 50) * 50));
    for (let i = 0; i < 5 && bad - good > Math.max(200, good * 0.08); i++) {
      const p = await cards(t, tokens, rate, probeS, store);
      await settle();
      const ok = sustainedAt(p);
      out(`    probe ${rate}/s × ${probeS} s: ${ok ? 'sustained' : 'not sustained'} (200: ${p.ok200}/${rate * probeS},`
        + ` p99 ${f1(p.summary.endpoints[CARD]!.latencyMs['p99'])} ms, dropped ${p.summary.requests.dropped})`);
      if (ok) good = rate;
      else bad = rate;
      rate = bad > 8000 ? Math.min(8000, Math.round(rate * 1.3)) : Math.round((good + bad) / 2 / 50) * 50;
      if (good === 0 && !ok) rate = Math.max(100, Math.round(rate * 0.6 / 50) * 50);
    }
    const sustainable = Math.max(good, 100);
    out(`    sustainable: ${sustainable}/s (p99 < 500 ms, ≥ 99 % answered 200)`);
    // 3. Twice that, with a wallet reader and a probe alongside.
    await overload(t, store, tokens, sustainable, overS);
  } finally {
    await t.close();
  }
}

/** Phase 3: 2× the sustainable rate, a wallet reader and a rejection probe alongside. */
async function overload(t: Target, store: Store, tokens: string[], sustainable: number, seconds: number): Promise<void> {
  const rate = Math.max(100, Math.round(2 * sustainable));
  const mainS = seconds;
  {
    const reader = await login(t.srv.url, 990_001);
    const prober = await login(t.srv.url, 990_002);
    const surge = cards(t, tokens, rate, seconds, store, reader.pmToken);
    await new Promise((r) => setTimeout(r, 3000));
    // The probe: 10 card additions and 10 wallet lists per second from this process, on
    // connections of their own (the engine's pool queue is not the server's latency).
    const agent = new Agent({ connections: 16 });
    const probe: { status: number; ms: number }[] = [];
    const walletMs: number[] = [];
    const walletStatus: number[] = [];
    const until = Date.now() + (mainS - 6) * 1000;
    let k = 0;
    const inFlight: Promise<void>[] = [];
    while (Date.now() < until) {
      const i = k++;
      inFlight.push((async () => {
        const t0 = performance.now();
        const r = await call(t.srv.url, 'POST', '/pp-restapi-CD/v1/wallet/cc', prober.pmToken, cardBody(panFor(990_002 + i * 17, 0, 99)), {}, agent)
          .catch(() => ({ status: 0 }));
        probe.push({ status: r.status, ms: performance.now() - t0 });
      })());
      inFlight.push((async () => {
        const t0 = performance.now();
        const r = await call(t.srv.url, 'GET', '/pp-restapi-CD/v2/wallet', reader.pmToken, undefined, {}, agent).catch(() => ({ status: 0 }));
        walletMs.push(performance.now() - t0);
        walletStatus.push(r.status);
      })());
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(inFlight);
    await agent.close();
    const s = (await surge).summary;
    const e = s.endpoints[CARD]!;
    const ok200 = e.status['200'] ?? 0;
    const nonOk = e.count - ok200;
    const shed = e.status['503'] ?? 0;
    const rejections = probe.filter((p) => p.status === 503 || p.status === 429);
    const fast = rejections.filter((p) => p.ms < 100).length;
    const wp = s.endpoints['GET /v2/wallet'];
    out(`  ${store}: 2× sustainable = ${rate}/s × ${mainS} s`);
    out(`    goodput ${f0(ok200 / mainS)}/s = ${f0((100 * ok200) / mainS / sustainable)} % of the sustainable ${f0(sustainable)}/s;`
      + ` non-2xx ${nonOk} (${f0((100 * nonOk) / Math.max(1, e.count))} % of ${e.count}), of which admission 503 ${f0((100 * shed) / Math.max(1, nonOk))} %;`
      + ` statuses ${JSON.stringify(e.status)}`);
    out(`    probe: ${rejections.length}/${probe.length} refused, ${f0((100 * fast) / Math.max(1, rejections.length))} % of refusals in < 100 ms`
      + ` (p50 ${f1(pct(rejections.map((p) => p.ms), 50))} ms, p99 ${f1(pct(rejections.map((p) => p.ms), 99))} ms);`
      + ` admitted p50 ${f1(pct(probe.filter((p) => p.status === 200).map((p) => p.ms), 50))} ms`);
    const wp99 = pct(walletMs, 99);
    out(`    GET /v2/wallet during the overload, own connections: p50 ${f1(pct(walletMs, 50))} ms, p99 ${f1(wp99)} ms,`
      + ` ok ${walletStatus.filter((x) => x === 200).length}/${walletStatus.length} (SLO p99 < 500 ms: ${wp99 < 500 ? 'met' : 'missed'});`
      + ` through the engine's shared pool (queue included): p99 ${f1(wp?.latencyMs['p99'])} ms`);
  }
}

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const peakS = quick ? 15 : 60;
  const overS = quick ? 15 : 30;
  const stores: Store[] = args.includes('--sqlite-only') ? ['sqlite'] : args.includes('--postgres-only') ? ['postgres'] : ['sqlite', 'postgres'];
  if (args.includes('--admission-off')) extraEnv = { PICCO_ADMISSION: 'off' };
  const ci = args.indexOf('--connections');
  runFlags = ['--connections', ci >= 0 ? (args[ci + 1] ?? '256') : '256'];
  out(`  engine: picco run (open model, ${runFlags.join(' ')}); SQLite server on core ${TARGET_CPU}, engine on core ${GEN_CPU}; PostgreSQL unpinned;`
    + ` admission ${extraEnv['PICCO_ADMISSION'] === 'off' ? 'OFF' : 'on'}`);
  for (const store of stores) await measure(store, peakS, overS, quick ? 6 : 10);
}

// `npx tsx bench/server-surge.ts [--quick]` runs this section alone.
if (process.argv[1] !== undefined && process.argv[1].endsWith('server-surge.ts')) {
  await run(process.argv.slice(2));
}
