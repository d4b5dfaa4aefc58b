/**
 * `--architecture 2020`: the server built as the 2020 system was. These tests drive the app
 * through app.request() with small pools (a low rate scale), and check that every failure is a
 * limit being reached: nothing in the server's configuration is an error rate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolveArchitecture2020, NATIONAL_CAPACITY, type Architecture2020Options } from '../../reference-server/src/architecture-2020/config.ts';
import { FixedPool, PoolWaitTimeout } from '../../reference-server/src/architecture-2020/fixed-pool.ts';
import { Client, PM, fiscalCode, addCreditCard, appTransport, cardBody, loginCitizen, pan, testApp, type TestServer } from './helpers.ts';

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function app2020(opts: Architecture2020Options): Promise<{ s: TestServer; client: Client }> {
  const s = await testApp({ architecture: resolveArchitecture2020(opts) });
  servers.push(s);
  return { s, client: new Client(appTransport(s.app)) };
}

const raw = (s: TestServer, path: string, token?: string, init: RequestInit = {}) =>
  s.app.request(path, { ...init, headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' } });

/** Every key/value pair anywhere in a JSON value. */
function entries(v: unknown, path = ''): [string, unknown][] {
  if (v === null || typeof v !== 'object') return [[path, v]];
  return Object.entries(v).flatMap(([k, x]) => entries(x, path === '' ? k : `${path}.${k}`));
}

