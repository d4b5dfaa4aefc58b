/**
 * The request body size limit (`config.bodyLimitBytes`), as one middleware that may run more
 * than once per request: the idempotency middleware reads the body before the route does, so it
 * mounts this first, and the route's own copy must then leave the (already limited, possibly
 * already read) body alone. A body over the limit is 413 `request.too_large`, nothing stored.
 *
 * With a Content-Length the check needs no stream (node's parser holds the body to it, and
 * touching `c.req.raw.body` would build a web Request: ~15 % of a card addition); a chunked body
 * is counted as it streams.
 *
 * @example
 * app.use('/pp-restapi-CD/v1/wallet/cc', limitBody, idempotency(...));
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './errors.ts';
import type { AppEnv } from './context.ts';

/** Requests whose body is already under a limit (the limited Request hono substitutes). */
const limited = new WeakSet<Request>();

export const limitBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === 'GET' || c.req.method === 'DELETE' || limited.has(c.req.raw)) return next();
  const max = c.get('ctx').config.bodyLimitBytes;
  const tooLarge = (): never => {
    throw new ApiError('request.too_large', `the limit is ${max} bytes`);
  };
  const length = c.req.header('content-length');
  if (length !== undefined && /^\d+$/.test(length)) {
    if (Number(length) > max) tooLarge();
    limited.add(c.req.raw);
    return next();
  }
  return bodyLimit({ maxSize: max, onError: tooLarge })(c, async () => {
    limited.add(c.req.raw);
    await next();
  });
};
