/**
 * Route registration with the cross-cutting parts every route shares, in one place: the route
 * label (the OpenAPI pattern, used by metrics and by the faults profile), the stages every route
 * runs first (the edge, the resilience layer: `before`), the repeated-query check, the body size
 * limit, and the injected route faults (error rate, a concurrency ceiling, added latency) that
 * let a scenario reproduce e.g. the 8 Dec 2020 wallet list failing under load. A fault answers
 * with the configured status in the envelope (`fault.injected`), so clients see it as the app did.
 * All of a route's stages become one Hono handler (chain.ts).
 *
 * @example
 * route(app, routes, before, 'GET', '/pp-restapi-CD/v2/wallet', bearer('pm'), listWalletsV2);
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';
import { limitBody } from './body-limit.ts';
import { repeatedQueryParam } from './validation.ts';
import { sampleLatency } from './downstream/latency.ts';
import { chain, type Next, type Stage } from './chain.ts';
import type { AppEnv } from './context.ts';
import type { RouteFault } from './downstream/faults.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type RouteHandler = MiddlewareHandler<AppEnv> | Stage | ((c: Context<AppEnv>) => Response | Promise<Response>);

/** Every route registered, as `METHOD /pattern` (the OpenAPI test walks this list). */
export type RouteList = string[];

/** The stages a route runs before its own, given its label (`METHOD /pattern`), method and path. */
export type Before = (label: string, method: Method, path: string) => Stage[];

const toOpenApi = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

export function route(
  app: Hono<AppEnv>,
  list: RouteList,
  before: Before,
  method: Method,
  path: string,
  ...handlers: RouteHandler[]
): void {
  const label = `${method} ${toOpenApi(path)}`;
  list.push(label);
  const inFlight = { n: 0 };
  const body = method !== 'GET' && method !== 'DELETE';
  const faulted = async (c: Context<AppEnv>, next: Next, fault: RouteFault): Promise<Response> => {
    const ctx = c.get('ctx');
    if (fault.maxConcurrency !== undefined && inFlight.n >= fault.maxConcurrency) {
      ctx.metrics.faultsInjected.labels(label).inc();
      throw new ApiError('fault.injected', `more than ${fault.maxConcurrency} requests in flight`, fault.overloadStatus ?? 503);
    }
    inFlight.n++;
    try {
      if (fault.latency !== undefined) {
        const ms = sampleLatency(fault.latency, () => ctx.random.float());
        if (ms > 0) await new Promise((r) => setTimeout(r, ms));
      }
      if (fault.errorRate !== undefined && fault.errorRate > 0 && ctx.random.float() < fault.errorRate) {
        ctx.metrics.faultsInjected.labels(label).inc();
        throw new ApiError('fault.injected', undefined, fault.errorStatus ?? 503);
      }
      return (await (body ? limitBody(c, next) : next())) ?? c.res;
    } finally {
      inFlight.n--;
    }
  };
  const checks: Stage = (c, next) => {
    const repeated = repeatedQueryParam(c.req.url);
    if (repeated !== undefined) throw new ApiError('request.invalid', `query.${repeated}: given more than once (one value expected)`);
    const fault = c.get('ctx').settings.routeFault(label);
    if (fault !== undefined) return faulted(c, next, fault);
    return body ? limitBody(c, next) : next();
  };
  const on = app.on.bind(app) as unknown as (m: string, p: string, h: (c: Context<AppEnv>) => Response | Promise<Response>) => unknown;
  on(method, path, chain([...before(label, method, path), checks, ...(handlers as Stage[])]));
}
