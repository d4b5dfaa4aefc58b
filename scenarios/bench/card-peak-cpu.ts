/**
 * Benchmark: the engine's CPU per 1,000 card additions/s in card-peak. The target is a canned
 * responder (node:http in its own process, answering the four login calls and POST
 * /v1/wallet/cc with fixed JSON), so the figure is the generator's cost alone: journey code,
 * body rendering, transport, metrics. Prints figures; asserts nothing.
 *
 * @example
 * npx tsx scenarios/bench/card-peak-cpu.ts 0.25 20s
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RESPONDER = `
const http = require('node:http');
const body = (o) => JSON.stringify(o);
let id = 0;
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const u = req.url;
    let out;
    if (u.startsWith('/test-login')) out = body({ token: 't'.repeat(96) });
    else if (u.startsWith('/api/v1/session')) out = body({ spidLevel: 'x', walletToken: 'w'.repeat(96), myPortalToken: 'm', bpdToken: 'b'.repeat(96) });
    else if (u.startsWith('/info')) out = body({ version: '1', min_app_version: { ios: '1.12.0', android: '1.12.0' }, min_app_version_pagopa: { ios: '0.0.0', android: '0.0.0' } });
    else if (u.includes('start-session')) out = body({ data: { sessionToken: 'p'.repeat(96) } });
    else out = body({ data: { idWallet: ++id, creditCard: { pan: '************1234', brand: 'VISA', flag3dsVerified: false }, saved: false } });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(out);
  });
}).listen(0, '127.0.0.1', function () { console.log(this.address().port); });
`;

async function main(): Promise<void> {
  const scale = process.argv[2] ?? '0.25';
  const duration = process.argv[3] ?? '20s';
  const responder = spawn(process.execPath, ['-e', RESPONDER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((r) => responder.stdout!.once('data', (d: Buffer) => r(d.toString().trim())));
  const out = join(mkdtempSync(join(tmpdir(), 'picco-cpu-')), 'run');
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'picco.js');
  const run = spawn(process.execPath, [bin, 'run', 'card-peak', '--target', `http://127.0.0.1:${port}`, '--scale', scale,
    '--duration', duration, '--out', out, '--quiet', '--max-lag', '1000'], { stdio: 'inherit' });
  await new Promise((r) => run.on('close', r));
  responder.kill('SIGTERM');
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  const cpuMs = s.generator.cpuMs.user + s.generator.cpuMs.system;
  const cards = s.outcomes.wallet_cc_created ?? 0;
  const cardRate = s.endpoints['POST /v1/wallet/cc']?.count / (s.durationS * 0.75);
  console.log(JSON.stringify({
    scale, duration, cards, requests: s.requests.total, rateTarget: s.rate.target, rateAchieved: s.rate.achieved,
    cpuMs, cpuUsPerRequest: s.generator.cpuUsPerRequest, lagP99Ms: s.generator.lagP99Ms,
    /** share of one core per 1,000 POST /v1/wallet/cc per second (warm-up logins included in the cost) */
    coreSharePer1000CardsPerS: Number(((cpuMs / 1000 / s.durationS) / (cardRate / 1000)).toFixed(3)),
  }));
}

void main();
