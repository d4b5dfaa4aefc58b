/**
 * One request header by its lower-case name, read from node's IncomingMessage when the app is
 * served by @hono/node-server (`c.env.incoming`), else from the web Request (app.request() in
 * tests). `c.req.header(name)` builds a web Headers object from every header of the request on
 * first use; the hot path reads two or three headers and needs none of that.
 *
 * @example
 * const auth = header(c, 'authorization');
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

export function header(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming === undefined) return c.req.header(name);
  const v = incoming.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
