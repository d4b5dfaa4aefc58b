/**
 * A route's stages (edge, resilience, route checks, auth, handler) composed into ONE Hono
 * handler. Hono runs a route that has a single handler without its compose (no promise and no
 * dispatch per layer), so every stage here is a plain call, and a request whose stages are all
 * synchronous (GET /info) is answered without creating a promise at all. Measured on one core:
 * each `app.use('*')` layer cost a bare Hono route 8-12 % of its rate.
 *
 * A stage keeps Hono's middleware contract `(c, next)`: it may return a Response, or call
 * `next()` and return nothing (then the response is the inner one, kept in `c.res` as Hono's
 * compose does), so Hono middleware (the 2020 architecture's pools, the admission middleware)
 * runs unchanged as a stage. `next()` returns the inner Response, or a promise of it.
 *
 * @example
 * app.get('/info', chain([edge, getInfo]));
 */
import type { Context } from 'hono';
import type { AppEnv } from './context.ts';

export type Next = () => Response | Promise<Response>;
export type Stage = (c: Context<AppEnv>, next: Next) => Response | Promise<Response | void> | void;

/** The end of a chain whose last stage called next(): nothing handled the request. */
const pastTheEnd: Next = () => {
  throw new Error('the last stage of a route called next()');
};

/** `r` as the inner response of the stage before: kept in c.res unless a response is already final. */
function keep(c: Context<AppEnv>, r: Response | Promise<Response>): Response | Promise<Response> {
  if (r instanceof Promise) return r.then((v) => keep(c, v));
  if (!c.finalized) c.res = r;
  return r;
}

export function chain(stages: readonly Stage[]): (c: Context<AppEnv>) => Response | Promise<Response> {
  const last = stages.length - 1;
  const run = (c: Context<AppEnv>, i: number): Response | Promise<Response> => {
    const r = stages[i]!(c, i === last ? pastTheEnd : () => keep(c, run(c, i + 1)));
    if (r instanceof Promise) return r.then((v) => v ?? c.res);
    return r ?? c.res;
  };
  return (c) => run(c, 0);
}
