/**
 * Event-loop lag sheds low-priority work only while the server is busy: with a handful of
 * requests in flight the lag is someone else's (a neighbour on the CPU, a GC pause) and refusing
 * them relieves nothing; with many in flight, card writes are shed first and the wallet list
 * (critical) never is.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { admission } from '../../reference-server/src/admission/middleware.ts';

function appWithLag(minBusy: number) {
  const adm = admission({ loop: { minBusy } });
  adm.loop!.stop();
  adm.loop!.lagMs = 1_000; // far over every bound
  const gates: Array<() => void> = [];
  const app = new Hono();
  app.use('*', adm);
  const hold = () => new Promise<void>((r) => gates.push(r));
  app.post('/pp-restapi-CD/v1/wallet/cc', async (c) => {
    await hold();
    return c.json({ ok: true }, 200);
  });
  app.get('/pp-restapi-CD/v2/wallet', (c) => c.json({ data: [] }, 200));
  const post = () => app.request('/pp-restapi-CD/v1/wallet/cc', { method: 'POST' });
  return { adm, app, gates, post };
}

describe('loop-lag shedding', () => {
  it('admits a card write when only a few requests are in flight, however high the lag', async () => {
    const { adm, gates, post } = appWithLag(16);
    const pending = Array.from({ length: 3 }, post);
    await new Promise((r) => setImmediate(r));
    expect(adm.lagSheds('card-write')).toBe(false);
    gates.forEach((g) => g());
    const statuses = (await Promise.all(pending)).map((r) => r.status);
    expect(statuses).toEqual([200, 200, 200]);
    adm.close();
  });

  it('sheds card writes (503, Retry-After) once the server is busy, never the wallet list', async () => {
    const { adm, app, gates, post } = appWithLag(4);
    const held = Array.from({ length: 4 }, post);
    await new Promise((r) => setImmediate(r));
    const shed = await post();
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('2');
    expect(((await shed.json()) as { code: string }).code).toBe('server.overloaded');
    expect((await app.request('/pp-restapi-CD/v2/wallet')).status).toBe(200);
    gates.forEach((g) => g());
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    adm.close();
  });
});
