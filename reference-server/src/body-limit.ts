/**
 * The request body size limit (`config.bodyLimitBytes`), as one stage that may run more than
 * once per request: the idempotency stage reads the body before the route does, so it runs this
 * first, and the route's own copy must then leave the (already limited, possibly already read)
 * body alone. A body over the limit is 413 `request.too_large`, nothing stored.
 *
 * With a Content-Length the check needs no stream and no promise (node's parser holds the body to
 * it, and touching `c.req.raw.body` would build a web Request: ~15 % of a card addition); a
 * chunked body is counted as it streams.
 *
 * @example
 * chain([edge, limitBody, idempotency, handler]);
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './errors.ts';
import { header } from './request-header.ts';
import type { Stage } from './chain.ts';
import type { AppEnv } from './context.ts';

/** Requests whose body is already under a limit (the limited Request hono substitutes). */
const limited = new WeakSet<Request>();
const DIGITS = /^\d+$/;

function tooLarge(max: number): never {
  throw new ApiError('request.too_large', `the limit is ${max} bytes`);
}

export const limitBody: Stage = (c, next) => {
  const method = c.req.method;
  if (method === 'GET' || method === 'DELETE' || limited.has(c.req.raw)) return next();
  const max = c.get('ctx').config.bodyLimitBytes;
  const length = header(c, 'content-length');
  if (length !== undefined && DIGITS.test(length)) {
    if (Number(length) > max) tooLarge(max);
    limited.add(c.req.raw);
    return next();
  }
  const streamed = bodyLimit({ maxSize: max, onError: () => tooLarge(max) }) as unknown as MiddlewareHandler<AppEnv>;
  return streamed(c as Context<AppEnv>, async () => {
    limited.add(c.req.raw);
    await next();
  });
};
