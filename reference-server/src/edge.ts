/**
 * The first stage of every route (chain.ts) and the not-found handler: gives the request its
 * AppContext, times it, turns any error into the error envelope (errors.ts), records
 * http_requests_total / http_request_duration_seconds under the route's label and writes the
 * optional log line. A stage may relabel the request (`c.set('route', ...)`: refusals count as
 * `admission:<class>`), never with anything from the request itself, so labels stay a closed set.
 *
 * @example
 * app.get('/info', chain([edge(ctx, 'GET /info', log), getInfo]));
 */
import type { Context } from 'hono';
import { ApiError } from './errors.ts';
import { DownstreamError } from './downstream/simulator.ts';
import { StorageFailure } from './storage/storage.ts';
import type { Stage } from './chain.ts';
import type { AppContext, AppEnv } from './context.ts';

export type LogLine = (line: string) => void;

/** Any error as the API's answer: ApiError as it is, downstream and storage failures as 503/504, the rest 500 (logged). */
export function errorResponse(err: unknown, c: Context<AppEnv>, log: LogLine | undefined): Response {
  let e: ApiError;
  if (err instanceof ApiError) e = err;
  else if (err instanceof DownstreamError) e = new ApiError(err.kind === 'timeout' ? 'downstream.timeout' : 'downstream.unavailable', `${err.service}: ${err.kind}`);
  else if (err instanceof StorageFailure && err.injected) e = new ApiError('downstream.unavailable', 'injected storage failure');
  else if (err instanceof StorageFailure) e = new ApiError('downstream.unavailable', 'the database is unavailable');
  else {
    e = new ApiError('internal.error');
    log?.(JSON.stringify({ t: new Date().toISOString(), level: 'error', error: err instanceof Error ? err.name : 'unknown',
      code: (err as { code?: unknown }).code }));
  }
  return c.json(e.envelope(), e.status as 400);
}

/** Records one answered request (metrics, log line) and hands its response on. */
export function answered(ctx: AppContext, log: LogLine | undefined, label: string, t0: number, res: Response): Response {
  const seconds = (performance.now() - t0) / 1000;
  ctx.metrics.http.record(label, res.status, seconds);
  if (log !== undefined) {
    const sp = label.indexOf(' ');
    log(JSON.stringify({ t: new Date().toISOString(), method: label.slice(0, sp), route: label.slice(sp + 1), status: res.status,
      ms: Math.round(seconds * 1e4) / 10 }));
  }
  return res;
}

export function edge(ctx: AppContext, label: string, log: LogLine | undefined): Stage {
  return (c, next) => {
    c.set('ctx', ctx);
    const t0 = performance.now();
    let r: Response | Promise<Response>;
    try {
      r = next();
    } catch (err) {
      r = errorResponse(err, c, log);
    }
    if (r instanceof Promise) {
      return r.then((res) => answered(ctx, log, c.get('route') ?? label, t0, res),
        (err: unknown) => answered(ctx, log, c.get('route') ?? label, t0, errorResponse(err, c, log)));
    }
    return answered(ctx, log, c.get('route') ?? label, t0, r);
  };
}
