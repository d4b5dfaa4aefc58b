import { afterEach, describe, expect, it } from 'vitest';
import { OriginPools, ArrivalClient } from '../../harness/transport/journey-client.ts';
import { Recorder, type EndpointStats } from '../../harness/metrics/recorder.ts';
import { now, setEpoch } from '../../harness/runner/clock.ts';
import { startTarget, type Target } from './targets.ts';

let target: Target | undefined;
let pools: OriginPools | undefined;
afterEach(async () => {
  await pools?.close(true);
  await target?.close();
});

describe('journey client (JourneyClient on undici)', () => {
  it('stamps the first request with the arrival time and later ones with previous completion + sleep', async () => {
    const paths: string[] = [];
    target = await startTarget((req, res) => {
      paths.push(req.url ?? '');
      const delay = req.url?.startsWith('/pp-restapi-CD/slow') === true ? 150 : 0;
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ path: req.url }));
      }, delay);
    });
    setEpoch(Date.now());
    pools = new OriginPools({ io: target.url, pm: `${target.url}/pp-restapi-CD` }, { connections: 4, pipelining: 1, timeoutMs: 5000 });
    const rec = new Recorder();
    // The arrival was due 100 ms ago (a late release): its first request owns that delay.
    const arrival = { index: 3, citizen: 3, intendedMs: now() - 100 };
    const c = new ArrivalClient(pools, rec, new Map<string, EndpointStats>(), arrival, 1, () => false);
    const first = await c.request({ origin: 'pm', method: 'GET', path: '/slow', endpoint: 'GET /slow', expect: [200] });
    expect(first.ok).toBe(true);
    expect(first.json).toEqual({ path: '/pp-restapi-CD/slow' });
    expect(first.latencyMs).toBeGreaterThanOrEqual(first.serviceMs + 99);
    expect(first.serviceMs).toBeGreaterThanOrEqual(149);
    await c.sleep(50);
    const second = await c.request({ origin: 'io', method: 'GET', path: '/info', endpoint: 'GET /info', expect: [201] });
    // intended = first completion + 50 ms; the timer fired at or after that, so latency ≥ service
    expect(second.latencyMs).toBeGreaterThanOrEqual(second.serviceMs);
    expect(second).toMatchObject({ ok: false, failure: 'unexpected_status', status: 200 });
    c.check('seen', true);
    c.count('info_seen', 2);
    const r1 = c.random();
    expect(r1).toBeGreaterThanOrEqual(0);
    expect(r1).toBeLessThan(1);
    const snap = rec.snapshot(0, 0);
    expect(snap).toMatchObject({ completed: 2, ok: 1, failed: 1, failures: { unexpected_status: 1 }, checks: { seen: { pass: 1, fail: 0 } }, outcomes: { info_seen: 2 } });
    expect(Object.keys(snap.endpoints).sort()).toEqual(['GET /info', 'GET /slow']);
    expect(paths).toEqual(['/pp-restapi-CD/slow', '/info']);
  });

  it('reads what a journey needs from any response: JSON in pieces, header case, a redirect, a BOM, other types, failures', async () => {
    target = await startTarget((req, res) => {
      const u = req.url ?? '';
      if (u === '/chunked') {
        // The body in three writes, with the header name as another server spells it.
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
        res.write('{"città":');
        setTimeout(() => { res.write('"Bolo'); setTimeout(() => res.end('gna","n":3}'), 10); }, 10);
      } else if (u === '/redirect') {
        res.writeHead(302, { Location: '/landing', 'content-type': 'text/html' });
        res.end('<a href="/landing">here</a>');
      } else if (u === '/bom') {
        res.writeHead(200, { 'content-type': 'application/problem+json' });
        res.end('\ufeff{"title":"x"}');
      } else if (u === '/text') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('{"not":"read"}');
      } else if (u === '/bad-json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"truncated":');
      } else if (u === '/empty') {
        res.writeHead(204);
        res.end();
      } else if (u === '/reset') {
        req.socket.destroy();
      }
      // '/hang': never answered (headers timeout)
    });
    setEpoch(Date.now());
    pools = new OriginPools({ io: target.url }, { connections: 2, pipelining: 1, timeoutMs: 5000 });
    const c = new ArrivalClient(pools, new Recorder(), new Map<string, EndpointStats>(), { index: 0, citizen: 0, intendedMs: now() }, 1, () => false);
    const get = (path: string, extra: { expect?: number[]; timeoutMs?: number } = {}) =>
      c.request({ origin: 'io', method: 'GET', path, endpoint: `GET ${path}`, ...extra });
    expect(await get('/chunked')).toMatchObject({ status: 200, ok: true, json: { città: 'Bologna', n: 3 } });
    const redirect = await get('/redirect', { expect: [302] });
    expect(redirect).toMatchObject({ status: 302, ok: true, location: '/landing' });
    expect(redirect.json).toBeUndefined();
    expect((await get('/bom')).json).toEqual({ title: 'x' });
    expect((await get('/text')).json).toBeUndefined();
    expect(await get('/bad-json')).toMatchObject({ status: 200, ok: true, json: undefined });
    expect(await get('/empty')).toMatchObject({ status: 204, ok: true, json: undefined });
    expect(await get('/reset')).toMatchObject({ status: 0, ok: false, failure: 'reset' });
    expect(await get('/hang', { timeoutMs: 200 })).toMatchObject({ status: 0, ok: false, failure: 'timeout' });
  });

  it('gives every arrival its own deterministic random stream', () => {
    pools = new OriginPools({ io: 'http://127.0.0.1:9' }, { connections: 1, pipelining: 1, timeoutMs: 100 });
    const mk = (index: number) => new ArrivalClient(pools!, new Recorder(), new Map(), { index, citizen: index, intendedMs: 0 }, 42, () => false);
    const a = [mk(1).random(), mk(1).random()];
    expect(a[0]).toBe(a[1]);
    expect(mk(2).random()).not.toBe(a[0]);
  });
});
