/**
 * A route's stages composed into one Hono handler (reference-server/src/chain.ts): synchronous
 * stages answer without a promise, Hono-style middleware that awaits next() and returns nothing
 * still yields the inner response, a stage may answer without calling next(), and errors reach
 * the edge's envelope with the route's label counted in http_requests_total.
 */
import { Hono } from 'hono';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { chain, type Stage } from '../../reference-server/src/chain.ts';
import { edge } from '../../reference-server/src/edge.ts';
import { ApiError } from '../../reference-server/src/errors.ts';
import { createMetrics } from '../../reference-server/src/metrics.ts';
import type { AppContext, AppEnv } from '../../reference-server/src/context.ts';

const order: string[] = [];
const mark = (name: string): Stage => (_c, next) => {
  order.push(name);
  return next();
};

function appWith(stages: Stage[]) {
  const app = new Hono<AppEnv>();
  app.get('/x', chain(stages));
  return app;
}

describe('chain', () => {
  it('runs synchronous stages in order and returns the handler\'s response without a promise', async () => {
    order.length = 0;
    const handler = chain([mark('a'), mark('b'), (c) => c.json({ ok: true }, 200)]);
    const app = new Hono<AppEnv>();
    let sync: unknown;
    app.get('/x', (c) => {
      const r = handler(c);
      sync = r instanceof Response;
      return r;
    });
    const res = await app.request('/x');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(order).toEqual(['a', 'b']);
    expect(sync).toBe(true);
  });

  it('takes the inner response from a Hono-style middleware that awaits next() and returns nothing', async () => {
    const seen: number[] = [];
    const honoStyle: Stage = async (c, next) => {
      await next();
      seen.push(c.res.status);
    };
    const res = await appWith([honoStyle, async (c) => c.json({ later: true }, 201)]).request('/x');
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ later: true });
    expect(seen).toEqual([201]);
  });

  it('lets a stage answer without calling next()', async () => {
    let reached = false;
    const res = await appWith([(c) => c.json({ refused: true }, 429), () => { reached = true; return new Response('no'); }]).request('/x');
    expect(res.status).toBe(429);
    expect(reached).toBe(false);
  });

  it('turns errors, thrown or rejected, into the envelope at the edge and counts them under the route label', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { defaultMetrics: false });
    const ctx = { metrics } as unknown as AppContext;
    const thrown = await appWith([edge(ctx, 'GET /x', undefined), () => { throw new ApiError('wallet.not_found'); }]).request('/x');
    expect(thrown.status).toBe(404);
    expect(await thrown.json()).toMatchObject({ code: 'wallet.not_found' });
    const rejected = await appWith([edge(ctx, 'GET /x', undefined), async () => { throw new ApiError('creditcard.already_exists'); }]).request('/x');
    expect(rejected.status).toBe(422);
    const text = await registry.metrics();
    expect(text).toContain('http_requests_total{method="GET",route="/x",status="404"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="/x",status="422"} 1');
  });
});
