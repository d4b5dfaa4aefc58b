/**
 * autocannon (npm) as the engine's peer: `autocannon -c 64 --overallRate R` against the same
 * nginx, in a child pinned to the generator core, with that process's own event-loop delay
 * (perf_hooks monitorEventLoopDelay, as picco measures its engine thread). autocannon is closed
 * loop with a rate limit: each of its connections sends its share of R; its latency is from its
 * own send, back-filled by HdrHistogram's expected-interval correction (1 ms here), and kept in
 * whole milliseconds.
 *
 * @example
 * const a = await runAutocannon(url, 10_000, 8); // { rate, p50, p99, eldP99, eldMax, errors }
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { GEN_CPU } from './lib.ts';

export interface AutocannonResult {
  /** Requests completed per second. */
  rate: number;
  p50: number;
  p99: number;
  max: number;
  /** The autocannon process's event-loop delay over the run, ms. */
  eldP99: number;
  eldMax: number;
  errors: number;
}

/** Runs autocannon in a child pinned to the generator core. */
export function runAutocannon(url: string, rate: number, seconds: number, connections = 64): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const self = fileURLToPath(import.meta.url);
    const child = spawn('taskset', ['-c', String(GEN_CPU), process.execPath, '--import', 'tsx', self, url, String(rate), String(seconds), String(connections)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(out) as AutocannonResult);
      } catch (err) {
        reject(new Error(`autocannon peer failed: ${String(err)} ${out.slice(-500)}`));
      }
    });
  });
}

// Child mode: `node --import tsx bench/autocannon-peer.ts URL RATE SECONDS CONNECTIONS` prints one JSON line.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] !== undefined) {
  const [url, rate, seconds, connections] = process.argv.slice(2) as [string, string, string, string];
  const name = 'autocannon'; // no type declarations ship with it: imported by name, typed here
  const { default: autocannon } = (await import(name)) as {
    default: (o: Record<string, unknown>) => Promise<{ latency: Record<string, number>; requests: { total: number }; errors: number; non2xx: number; duration: number }>;
  };
  // A short warm-up run first, as picco warms up before its clock: connections and code.
  await autocannon({ url, connections: Number(connections), duration: 1, overallRate: Number(rate) });
  const eld = monitorEventLoopDelay({ resolution: 5 });
  eld.enable();
  const r = await autocannon({ url, connections: Number(connections), duration: Number(seconds), overallRate: Number(rate) });
  eld.disable();
  const ms = (ns: number): number => Math.round(Math.max(0, ns / 1e6 - 5) * 1000) / 1000;
  const result: AutocannonResult = {
    rate: Math.round(r.requests.total / r.duration),
    p50: r.latency.p50 ?? 0,
    p99: r.latency.p99 ?? 0,
    max: r.latency.max ?? 0,
    eldP99: ms(eld.percentile(99)),
    eldMax: ms(eld.max),
    errors: r.errors + r.non2xx,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}