describe('architecture 2020', () => {
  it('has no error rate anywhere in its fault and architecture configuration', async () => {
    const { s, client } = await app2020({ rateScale: 0.01 });
    const faults = (await client.get('/__picco/faults')).json;
    const downstream = (await client.get('/__picco/downstream')).json;
    const arch = (await client.get('/__picco/architecture')).json;
    expect(arch.architecture).toBe('2020');
    const all = [...entries(faults), ...entries(downstream), ...entries(arch)];
    const rates = all.filter(([k]) => /(error|deny|failure|ko|unknownPsp)Rate$/i.test(k));
    expect(rates.every(([, v]) => v === 0)).toBe(true);
    expect(all.filter(([k]) => /errorStatus|cascadeFailure/i.test(k))).toEqual([]);
    // the capacities are the national figures times the rate scale
    expect(arch.capacity.bankingConnections).toBe(Math.round(NATIONAL_CAPACITY.bankingConnections * 0.01));
    expect(s.routes).toContain('GET /__picco/architecture');
  }, 180_000); // the first OpenAPI-checked call compiles the spec: slow on a busy box

  it('serves the whole card flow when its pools are not full', async () => {
    const { client } = await app2020({ rateScale: 0.01 });
    const c = await loginCitizen(client);
    const { hpan } = await addCreditCard(client, c);
    expect(hpan).toMatch(/^[0-9a-f]{64}$/);
    const again = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(pan()) });
    expect(again.status).toBe(200);
  });

  it('starves the wallet list while card additions hold every banking connection (no bulkhead)', async () => {
    // 1 banking connection, calls of 200 ms: 10 card submissions queue 2 s of banking work
    const opts = { rateScale: 1 / NATIONAL_CAPACITY.bankingConnections, bankingCallMs: { minMs: 200, maxMs: 200 } };
    const { s, client } = await app2020(opts);
    const c = await loginCitizen(client);
    const subs = Array.from({ length: 10 }, () => raw(s, `${PM}/v1/wallet/cc`, c.pmToken, { method: 'POST', body: JSON.stringify(cardBody(pan())) }));
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    const list = await raw(s, `${PM}/v2/wallet`, c.pmToken);
    const listMs = performance.now() - t0;
    expect(list.status).toBe(200);
    expect(listMs).toBeGreaterThan(1500); // it waited behind the card additions' banking calls
    await Promise.all(subs);

    const b = await app2020({ ...opts, bulkhead: true });
    const c2 = await loginCitizen(b.client);
    const subs2 = Array.from({ length: 10 }, () => raw(b.s, `${PM}/v1/wallet/cc`, c2.pmToken, { method: 'POST', body: JSON.stringify(cardBody(pan())) }));
    await new Promise((r) => setTimeout(r, 20));
    const t1 = performance.now();
    expect((await raw(b.s, `${PM}/v2/wallet`, c2.pmToken)).status).toBe(200);
    expect(performance.now() - t1).toBeLessThan(1500); // its own connections
    await Promise.all(subs2);
  });

  it('makes every payment manager request wait for a worker thread held by a slow banking call', async () => {
    const n = NATIONAL_CAPACITY.pmThreads;
    const { s, client } = await app2020({ rateScale: 1 / n, bankingCallMs: { minMs: 300, maxMs: 300 } });
    const c = await loginCitizen(client);
    const hold = raw(s, `${PM}/v2/wallet`, c.pmToken); // holds the only thread for 300 ms
    await new Promise((r) => setTimeout(r, 10));
    const t0 = performance.now();
    const bin = await raw(s, `${PM}/v1/wallet/actions/check-card-bin`, c.pmToken, { method: 'POST', body: '{"data":{"cardBin":"535353"}}' });
    expect(bin.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThan(200);
    await hold;
  });

  it('answers a profile look-up that timed out with 401 until the fix, 500 after it', async () => {
    const slow = { rateScale: 1 / NATIONAL_CAPACITY.profileLookups, profileLookupMs: { minMs: 300, maxMs: 300 }, profileTimeoutMs: 100 };
    for (const [systemErrorsAs401, status] of [[true, 401], [false, 500]] as const) {
      const { s, client } = await app2020({ ...slow, systemErrorsAs401 });
      const login = await client.call('POST', '/test-login', { body: { username: fiscalCode(), password: 'picco-test' } });
      const token = login.json.token as string;
      const first = raw(s, '/api/v1/profile', token); // holds the only look-up for 300 ms
      const second = await raw(s, '/api/v1/profile', token); // waits 100 ms, then a system error
      expect(second.status).toBe(status);
      expect((await first).status).toBe(200);
    }
  });

  it('looks the profile up on every PM start-session unless the notice_email cache is on', async () => {
    const slow = { rateScale: 1 / NATIONAL_CAPACITY.profileLookups, profileLookupMs: { minMs: 150, maxMs: 150 } };
    for (const [noticeEmailCache, slower] of [[false, true], [true, false]] as const) {
      const { s, client } = await app2020({ ...slow, noticeEmailCache });
      const c = await loginCitizen(client);
      const t0 = performance.now();
      const r = await raw(s, `${PM}/v1/users/actions/start-session?token=${c.walletToken}`);
      expect(r.status).toBe(200);
      expect(performance.now() - t0 > 120).toBe(slower);
    }
  });

  it('fails a wait past boundedWaitMs at once (503) when unbounded waits are switched off', async () => {
    const { s, client } = await app2020({ rateScale: 1 / NATIONAL_CAPACITY.bankingConnections, bankingCallMs: { minMs: 300, maxMs: 300 },
      unboundedWaits: false, boundedWaitMs: 50 });
    const c = await loginCitizen(client);
    const hold = raw(s, `${PM}/v2/wallet`, c.pmToken);
    await new Promise((r) => setTimeout(r, 10));
    const shed = await raw(s, `${PM}/v2/wallet`, c.pmToken);
    expect(shed.status).toBe(503);
    expect((await hold).status).toBe(200);
  });
});

describe('FixedPool', () => {
  it('grants slots in arrival order and lets a caller wait without limit', async () => {
    const pool = new FixedPool('t', 1, undefined);
    const order: number[] = [];
    await Promise.all([0, 1, 2].map((i) => pool.run(async () => {
      order.push(i);
      await new Promise((r) => setTimeout(r, 20));
    })));
    expect(order).toEqual([0, 1, 2]);
    expect(pool.stats()).toMatchObject({ inFlight: 0, queued: 0, granted: 3, timedOut: 0 });
  });

  it('skips a waiter whose wait timed out and serves the next one', async () => {
    const pool = new FixedPool('t', 1, 30);
    const hold = pool.run(() => new Promise((r) => setTimeout(r, 60)));
    const late = pool.run(async () => 'late').catch((e: unknown) => e);
    await hold;
    expect(await late).toBeInstanceOf(PoolWaitTimeout);
    expect(await pool.run(async () => 'next')).toBe('next');
    expect(pool.stats()).toMatchObject({ inFlight: 0, queued: 0, timedOut: 1 });
  });
});
