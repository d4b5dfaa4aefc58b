/**
 * The real stack the Prometheus tests measure: `picco serve` (reference server, SQLite in a temp
 * file) and `picco run SCENARIO --metrics-port P` (the engine), each in its own process as a user
 * would start them, scraped by a real Prometheus configured from dashboards/prometheus.yml.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startPrometheus, type TestPrometheus } from './prometheus-harness.ts';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'picco.js');

export interface LiveStack {
  serverUrl: string;
  prom: TestPrometheus;
  runDir: string;
  runExit: number | null;
  runStderr: string;
  /** Unix seconds around the run. */
  startS: number;
  endS: number;
  stop(): Promise<void>;
}

export function startServe(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', `sqlite:${join(dir, 'picco.db')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-4000); });
  return new Promise((res, rej) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /picco serve listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) res({ child, url: m[1]! });
    });
    child.once('exit', (code) => rej(new Error(`picco serve exited ${code}: ${err}`)));
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(t);
}

export async function startLiveStack(scenario: string, runArgs: string[] = []): Promise<LiveStack> {
  const dir = mkdtempSync(join(tmpdir(), 'picco-stack-'));
  const server = await startServe(dir);
  const enginePort = await freePort();
  const serverHost = new URL(server.url).host;
  const prom = await startPrometheus({ 'picco-server': serverHost, 'picco-engine': `127.0.0.1:${enginePort}` });
  await prom.waitForTargetsUp(1);
  const runDir = join(dir, 'run');
  const startS = Date.now() / 1000;
  const run = spawn(process.execPath, [BIN, 'run', scenario, '--target', server.url, '--metrics-port', String(enginePort), '--out', runDir, '--quiet', ...runArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let runStderr = '';
  run.stderr!.on('data', (d: Buffer) => { runStderr = (runStderr + d.toString()).slice(-4000); });
  const runExit = await new Promise<number | null>((r) => run.once('exit', (c) => r(c)));
  // One more server scrape after the last request (scrape interval 1 s).
  await new Promise((r) => setTimeout(r, 2500));
  const endS = Date.now() / 1000;
  return {
    serverUrl: server.url, prom, runDir, runExit, runStderr, startS, endS,
    async stop() {
      await prom.stop();
      await stopChild(server.child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
