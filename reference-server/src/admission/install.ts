/**
 * Everything issue 7 adds to the request path, as stages createApp puts in every route's chain
 * right after the edge (so shed and limited requests are counted):
 *   1. admission control (bulkheads per route class, adaptive limits, loop-lag shedding) → 503;
 *   2. request rate per bearer token (writes counted in the database when it can; a card
 *      addition's hit rides in the card's own statement) → 429;
 *   3. Idempotency-Key on POST /v1/wallet/cc and PUT /bpd/io/payment-instruments/{hpan}.
 * Refusals carry the server's error envelope and a Retry-After; their route label is
 * `admission:<class>` so dashboards show what was shed without an unbounded label set.
 *
 * Environment (read once, by `picco serve`): PICCO_ADMISSION=off disables 1 (for comparison
 * runs); PICCO_RATE_LIMIT_WRITES / PICCO_RATE_LIMIT_READS set 2's budgets per token per second
 * (defaults 20 and 100).
 *
 * @example
 * const { stages } = installResilience(app, ctx);
 * chain([edge, ...stages('POST', '/pp-restapi-CD/v1/wallet/cc'), handler]);
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { ApiError, type ErrorCode } from '../errors.ts';
import { bearerToken } from '../auth.ts';
import type { AppContext, AppEnv } from '../context.ts';
import type { TokenKind } from '../storage/storage.ts';
import { idempotency } from '../idempotency/middleware.ts';
import { limitBody } from '../body-limit.ts';
import { isIdempotencyStore, isRateLimitStore } from '../idempotency/store.ts';
import { admission, type Admission } from './middleware.ts';
import { rateLimit } from './rate-limit.ts';
import { gatedCreateServer } from './node-gate.ts';
import { header } from '../request-header.ts';
import type { Stage } from '../chain.ts';

const CARD_ROUTE = 'POST /pp-restapi-CD/v1/wallet/cc';

const gates = new WeakMap<object, { adm: Admission; ctx: AppContext }>();

/**
 * Options for @hono/node-server's `serve` that put admission control in the raw request
 * listener; `{}` when admission is off (PICCO_ADMISSION=off).
 */
export function gatedServeOptions(app: object): { createServer?: typeof import('node:http').createServer } {
  const g = gates.get(app);
  if (g === undefined) return {};
  const { metrics } = g.ctx;
  return {
    createServer: gatedCreateServer(g.adm, {
      onRefuse: (method, r) => {
        metrics.http.record(`${method} admission:${r.routeClass}`, 503, 0);
      },
    }),
  };
}

export interface ResilienceOptions {
  env?: NodeJS.ProcessEnv;
}

function problem(c: Context, status: number, code: ErrorCode, detail: string): Response {
  const e = new ApiError(code, detail, status);
  return c.json(e.envelope(), status as 400);
}

function ownerOf(ctx: AppContext, kind: TokenKind) {
  return async (c: Context): Promise<string | undefined> => {
    const token = bearerToken(header(c, 'authorization'));
    if (token === undefined) return undefined;
    return (await ctx.storage.findToken(token, kind, ctx.clock.now()))?.fiscalCode;
  };
}

const num = (v: string | undefined, d: number): number => (v !== undefined && Number(v) > 0 ? Number(v) : d);

/** The resilience layer's stages for one route, in order (see the header). */
export type ResilienceStages = (method: string, path: string) => Stage[];

export function installResilience(app: Hono<AppEnv>, ctx: AppContext, opts: ResilienceOptions = {}): { adm: Admission | undefined; stages: ResilienceStages } {
  const env = opts.env ?? process.env;
  let adm: Admission | undefined;
  let inApp: Stage | undefined;
  if (env['PICCO_ADMISSION'] !== 'off') {
    adm = admission({
      registry: ctx.registry,
      refuse: (c, r) => {
        (c as Context<AppEnv>).set('route', `${c.req.method} admission:${r.routeClass}`);
        c.header('Retry-After', String(r.retryAfterS));
        return problem(c, 503, 'server.overloaded', `${r.routeClass} is at capacity (${r.reason}); retry after ${r.retryAfterS} s`);
      },
    });
    // Mounted in the node:http listener (node-gate.ts) by main.ts, where a refusal is cheapest;
    // apps driven through app.request() (tests) get the same bulkheads as a stage.
    gates.set(app, { adm, ctx });
    if (env['PICCO_ADMISSION_IN_APP'] === '1') inApp = adm as unknown as Stage;
  }
  const store = ctx.storage;
  const limit = rateLimit({
    ...(isRateLimitStore(store) ? { store } : {}),
    writesPerSecond: num(env['PICCO_RATE_LIMIT_WRITES'], 20),
    readsPerSecond: num(env['PICCO_RATE_LIMIT_READS'], 100),
    problem: (c, status, code, message) => {
      (c as Context<AppEnv>).set('route', `${c.req.method} admission:rate-limit`);
      return problem(c, status, code as ErrorCode, message);
    },
  });
  const keyedRoutes = new Map<string, Stage>();
  if (isIdempotencyStore(store)) {
    const p = (c: Context, status: number, code: string, message: string) => problem(c, status, code as ErrorCode, message);
    // One stage that steps aside at once for requests without the header (nearly all of them).
    // The stored answer or refusal it returns is set on the context here: a streamed body's limit
    // (hono's bodyLimit) drops what its inner handler returns.
    const keyed = (mw: MiddlewareHandler<AppEnv>): Stage => (c, next) =>
      header(c, 'idempotency-key') === undefined ? next() : limitBody(c, async () => {
        const r = await mw(c, async () => { await next(); });
        if (r instanceof Response) c.res = r;
        return c.res;
      });
    keyedRoutes.set(CARD_ROUTE, keyed(idempotency({ store, resolveOwner: ownerOf(ctx, 'pm'), methods: ['POST'], problem: p })));
    keyedRoutes.set('PUT /bpd/io/payment-instruments/:hpan', keyed(idempotency({ store, resolveOwner: ownerOf(ctx, 'bpd'), methods: ['PUT'], problem: p })));
  }
  const stages: ResilienceStages = (method, path) => {
    const keyed = keyedRoutes.get(`${method} ${path}`);
    // A card addition takes its write hit in its own statement (RateLimitStore.addCardCounted).
    const limited = `${method} ${path}` === CARD_ROUTE ? limit.writeCounted : limit;
    return [...(inApp !== undefined ? [inApp] : []), limited, ...(keyed !== undefined ? [keyed] : [])];
  };
  return { adm, stages };
}
