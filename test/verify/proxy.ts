/**
 * A mutant in front of a server this test process does not own (a spawned `picco serve`): a
 * loopback HTTP proxy whose Hono middleware changes one behaviour, forwarding everything else
 * unchanged. Redirects are passed through (the client follows them to the proxy); the 3DS
 * checkout URL the server builds names the server's own origin, so those pages bypass the
 * mutant, which is fine for mutants of other behaviours.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Hono, type MiddlewareHandler } from 'hono';
import { serve } from '@hono/node-server';

export interface Proxy {
  url: string;
  close(): Promise<void>;
}

const HOP = ['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'content-encoding'];

export async function startProxy(upstream: string, mutant: MiddlewareHandler): Promise<Proxy> {
  const app = new Hono();
  app.use('*', mutant);
  app.all('*', async (c) => {
    const u = new URL(c.req.url);
    const headers = new Headers(c.req.raw.headers);
    for (const h of HOP) headers.delete(h);
    const init: RequestInit = { method: c.req.method, headers, redirect: 'manual' };
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') init.body = await c.req.raw.arrayBuffer();
    const r = await fetch(`${upstream}${u.pathname}${u.search}`, init);
    const out = new Headers(r.headers);
    for (const h of HOP) out.delete(h);
    const body = r.status === 204 || r.status === 304 ? null : await r.arrayBuffer();
    return new Response(body, { status: r.status, headers: out });
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
    (s as Server).once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}
