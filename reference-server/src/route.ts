/**
 * Route registration with the cross-cutting parts every route shares, in one place: the route
 * label (the OpenAPI pattern, used by metrics and by the faults profile), the body size limit,
 * and the injected route faults (error rate, a concurrency ceiling, added latency) that let a
 * scenario reproduce e.g. the 8 Dec 2020 wallet list failing under load. A fault answers with
 * the configured status in the envelope (`fault.injected`), so clients see it as the app did.
 *
 * @example
 * route(app, 'GET', '/pp-restapi-CD/v2/wallet', bearer('pm'), listWalletsV2);
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';
import { limitBody } from './body-limit.ts';
import { repeatedQueryParam } from './validation.ts';
import { sampleLatency } from './downstream/latency.ts';
import type { AppEnv } from './context.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type RouteHandler = MiddlewareHandler<AppEnv> | ((c: Context<AppEnv>) => Response | Promise<Response>);

/** Every route registered, as `METHOD /pattern` (the OpenAPI test walks this list). */
export type RouteList = string[];

const toOpenApi = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

export function route(
  app: Hono<AppEnv>,
  list: RouteList,
  method: Method,
  path: string,
  ...handlers: RouteHandler[]
): void {
  const label = `${method} ${toOpenApi(path)}`;
  list.push(label);
  const inFlight = { n: 0 };
  // The body limit runs inside this one middleware, not as a layer of its own (each Hono layer
  // costs a dispatch and a promise on every request).
  const body = method !== 'GET' && method !== 'DELETE';
  const pre: MiddlewareHandler<AppEnv>[] = [
    async (c, next) => {
      c.set('route', label);
      const repeated = repeatedQueryParam(c.req.url);
      if (repeated !== undefined) throw new ApiError('request.invalid', `query.${repeated}: given more than once (one value expected)`);
      const ctx = c.get('ctx');
      const fault = ctx.settings.routeFault(label);
      if (fault === undefined) return body ? limitBody(c, next) : next();
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
        await (body ? limitBody(c, next) : next());
      } finally {
        inFlight.n--;
      }
    },
  ];
  const on = app.on.bind(app) as unknown as (m: string, p: string, ...h: RouteHandler[]) => unknown;
  on(method, path, ...pre, ...handlers);
}
