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

/** `wrk -t1 -c64` pinned to the generator core; requests per second. */
export async function runWrk(url: string, seconds: number, connections = 64): Promise<number> {
  const r = await sh('taskset', ['-c', String(GEN_CPU), 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, url]);
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  if (m === null) throw new Error(`wrk printed no rate: ${r.stdout} ${r.stderr}`);
  return Number(m[1]);
}

export interface PiccoResult {
  code: number;
  summary: {
    requests: { total: number; ok: number; failed: number; dropped: number; intended: number };
    rate: { target: number; achieved: number; requests: number };
    latencyMs: { p50: number; p99: number };
    serviceTimeMs: { p50: number; p99: number };
    generator: { lagP99Ms: number; cpu: number[] };
    valid: boolean;
  };
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
  rmSync(out, { recursive: true, force: true });
  return { code: r.code, summary, wallS };
}

/** A rate is sustained when the run is valid, nothing was dropped and ≥ 99 % of arrivals completed ok. */
export function sustained(r: PiccoResult): boolean {
  const s = r.summary;
  return s.valid && s.requests.dropped === 0 && s.requests.ok >= 0.99 * s.requests.intended;
}

/**
 * The highest sustained rate: probes upward from `start`, then bisects between the last good
 * and first bad rate. Each probe is a full `picco run` of `seconds`.
 */
export async function maxSustained(url: string, start: number, ceiling: number, seconds: number, extra: string[] = [], log: (s: string) => void = () => {}): Promise<number> {
  let good = 0;
  let bad = ceiling * 1.5;
  let rate = Math.round(start);
  for (let i = 0; i < 7; i++) {
    const r = await runPicco(url, rate, seconds, extra);
    const ok = sustained(r);
    log(`    probe ${rate}/s: ${ok ? 'sustained' : 'not sustained'} (ok ${r.summary.requests.ok}/${r.summary.requests.intended}, dropped ${r.summary.requests.dropped}, lag p99 ${r.summary.generator.lagP99Ms} ms, p99 ${r.summary.latencyMs.p99} ms, cpu ${r.summary.generator.cpu.join('/')})`);
    if (ok) good = Math.max(good, rate);
    else bad = Math.min(bad, rate);
    if (bad - good <= Math.max(1000, good * 0.04)) break;
    rate = bad >= ceiling * 1.5 ? Math.round(Math.min(rate * 1.25, ceiling * 1.2)) : Math.round((good + bad) / 2);
  }
  return good;
}
