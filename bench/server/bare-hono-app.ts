/**
 * The per-core baselines of `npm run bench -- server`: a bare Hono app on @hono/node-server with
 * one JSON GET route (the same body as the reference server's GET /info) and one POST route at
 * the card addition's path that reads and parses the JSON body and answers a wallet of the same
 * shape and size as the reference server's, with no validation, no storage and no auth: the
 * floor of a JSON write over HTTP in Node on this core. It prints `listening on URL` once ready.
 * Run as its own process, pinned like the server it is compared to.
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

let id = 0;
app.post('/pp-restapi-CD/v1/wallet/cc', async (c) => {
  const card = (JSON.parse(await c.req.text()) as { data: { creditCard: { pan: string; holder: string; expireMonth: string; expireYear: string } } }).data.creditCard;
  id++;
  return c.json({ data: { idWallet: id, type: 'CREDIT_CARD', favourite: false,
    creditCard: { id, pan: `************${card.pan.slice(-4)}`, brand: 'VISA', brandLogo: '/assets/brands/visa.png', expireMonth: card.expireMonth,
      expireYear: card.expireYear, holder: card.holder, hpan: '0'.repeat(64), flag3dsVerified: false, onUs: false },
    pspEditable: true, isPspToIgnore: false, registeredNexi: false, saved: false, services: ['pagoPA', 'BPD', 'FA'],
    onboardingChannel: 'IO' } }, 200);
});

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  process.stdout.write(`listening on http://127.0.0.1:${info.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
