/**
 * The 7 Dec 2020 failure, reproduced by its mechanism: the evening surge (the "riprova" presses
 * ramping to 8,000/s at 18:30, x 0.0003 x speed 60) against `--architecture 2020` with the app of
 * 7 December fails its SLOs with wallet lists that do not load, card saves that fail with a
 * temporary error and re-adds that meet 422; nothing is injected (the server's fault and
 * architecture configuration hold no error rate: test/server/architecture-2020.test.ts). The
 * failure outlasts the surge (metastability: the 7 Dec client's retries keep the queues full
 * after the arrival rate is back to what the server handled before). The same run against the
 * default server is healthy as soon as the surge ends (on a quiet box it also passes the error
 * SLO: docs/failure-2020.md; on a busy one its CPU, not a pool, may make it late during the surge).
 *
 * Each run takes about two minutes on a shared 2-core box (the preload is paced to the 2020
 * server's capacity, then the window runs 100 s, then the in-flight journeys drain). The default
 * server runs with admission control off, as in e2e-surge.test.ts: on a busy box its event-loop
 * lag shedding would answer part of the surge with fast 503s, which is its business, not this
 * test's. Figures are not asserted; behaviour is.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { picco, summary } from './run-picco.ts';

const WINDOW = ['december-2020@7dec18:10', '--scale', '0.0003', '--speed', '60', '--duration', '100s'];
const RUN = [...WINDOW, '--connections', '2000', '--max-lag', '600000', '--quiet', '--client', '2020-12-07'];

interface Sec { t: number; intended: number; ok: number; failed: number }

function series(dir: string): Sec[] {
  return readFileSync(join(dir, 'series.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Sec);
}

/** Seconds [start, end) of the presses' peak: from the plan of the same run. */
async function trigger(extra: string[]): Promise<{ start: number; end: number }> {
  const plan = await picco(['plan', ...WINDOW, ...extra, '--json']);
  expect(plan.code, plan.stderr).toBe(0);
  const p = JSON.parse(plan.stdout) as { streams: { name: string; startS: number; executor: { stages?: { durationS: number; target: number }[] } }[] };
  const presses = p.streams.find((s) => s.name.startsWith('impatient-retry'))!;
  const stages = presses.executor.stages!;
  const peak = stages.reduce((m, s, i) => (s.target > stages[m]!.target ? i : m), 0);
  const before = stages.slice(0, peak).reduce((a, s) => a + s.durationS, 0);
  return { start: presses.startS + before, end: presses.startS + before + stages[peak]!.durationS + (stages[peak + 1]?.durationS ?? 0) };
}

const sum = (xs: Sec[], k: keyof Sec) => xs.reduce((a, x) => a + x[k], 0);
const between = (xs: Sec[], a: number, b: number) => xs.filter((x) => x.t >= a && x.t < b);

describe('the 7 Dec surge against the 2020 architecture', () => {
  it('fails its SLOs by its own limits, and keeps failing after the surge has passed', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'picco-2020-')), 'run');
    const { start, end } = await trigger(['--architecture', '2020']);
    const r = await picco(['run', ...RUN, '--architecture', '2020', '--out', out]);
    // 99: the SLOs failed; 98 when the shared box also made the generator late (SLOs judged all the same)
    expect([98, 99], r.stderr).toContain(r.code);
    const s = summary(out) as ReturnType<typeof summary> & { slo: { name: string; pass: boolean }[] };
    expect(s.slo.filter((o) => !o.pass).map((o) => o.name)).toContain('http_req_duration{endpoint:GET /v2/wallet}: p(95)<500');
    const o = (k: string) => s.outcomes[k] ?? 0;
    console.log(`2020: outcomes ${JSON.stringify(s.outcomes)}`);
    expect(o('wallet_load_failed')).toBeGreaterThan(0); // "Non è stato possibile caricare i tuoi metodi di pagamento"
    expect(o('card_step1_failed') + o('card_step2_failed')).toBeGreaterThan(0); // "errore temporaneo nel salvataggio"
    expect(o('card_422_on_readd') + o('card_422_on_retry')).toBeGreaterThan(0); // re-adds of cards that were there

    const sec = series(out);
    const healthy = between(sec, start - 10, start);
    const after = between(sec, end + 5, end + 25);
    // before the surge the server answered its load; after it, at the same arrival rate, it does not
    expect(sum(healthy, 'failed')).toBe(0);
    expect(sum(after, 'intended') / after.length).toBeLessThanOrEqual(1.5 * (sum(healthy, 'intended') / healthy.length) + 1);
    expect(sum(after, 'failed')).toBeGreaterThan(0);
    console.log(`2020: trigger ${start.toFixed(0)}-${end.toFixed(0)} s; failed in the 20 s after it: ${sum(after, 'failed')}`);
  }, 420_000);

  it('is served by the default server, which is healthy as soon as the surge ends', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'picco-2020-default-')), 'run');
    const { end } = await trigger([]);
    const r = await picco(['run', ...RUN, '--out', out], { PICCO_ADMISSION: 'off' });
    expect([0, 98, 99], r.stderr).toContain(r.code);
    const s = summary(out) as ReturnType<typeof summary> & { slo: { name: string; pass: boolean }[] };
    console.log(`default: outcomes ${JSON.stringify(s.outcomes)}; SLOs failed: ${JSON.stringify(s.slo.filter((o) => !o.pass).map((o) => o.name))}`);
    // During the surge a box shared with other builds may make even the default server late (its
    // login and session reads time out on CPU, not on a pool): that is the box, and it is not
    // asserted. What is: no failure outlives the surge.
    expect(sum(between(series(out), end + 5, end + 25), 'failed')).toBe(0);
    expect(s.outcomes.gave_up ?? 0).toBeLessThan(s.requests.total * 0.01 + 20);
  }, 420_000);
});
