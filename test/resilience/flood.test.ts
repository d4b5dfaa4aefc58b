/**
 * Bulkheads under a card-addition surge: far more concurrent POST /v1/wallet/cc than the
 * server's card-write compartment admits, while a citizen keeps opening the app (GET /info) and
 * the wallet (GET /v2/wallet). The surge is shed fast (503 + Retry-After, in the envelope), the
 * reads are never shed and stay fast. The latency bound is deliberately loose (this box is
 * shared); the point is the contrast: refusals arrive in milliseconds, reads are never refused.
 */
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWrkCards } from '../../bench/server-wrk.ts';
import { call, login } from './citizen.ts';
import { sleep } from './load.ts';
import { startServer, type ServerProcess } from './server-process.ts';
import { CLASS_DEFAULTS } from '../../reference-server/src/admission/route-classes.ts';

const dir = mkdtempSync(join(tmpdir(), 'picco-flood-'));
let srv: ServerProcess;
beforeAll(async () => {
  // Per-token limits out of the way: this test is about the bulkheads, not the rate limit.
  srv = await startServer(['--db', `sqlite:${join(dir, 'flood.sqlite')}`], { PICCO_RATE_LIMIT_WRITES: '100000' });
});
afterAll(async () => {
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

describe('a card-addition surge', () => {
  it('is shed with 503s while /info and GET /v2/wallet stay fast and are never refused', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 32; i++) tokens.push((await login(srv.url, 70_000 + i)).pmToken);
    const reader = await login(srv.url, 79_999);
    // The flood: wrk (C, one thread) with more connections of card additions for 6 s than the
    // card-write compartment holds at its largest (its limit's max plus its queue), each
    // connection backing off for Retry-After on a 503 as the app did (2-4-8-16 s backoff). A
    // flood the compartment can hold is not shed: on a fast box card additions complete within
    // the limiter's target and it admits its max (10,000/s at 512 in flight, p50 45 ms, no 503).
    // The reader's connection is open before the flood, as the app's was: the flood's connections
    // opened at once overflow the listen backlog (511), and a connection opened then waits for SYN
    // retransmits (1 s, 3 s), which would be measured as a slow read.
    const readAgent = new Agent({ connections: 1 });
    await call(srv.url, 'GET', '/info', undefined, undefined, {}, readAgent);
    const cw = CLASS_DEFAULTS['card-write'];
    const connections = cw.max + cw.maxQueue + 512;
    const flood = runWrkCards({ url: srv.url, tokens, connections, durationS: 6, timeoutS: 16, honourRetryAfter: true });
    await sleep(1000);
    const info: number[] = [];
    const wallet: number[] = [];
    const readStatuses: number[] = [];
    const until = Date.now() + 4000;
    while (Date.now() < until) {
      let t0 = performance.now();
      const a = await call(srv.url, 'GET', '/info', undefined, undefined, {}, readAgent);
      info.push(performance.now() - t0);
      t0 = performance.now();
      const b = await call(srv.url, 'GET', '/pp-restapi-CD/v2/wallet', reader.pmToken, undefined, {}, readAgent);
      wallet.push(performance.now() - t0);
      readStatuses.push(a.status, b.status);
      await sleep(10);
    }
    const r = await flood;
    await readAgent.close();
    const shed = r.statuses['503'] ?? 0;
    const served = r.statuses['200'] ?? 0;
    const probe = await call(srv.url, 'GET', '/metrics');
    console.log(`flood (wrk -c${connections}, 6 s): ${r.requests} requests, statuses ${JSON.stringify(r.statuses)}, wrk p50/p99 ${r.latencyMs.p50}/${r.latencyMs.p99} ms;`
      + ` /info p50/p99 ${pct(info, 50).toFixed(1)}/${pct(info, 99).toFixed(1)} ms (${info.length});`
      + ` /v2/wallet p50/p99 ${pct(wallet, 50).toFixed(1)}/${pct(wallet, 99).toFixed(1)} ms;`
      + ` ${(/admission_limit\{class="card-write"\} (\d+)/.exec(probe.text) ?? [])[0] ?? ''}`);
    expect(served).toBeGreaterThan(0);
    expect(shed).toBeGreaterThan(0);
    expect(Object.keys(r.statuses).filter((s) => s !== '200' && s !== '503')).toEqual([]);
    expect(readStatuses.every((s) => s === 200)).toBe(true);
    expect(info.length).toBeGreaterThan(5);
    // Loose bounds for a shared 2-core box: a single fsync or WAL checkpoint stall of the
    // synchronous SQLite store delays the one read in flight, so one slow read in ten is
    // allowed, and never fewer than one (with ten reads a p90 would be the max); unprotected
    // (PICCO_ADMISSION=off), these reads queue behind 512 card writes for seconds, nearly all.
    expect(pct(info, 50)).toBeLessThan(250);
    expect(pct(wallet, 50)).toBeLessThan(250);
    const allowed = Math.max(1, Math.floor(info.length / 10));
    expect(info.filter((ms) => ms >= 1000).length).toBeLessThanOrEqual(allowed);
    expect(wallet.filter((ms) => ms >= 1000).length).toBeLessThanOrEqual(allowed);
  });

  it('answers a shed request in the error envelope with Retry-After', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 8; i++) tokens.push((await login(srv.url, 71_000 + i)).pmToken);
    // With the flood's 512 connections, EXTRA more card additions at once overflow the card-write
    // compartment even at its largest (512 admitted, 512 queued: route-classes.ts), so some are
    // refused whatever limit the adaptive limiter has learned (on a slow box it reaches 512,
    // and 64 more were all queued and admitted). Their connections are open before the flood.
    const EXTRA = 640;
    const agent = new Agent({ connections: EXTRA });
    await Promise.all(Array.from({ length: EXTRA }, () => call(srv.url, 'GET', '/info', undefined, undefined, {}, agent)));
    const flood = runWrkCards({ url: srv.url, tokens, connections: 512, durationS: 3, panBase: 500_000_000 });
    await sleep(1000);
    let seen: Awaited<ReturnType<typeof call>> | undefined;
    for (let k = 0; k < 40 && seen === undefined; k++) {
      const rs = await Promise.all(Array.from({ length: EXTRA }, (_, j) => call(srv.url, 'POST', '/pp-restapi-CD/v1/wallet/cc',
        tokens[j % tokens.length], '{"data":{}}', {}, agent)));
      seen = rs.find((x) => x.status === 503);
    }
    await flood;
    await agent.close();
    expect(seen?.headers['retry-after']).toMatch(/^\d+$/);
    expect(seen?.json).toMatchObject({ code: 'server.overloaded', message: expect.any(String) });
  });
});
