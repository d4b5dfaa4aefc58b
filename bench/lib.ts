/**
 * Bench plumbing: a private nginx (Debian package) on a loopback port with a temp config, wrk,
 * and `picco run` as a child process, each pinned to a core with taskset (nginx on core 1,
 * generators on core 0), so figures are ratios measured side by side in one run.
 *
 * @example
 * const ng = await startNginx(); const wrk = await runWrk(ng.url, 10); await ng.stop();
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PICCO = join(ROOT, 'bin', 'picco.js');
export const GEN_CPU = 0;
export const TARGET_CPU = 1;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export function sh(cmd: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = opts.timeoutMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('close', (code) => {
      if (t !== undefined) clearTimeout(t);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface Nginx {
  url: string;
  accessLog: string;
  /** Lines in the access log (requests served), after nginx flushed its buffer. */
  served(): Promise<number>;
  stop(): Promise<void>;
}

export async function startNginx(): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'picco-nginx-'));
  const port = await freePort();
  const log = join(dir, 'access.log');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; multi_accept on; }
http {
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  log_format bench '$status';
  access_log ${log} bench buffer=256k flush=1s;
  keepalive_requests 100000000; keepalive_timeout 120s;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / { default_type text/plain; return 200 'ok'; }
  }
}
`,
  );
  const child = spawn('taskset', ['-c', String(TARGET_CPU), 'nginx', '-c', conf, '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    if (child.exitCode !== null) throw new Error(`nginx exited: ${err}`);
    if (await canConnect(port)) break;
  }
  const lines = (): number => (existsSync(log) ? readFileSync(log, 'latin1').split('\n').length - 1 : 0);
  return {
    url,
    accessLog: log,
    async served() {
      await new Promise((r) => setTimeout(r, 1500)); // buffer flush=1s
      return lines();
    },
    async stop() {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGQUIT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `wrk -t1 -c64 --latency` pinned to the generator core: requests per second, CPU µs per request, p99 (closed loop, from send). */
export async function runWrk(url: string, seconds: number, connections = 64): Promise<{ rate: number; usPerRequest: number; requests: number; p99Ms: number }> {
  const r = await sh('/usr/bin/time', ['-f', 'CPU %U %S', 'taskset', '-c', String(GEN_CPU), 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url]);
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  const n = /(\d+) requests in/.exec(r.stdout);
  const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(r.stdout);
  if (m === null || n === null) throw new Error(`wrk printed no rate: ${r.stdout} ${r.stderr}`);
  const us = cpu === null ? 0 : ((Number(cpu[1]) + Number(cpu[2])) * 1e6) / Number(n[1]);
  const p99Ms = p99 === null ? 0 : Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1);
  return { rate: Number(m[1]), usPerRequest: Math.round(us * 100) / 100, requests: Number(n[1]), p99Ms };
}

export interface PiccoResult {
  code: number;
  summary: {
    requests: { total: number; ok: number; failed: number; dropped: number; intended: number };
    rate: { target: number; achieved: number; requests: number };
    latencyMs: { p50: number; p99: number; max: number };
    serviceTimeMs: { p50: number; p99: number };
    generator: {
      lagP99Ms: number;
      cpu: number[];
      cpuUsPerRequest: number;
      warmup: number;
      delayMs?: { p50: number; p99: number; max: number };
      threads?: Array<{ eventLoopDelayMs: { p99: number; max: number } }>;
      perSecond?: { worstMs: number; worstSecond: number | null; lateSeconds: Array<{ t: number; cause: string }> };
    };
    valid: boolean;
    invalidReasons: string[];
  };
  /** series.jsonl: each second's latency and the generator's own figures. */
  series: Array<{
    t: number;
    latencyMs: { p99: number };
    serviceTimeMs: { p99: number };
    generator?: { delayMs: { p99: number }; threads: Array<{ eventLoopDelayMs: { p99: number; max: number }; utilisation: number; runQueueMs?: number }> };
  }>;
  wallS: number;
}

/** `picco run --url` pinned to the generator core. */
export async function runPicco(url: string, rate: number, seconds: number, extra: string[] = []): Promise<PiccoResult> {
  const out = mkdtempSync(join(tmpdir(), 'picco-bench-run-'));
  const t0 = Date.now();
  const r = await sh('taskset', ['-c', String(GEN_CPU), process.execPath, PICCO, 'run', '--url', url, '--rate', String(rate), '--duration', `${seconds}s`, '--out', out, '--quiet', ...extra]);
  const wallS = (Date.now() - t0) / 1000;
  let summary: PiccoResult['summary'];
  try {
    summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as PiccoResult['summary'];
  } catch {
    throw new Error(`picco run wrote no summary (exit ${r.code}): ${r.stderr.slice(-2000)}`);
  }
  const series = readFileSync(join(out, 'series.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as PiccoResult['series'][number]);
  rmSync(out, { recursive: true, force: true });
  return { code: r.code, summary, series, wallS };
}

/** Scheduling-lag bound for a probe to count as sustained (the shared machine adds noise). */
export const PROBE_MAX_LAG_MS = 50;

/** What a probe must show to count as sustained. */
export interface SustainedCriteria {
  /** --max-lag for the probe (the generator's own delay bound, per second). Default PROBE_MAX_LAG_MS. */
  maxLagMs?: number;
  /** Latency p99 bound, ms (from the intended start). Default none. */
  maxP99Ms?: number;
}

/**
 * A rate is sustained when the run is valid (its generator delay within --max-lag in every
 * second), nothing was dropped, ≥ 99 % of arrivals completed ok, lag p99 within the bound, and the
 * latency p99 within `maxP99Ms` when given.
 */
export function sustained(r: PiccoResult, c: SustainedCriteria = {}): boolean {
  const s = r.summary;
  const lag = c.maxLagMs ?? PROBE_MAX_LAG_MS;
  return s.valid && s.requests.dropped === 0 && s.requests.ok >= 0.99 * s.requests.intended && s.generator.lagP99Ms <= lag && (c.maxP99Ms === undefined || s.latencyMs.p99 <= c.maxP99Ms);
}

/**
 * The highest sustained rate: steps up ×1.3 from `start` until a rate fails twice in a row
 * (one retry absorbs a noisy neighbour), then bisects twice between the last good and the
 * first bad rate. Each probe is a full `picco run` of `seconds`, pinned to the generator core.
 */
export async function maxSustained(
  url: string,
  start: number,
  ceiling: number,
  seconds: number,
  extra: string[] = [],
  log: (s: string) => void = () => {},
  criteria: SustainedCriteria = {},
): Promise<{ rate: number; usPerRequest: number; p99Ms: number }> {
  let bestUs = Number.POSITIVE_INFINITY;
  const p99At = new Map<number, number>();
  const probe = async (rate: number): Promise<boolean> => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await runPicco(url, rate, seconds, ['--max-lag', String(criteria.maxLagMs ?? PROBE_MAX_LAG_MS), ...extra]);
      const ok = sustained(r, criteria);
      const s = r.summary;
      const g = s.generator;
      log(`    probe ${rate}/s: ${ok ? 'sustained' : 'not sustained'} (${s.valid ? 'valid' : 'invalid'}, ok ${s.requests.ok}/${s.requests.intended}, dropped ${s.requests.dropped}, lag p99 ${g.lagP99Ms} ms, ` +
        `p99 ${s.latencyMs.p99} ms, generator delay p99 ${g.delayMs?.p99 ?? '-'} ms (worst second ${g.perSecond?.worstMs ?? '-'}), cpu ${g.cpu.join('/')}, ${g.cpuUsPerRequest} µs CPU/request)`);
      if (ok) {
        bestUs = Math.min(bestUs, g.cpuUsPerRequest);
        p99At.set(rate, s.latencyMs.p99);
        return true;
      }
    }
    return false;
  };
  const result = (r: number) => ({ rate: r, usPerRequest: Number.isFinite(bestUs) ? bestUs : 0, p99Ms: p99At.get(r) ?? 0 });
  let good = 0;
  let bad = Number.POSITIVE_INFINITY;
  let rate = Math.max(100, Math.round(start));
  while (rate <= ceiling * 1.5) {
    if (await probe(rate)) {
      good = rate;
      rate = Math.round(rate * 1.3);
    } else {
      bad = rate;
      break;
    }
  }
  if (!Number.isFinite(bad)) return result(good);
  if (good === 0) {
    // Even the start failed: step down until something holds.
    for (rate = Math.round(start / 2); rate >= 100; rate = Math.round(rate / 2)) {
      if (await probe(rate)) return result(rate);
    }
    return result(0);
  }
  for (let i = 0; i < 2; i++) {
    const mid = Math.round((good + bad) / 2);
    if (await probe(mid)) good = mid;
    else bad = mid;
  }
  return result(good);
}
