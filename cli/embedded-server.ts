/**
 * `picco run` without --target: the reference server in its own process (never on the
 * engine's event loop), on a free loopback port with a throwaway SQLite file, stopped with
 * SIGTERM at the end. Readiness is the server's one stdout line
 * `picco serve listening on http://127.0.0.1:<port>`.
 *
 * `picco run` starts it at a lower CPU priority (nice EMBEDDED_SERVER_NICE): on a box where the
 * engine and its embedded target share the cores, the engine is the instrument, and a second in
 * which its thread waits for a core behind the server is a second whose latency is the
 * generator's (exit 98). Niced, the server runs on whatever the engine leaves, which is what it
 * would have on a box of its own minus the engine's share; its latency stays its own.
 *
 * @example
 * const srv = await startEmbeddedServer(); ...; await srv.stop();
 */
import { PiccoError } from '../harness/errors.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { getPriority, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export class EmbeddedServerError extends PiccoError {
  constructor(message: string, options?: ErrorOptions) {
    super('PICCO_ERR_EMBEDDED_SERVER', message, options);
  }
}

export const PICCO_BIN = fileURLToPath(new URL('../bin/picco.js', import.meta.url));

/** How much nicer than the engine the embedded server runs under `picco run` (0 = the engine's priority). */
export const EMBEDDED_SERVER_NICE = 5;

export interface EmbeddedServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startEmbeddedServer(opts: { timeoutMs?: number; extraArgs?: string[]; cpu?: number; nice?: number } = {}): Promise<EmbeddedServer> {
  const dir = mkdtempSync(join(tmpdir(), 'picco-serve-'));
  const args = [PICCO_BIN, 'serve', '--port', '0', '--db', `sqlite:${join(dir, 'picco.db')}`, ...(opts.extraArgs ?? [])];
  const child = opts.cpu !== undefined
    ? spawn('taskset', ['-c', String(opts.cpu), process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (opts.nice !== undefined && opts.nice !== 0 && child.pid !== undefined) {
    try {
      setPriority(child.pid, Math.min(19, getPriority() + opts.nice));
    } catch {
      // Not permitted here: the server keeps the engine's priority.
    }
  }
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new EmbeddedServerError(`reference server did not start within ${opts.timeoutMs ?? 20_000} ms: ${stderr.trim()}`)), opts.timeoutMs ?? 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /picco serve listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new EmbeddedServerError(`reference server exited (code ${code}) before it was ready: ${stderr.trim() || 'no output'}`));
    });
  });
  child.stdout!.resume();
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
