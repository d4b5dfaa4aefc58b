/**
 * `npx tsx bench/server/logins.ts [FLOWS=4000] [--compare=DIR]`: what a login costs the server.
 * One `picco serve` (SQLite) pinned to core 1; from this process, 32 citizens at a time each
 * make the app's login flow (POST /test-login, GET /api/v1/session, GET start-session with the
 * walletToken: three requests, three durable writes), FLOWS new citizens a round, three rounds
 * after a warm-up of 1,000. Prints the flows per second and the server's CPU per flow (all its
 * threads). `--compare=DIR` starts DIR's server beside this checkout's and alternates the two,
 * so a shared box's drift falls on both. Run it pinned with `taskset -c 0` (the generator core).
 */
import { join, resolve } from 'node:path';
import { tokensFor } from '../server-surge.ts';
import { startPiccoServe } from './processes.ts';

const args = process.argv.slice(2);
const flows = Number(args.find((a) => !a.startsWith('--')) ?? 4000);
const other = args.find((a) => a.startsWith('--compare='))?.slice('--compare='.length);
const builds = [{ label: 'this checkout', bin: undefined as string | undefined }];
if (other !== undefined) builds.push({ label: other, bin: join(resolve(other), 'bin', 'picco.js') });

const targets = [];
for (const b of builds) targets.push({ ...b, t: await startPiccoServe({}, [], b.bin) });
try {
  await Promise.all(targets.map((x) => tokensFor(x.t.url, 1000, 1_000_000)));
  for (let round = 0; round < 3; round++) {
    for (const x of round % 2 === 0 ? targets : [...targets].reverse()) {
      const c0 = x.t.cpuSeconds();
      const w0 = performance.now();
      await tokensFor(x.t.url, flows, 2_000_000 + round * 100_000);
      const cpu = x.t.cpuSeconds() - c0;
      const wall = (performance.now() - w0) / 1000;
      process.stdout.write(`${x.label}, round ${round}: ${Math.round(flows / wall)} login flows/s, server ${Math.round((cpu * 1e6) / flows)} µs CPU per flow (3 requests), its core ${Math.round((100 * cpu) / wall)} % busy\n`);
    }
  }
} finally {
  for (const x of targets) await x.t.stop();
}
