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
import { cardBody, call, login, panFor, type Citizen } from './citizen.ts';
import { closedLoop, sleep } from './load.ts';
import { startServer, type ServerProcess } from './server-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'picco-flood-'));
let srv: ServerProcess;
beforeAll(async () => {
  srv = await startServer(['--db', `sqlite:${join(dir, 'flood.sqlite')}`]);
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
  it('is shed with fast 503s while /info and GET /v2/wallet stay fast and are never refused', async () => {
    const flooders: Citizen[] = [];
    for (let i = 0; i < 64; i++) flooders.push(await login(srv.url, 70_000 + i));
    const reader = await login(srv.url, 79_999);
    const floodAgent = new Agent({ connections: 512 });
    const statuses = new Map<number, number>();
    const shedMs: number[] = [];
    let retryAfterMissing = 0;
    let envelopeMissing = 0;
    const flood = closedLoop(512, async (i) => {
      const c = flooders[i % flooders.length]!;
      const t0 = performance.now();
      const r = await call(srv.url, 'POST', '/pp-restapi-CD/v1/wallet/cc', c.pmToken, cardBody(panFor(200_000 + i, 0)), {}, floodAgent);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status === 503 || r.status === 429) {
        shedMs.push(performance.now() - t0);
        if (r.headers['retry-after'] === undefined) retryAfterMissing++;
        if (typeof (r.json as { code?: unknown } | undefined)?.code !== 'string') envelopeMissing++;
      }
    });
    await sleep(1000);
    const readAgent = new Agent({ connections: 4 });
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
      await sleep(20);
    }
    await flood.stop();
    await floodAgent.close();
    await readAgent.close();
    const shed = (statuses.get(503) ?? 0) + (statuses.get(429) ?? 0);
    const served = [...statuses.entries()].filter(([s]) => s < 300).reduce((n, [, k]) => n + k, 0);
    console.log(`flood: statuses ${JSON.stringify(Object.fromEntries(statuses))}; shed p50 ${pct(shedMs, 50).toFixed(1)} ms;`
      + ` /info p50/p99 ${pct(info, 50).toFixed(1)}/${pct(info, 99).toFixed(1)} ms; /v2/wallet p50/p99 ${pct(wallet, 50).toFixed(1)}/${pct(wallet, 99).toFixed(1)} ms`);
    expect(served).toBeGreaterThan(0);
    expect(shed).toBeGreaterThan(0);
    expect(retryAfterMissing).toBe(0);
    expect(envelopeMissing).toBe(0);
    expect([...statuses.keys()].filter((s) => s >= 500 && s !== 503)).toEqual([]);
    expect(readStatuses.every((s) => s === 200)).toBe(true);
    expect(info.length).toBeGreaterThan(20);
    // Loose bounds for a shared 2-core box; unprotected, these reads queue behind 512 card writes.
    expect(pct(info, 99)).toBeLessThan(500);
    expect(pct(wallet, 99)).toBeLessThan(500);
    expect(pct(shedMs, 50)).toBeLessThan(pct(wallet, 99) + 250);
  });
});
