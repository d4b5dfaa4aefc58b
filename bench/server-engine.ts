/**
 * The engine bench against the reference server's GET /info (picco serve on core 1, SQLite):
 * ceiling (picco ÷ wrk -t1 -c64) and rate accuracy (server-side count from its
 * http_requests_total on /metrics when it exposes one, else picco's completed count, said so).
 * Skipped, saying why, while `picco serve` does not exist yet.
 *
 * `npm run bench -- server-engine [--quick]`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startEmbeddedServer } from '../cli/embedded-server.ts';
import { maxSustained, ROOT, runPicco, runWrk, TARGET_CPU } from './lib.ts';

const out = (s: string): void => {
  process.stdout.write(s + '\n');
};

async function infoCount(base: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${base}/metrics`);
    if (!res.ok) return undefined;
    const text = await res.text();
    let n = 0;
    let seen = false;
    for (const line of text.split('\n')) {
      if (line.startsWith('http_requests_total{') && /route="\/info"/.test(line)) {
        n += Number(line.split(' ').pop());
        seen = true;
      }
    }
    return seen ? n : undefined;
  } catch {
    return undefined;
  }
}

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  if (!existsSync(join(ROOT, 'cli', 'serve.ts'))) {
    out('  skipped: `picco serve` is not there yet (cli/serve.ts missing)');
    return;
  }
  let srv;
  try {
    srv = await startEmbeddedServer({ cpu: TARGET_CPU });
  } catch (err) {
    out(`  skipped: the reference server did not start: ${(err as Error).message.slice(0, 300)}`);
    return;
  }
  try {
    const url = `${srv.url}/info`;
    out(`  target: picco serve (core 1) GET ${url}`);
    const wrk = await runWrk(url, quick ? 5 : 10);
    out(`  wrk -t1 -c64: ${Math.round(wrk.rate)} req/s`);
    const best = await maxSustained(url, wrk.rate * 0.4, wrk.rate * 2, quick ? 4 : 5, ['--connections', '64'], out);
    const picco = best.rate;
    out(`  picco max sustained: ${picco} req/s, ${best.usPerRequest} µs CPU/request`);
    const wrk2 = await runWrk(url, quick ? 5 : 10);
    const ref = Math.max(wrk.rate, wrk2.rate);
    out(`  wrk -t1 -c64 again: ${Math.round(wrk2.rate)} req/s; reference ${Math.round(ref)} req/s`);
    out(`  SERVER CEILING: picco/wrk = ${(picco / ref).toFixed(2)} (goal >= 0.70; the server, not the generator, is usually the limit here)`);
    const seconds = quick ? 10 : 30;
    const rate = Math.min(8000, Math.floor((picco * 0.8) / 100) * 100 || 100);
    const before = await infoCount(srv.url);
    const r = await runPicco(url, rate, seconds);
    const after = await infoCount(srv.url);
    const warm = (r.summary as unknown as { generator: { warmup: number } }).generator.warmup;
    const intended = rate * seconds;
    const counted = before !== undefined && after !== undefined ? after - before - warm : r.summary.requests.total;
    const source = before !== undefined && after !== undefined ? 'server http_requests_total' : "picco's own count (server has no /metrics)";
    const err = ((counted - intended) / intended) * 100;
    out(`  rate accuracy at ${rate} rps for ${seconds} s: ${counted} counted by ${source} for ${intended} intended (${err >= 0 ? '+' : ''}${err.toFixed(3)} %); ` +
      `lag p99 ${r.summary.generator.lagP99Ms} ms, dropped ${r.summary.requests.dropped}, latency p99 ${r.summary.latencyMs.p99} ms, exit ${r.code}`);
  } finally {
    await srv.stop();
  }
}
