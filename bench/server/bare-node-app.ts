/**
 * The floor under the bare Hono baseline: Node's own HTTP server (node:http) with the same two
 * routes as bare-hono-app.ts, the same bodies and answers, and no framework: GET /info answers
 * the JSON, POST /pp-restapi-CD/v1/wallet/cc reads and parses the card body and answers a
 * wallet of the same shape. What the bare Hono app costs above this is Hono and its Node
 * adapter; what this costs is Node's HTTP on this core, which picco's server pays as well.
 * It prints `listening on URL` once ready. Run as its own process, pinned like the server it is
 * compared to.
 *
 * @example
 * taskset -c 1 node --import tsx bench/server/bare-node-app.ts
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const INFO = JSON.stringify({ version: '7.9.0-picco', min_app_version: { ios: '0.0.0', android: '0.0.0' },
  min_app_version_pagopa: { ios: '0.0.0', android: '0.0.0' } });

let id = 0;

function json(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function addCard(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const card = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { creditCard: { pan: string; holder: string; expireMonth: string; expireYear: string } } }).data.creditCard;
    id++;
    json(res, 200, JSON.stringify({ data: { idWallet: id, type: 'CREDIT_CARD', favourite: false,
      creditCard: { id, pan: `************${card.pan.slice(-4)}`, brand: 'VISA', brandLogo: '/assets/brands/visa.png', expireMonth: card.expireMonth,
        expireYear: card.expireYear, holder: card.holder, hpan: '0'.repeat(64), flag3dsVerified: false, onUs: false },
      pspEditable: true, isPspToIgnore: false, registeredNexi: false, saved: false, services: ['pagoPA', 'BPD', 'FA'],
      onboardingChannel: 'IO' } }));
  });
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/info') json(res, 200, INFO);
  else if (req.method === 'POST' && req.url === '/pp-restapi-CD/v1/wallet/cc') addCard(req, res);
  else json(res, 404, '{"error":"not found"}');
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
