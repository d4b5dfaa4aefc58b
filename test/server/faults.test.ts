import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Client, PM, appTransport, cardBody, loginCitizen, pan, testApp, TEST_RESILIENCE_ENV } from './helpers.ts';
import { createApp } from '../../reference-server/src/app.ts';
import { defaultConfig, systemRandom } from '../../reference-server/src/config.ts';
import { openSqliteStorage } from '../../reference-server/src/storage/sqlite/sqlite-storage.ts';
import { parseFaults } from '../../reference-server/src/downstream/faults.ts';
import { sampleLatency } from '../../reference-server/src/downstream/latency.ts';

describe('route faults', () => {
  it('makes GET /v2/wallet fail with the configured status, as on 8 Dec 2020', async () => {
    const s = await testApp({ faults: { routes: { 'GET /pp-restapi-CD/v2/wallet': { errorRate: 1, errorStatus: 404 } } } });
    try {
      const client = new Client(appTransport(s.app));
      const c = await loginCitizen(client);
      const r = await client.get(`${PM}/v2/wallet`, c.pmToken);
      expect(r.status).toBe(404);
      expect(r.json.code).toBe('fault.injected');
      expect((await client.get(`${PM}/v1/wallet`, c.pmToken)).status).toBe(200);
      const metrics = await (await s.app.request('/metrics')).text();
      expect(metrics).toContain('server_faults_injected_total{route="GET /pp-restapi-CD/v2/wallet"} 1');
    } finally {
      await s.close();
    }
  });

  it('fails requests beyond maxConcurrency in flight with the overload status', async () => {
    const s = await testApp({ faults: { routes: { 'GET /pp-restapi-CD/v2/wallet': { maxConcurrency: 2, latency: { kind: 'fixed', ms: 150 } } } } });
    try {
      const client = new Client(appTransport(s.app));
      const c = await loginCitizen(client);
      const rs = await Promise.all(Array.from({ length: 5 }, () => client.get(`${PM}/v2/wallet`, c.pmToken)));
      expect(rs.filter((r) => r.status === 200).length).toBe(2);
      expect(rs.filter((r) => r.status === 503).length).toBe(3);
    } finally {
      await s.close();
    }
  });
});

describe('downstream simulators', () => {
  it('queues calls beyond the concurrency, rejects beyond the queue limit and shows both in gauges', async () => {
    const s = await testApp({ faults: { downstream: { acquirer: { concurrency: 1, queueLimit: 1, latency: { kind: 'fixed', ms: 200 } } } } });
    try {
      const client = new Client(appTransport(s.app));
      const c = await loginCitizen(client);
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) ids.push((await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(pan()) })).json.data.idWallet);
      const pays = ids.map((idWallet) => client.call('POST', `${PM}/v1/payments/cc/actions/pay`, { token: c.pmToken, body: { data: { idWallet, cvv: '123' } } }));
      await new Promise((r) => setTimeout(r, 50));
      const mid = await (await s.app.request('/metrics')).text();
      expect(mid).toContain('downstream_in_flight{service="acquirer"} 1');
      expect(mid).toContain('downstream_queue_depth{service="acquirer"} 1');
      const statuses = (await Promise.all(pays)).map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 503]);
      const end = await (await s.app.request('/metrics')).text();
      expect(end).toContain('downstream_calls_total{service="acquirer",outcome="rejected"} 1');
      expect(end).toContain('downstream_queue_depth{service="acquirer"} 0');
    } finally {
      await s.close();
    }
  });

  it('times out a slow service with 504 downstream.timeout', async () => {
    const s = await testApp({ faults: { downstream: { acquirer: { timeoutMs: 30, latency: { kind: 'fixed', ms: 300 } } } } });
    try {
      const client = new Client(appTransport(s.app));
      const c = await loginCitizen(client);
      const add = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(pan()) });
      const pay = await client.call('POST', `${PM}/v1/payments/cc/actions/pay`, { token: c.pmToken, body: { data: { idWallet: add.json.data.idWallet, cvv: '123' } } });
      expect([503, 504]).toContain(pay.status);
      expect(['downstream.timeout', 'downstream.unavailable']).toContain(pay.json.code);
    } finally {
      await s.close();
    }
  });

  it('samples latencies around their median', () => {
    const xs = Array.from({ length: 4000 }, () => sampleLatency({ kind: 'lognormal', medianMs: 10, p99Ms: 40 }, Math.random)).sort((a, b) => a - b);
    expect(xs[2000]).toBeGreaterThan(8);
    expect(xs[2000]).toBeLessThan(12);
    expect(xs[3960]).toBeGreaterThan(25);
    expect(sampleLatency({ kind: 'uniform', minMs: 2, maxMs: 3 }, () => 0.5)).toBe(2.5);
  });
});

