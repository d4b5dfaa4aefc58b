/**
 * The per-core baseline of `npm run bench -- server`: a bare Hono app on @hono/node-server with
 * one JSON GET route (the same body as the reference server's GET /info), nothing else. It prints
 * `listening on URL` once ready. Run as its own process, pinned like the server it is compared to.
 *
 * @example
 * taskset -c 1 node --import tsx bench/server/bare-hono-app.ts
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/info', (c) => c.json({ version: '7.9.0-picco', min_app_version: { ios: '0.0.0', android: '0.0.0' },
  min_app_version_pagopa: { ios: '0.0.0', android: '0.0.0' } }, 200));

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  process.stdout.write(`listening on http://127.0.0.1:${info.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
