/**
 * A real Prometheus (the Debian binary) for tests: loopback port, temp data dir, and a config
 * generated from dashboards/prometheus.yml with the targets swapped for the test's own and a
 * 1 s scrape/evaluation interval, so the committed config and rules are what gets exercised.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import YAML from 'yaml';

export const DASHBOARDS = resolve(import.meta.dirname, '..', '..', 'dashboards');

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

export interface TestPrometheus {
  url: string;
  configPath: string;
  stop(): Promise<void>;
  query(q: string, time?: number): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  queryRange(q: string, startS: number, endS: number, stepS: number): Promise<{ status: string; error?: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>;
  waitForTargetsUp(n: number, timeoutMs?: number): Promise<void>;
}

/** `targets`: job name in dashboards/prometheus.yml → host:port. */
export async function startPrometheus(targets: Record<string, string>): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'picco-prom-'));
  const cfg = YAML.parse(readFileSync(join(DASHBOARDS, 'prometheus.yml'), 'utf8')) as {
    global: Record<string, unknown>;
    rule_files: string[];
    scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
  };
  cfg.global['scrape_interval'] = '1s';
  cfg.global['evaluation_interval'] = '1s';
  cfg.rule_files = cfg.rule_files.map((f) => join(DASHBOARDS, f));
  for (const sc of cfg.scrape_configs) {
    const t = targets[sc.job_name];
    if (t === undefined) throw new Error(`no test target for job ${sc.job_name}`);
    sc.static_configs = [{ targets: [t] }];
  }
  const configPath = join(dir, 'prometheus.yml');
  writeFileSync(configPath, YAML.stringify(cfg));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('prometheus', [
    `--config.file=${configPath}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn', '--storage.tsdb.retention.time=1h', '--web.enable-lifecycle',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
    const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`prometheus not ready in 30 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  async function api<T>(path: string, params: Record<string, string>): Promise<{ status: string; error?: string; data: T }> {
    const u = new URL(path, url);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return (await (await fetch(u)).json()) as { status: string; error?: string; data: T };
  }
  return {
    url,
    configPath,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
    async query(q, time) {
      const r = await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>('/api/v1/query', { query: q, ...(time ? { time: String(time) } : {}) });
      if (r.status !== 'success') throw new Error(`query ${q}: ${r.error}`);
      return r.data.result;
    },
    async queryRange(q, startS, endS, stepS) {
      const r = await api<{ result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>('/api/v1/query_range', {
        query: q, start: String(startS), end: String(endS), step: String(stepS),
      });
      return { status: r.status, ...(r.error ? { error: r.error } : {}), result: r.data?.result ?? [] };
    },
    async waitForTargetsUp(n, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const r = await api<{ activeTargets: Array<{ health: string }> }>('/api/v1/targets', {});
        const up = r.data.activeTargets.filter((t) => t.health === 'up').length;
        if (up >= n) return;
        if (Date.now() > end) throw new Error(`only ${up}/${n} targets up: ${JSON.stringify(r.data.activeTargets)}`);
        await new Promise((res) => setTimeout(res, 250));
      }
    },
  };
}