describe('the faults profile', () => {
  it('rejects unknown keys and out-of-range values naming every problem and the source', () => {
    expect(() => parseFaults('{"downstream":{"acquirer":{"errorRate":2},"visa":{}}}', 'faults.json'))
      .toThrow(/faults\.json: .*downstream\.acquirer\.errorRate.*visa|faults\.json: .*visa.*errorRate/);
    expect(() => parseFaults('{nope', 'f.json')).toThrow(/f\.json: not valid JSON/);
    expect(() => parseFaults('{"routes":{"/v2/wallet":{}}}', 'f.json')).toThrow(/routes\.\/v2\/wallet/);
    expect(parseFaults('{"downstream":{"sia":{"latency":{"kind":"lognormal","medianMs":5,"p99Ms":50}}}}', 'f').downstream?.sia?.latency?.kind).toBe('lognormal');
  });

  it('is validated by PUT /__picco/faults, which answers 400 and keeps the previous profile', async () => {
    const s = await testApp({ faults: { downstream: { nexi: { errorRate: 0.5 } } } });
    try {
      const client = new Client(appTransport(s.app));
      const bad = await client.call('PUT', '/__picco/faults', { body: { downstream: { nexi: { errorRate: 'high' } } } });
      expect(bad.status).toBe(400);
      expect(bad.json.detail).toContain('downstream.nexi.errorRate');
      expect((await client.get('/__picco/faults')).json).toEqual({ downstream: { nexi: { errorRate: 0.5 } } });
    } finally {
      await s.close();
    }
  });

  it('reaches every process sharing the database (run-time settings live in storage)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'picco-shared-'));
    const path = join(dir, 'db.sqlite');
    const mk = async () => {
      const storage = openSqliteStorage({ path });
      const ref = await createApp({ storage, clock: { now: () => new Date() }, random: systemRandom, registry: new Registry(),
        defaultMetrics: false, config: defaultConfig({ settingsRefreshMs: 20 }, {}), resilience: { env: TEST_RESILIENCE_ENV } });
      return { ...ref, storage };
    };
    const a = await mk();
    const b = await mk();
    try {
      await a.app.request('/__picco/info', { method: 'PUT', body: JSON.stringify({ min_app_version_pagopa: { ios: '1.14.0', android: '1.14.0' } }) });
      await a.app.request('/__picco/faults', { method: 'PUT', body: JSON.stringify({ downstream: { sia: { errorRate: 1 } } }) });
      let info: { min_app_version_pagopa: { ios: string } } | undefined;
      for (let i = 0; i < 50; i++) {
        await new Promise((r) => setTimeout(r, 25));
        info = await (await b.app.request('/info')).json() as typeof info;
        if (info?.min_app_version_pagopa.ios === '1.14.0') break;
      }
      expect(info?.min_app_version_pagopa.ios).toBe('1.14.0');
      expect((await (await b.app.request('/__picco/faults')).json() as { downstream: unknown }).downstream).toEqual({ sia: { errorRate: 1 } });
      expect(b.ctx.downstream.processors.SIA.settings.errorRate).toBe(1);
    } finally {
      await a.storage.close();
      await b.storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
