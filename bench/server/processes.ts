/**
 * The processes the `server` bench rows measure, each pinned to the target core (the load
 * generator runs on the other): the bare Hono baseline app, the same routes on node:http alone,
 * and `picco serve` on a throwaway SQLite file. Each is stopped by the row that started it.
 *
 * @example
 * const hono = await startBareHono(); ...; await hono.stop();
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGET_CPU } from '../lib.ts';
import { startServer, type ServerProcess } from '../../test/resilience/server-process.ts';

export interface Target {
  url: string;
  /** CPU seconds (user + system) the process used so far, from /proc (Linux). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/**
 * utime + stime of a process, or of one of its threads with `tid`, in seconds (/proc/PID/stat or
 * /proc/PID/task/TID/stat fields 14 and 15, clock ticks of 1/100 s).
 */
export function cpuSecondsOf(pid: number | undefined, tid?: string): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

const BARE_HONO = fileURLToPath(new URL('./bare-hono-app.ts', import.meta.url));
const BARE_NODE = fileURLToPath(new URL('./bare-node-app.ts', import.meta.url));

/** The bare Hono app (bare-hono-app.ts), the `1` of the table's ratios. */
export const startBareHono = (): Promise<Target> => startBareApp(BARE_HONO, 'bare Hono app');

/** The same routes on node:http alone (bare-node-app.ts): the floor under the bare Hono app. */
export const startBareNode = (): Promise<Target> => startBareApp(BARE_NODE, 'bare node:http app');

function startBareApp(file: string, name: string): Promise<Target> {
  const child = spawn('taskset', ['-c', String(TARGET_CPU), process.execPath, '--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise<Target>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name} did not start: ${out}`)), 20_000);
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m === null) return;
      clearTimeout(t);
      resolve({
        url: m[1]!,
        cpuSeconds: () => cpuSecondsOf(child.pid),
        stop: () => new Promise<void>((r) => {
          if (child.exitCode !== null) return r();
          child.once('exit', () => r());
          child.kill('SIGTERM');
        }),
      });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${out}`)));
  });
}

/**
 * `picco serve` with its defaults (admission on, per-token limits on) on a fresh SQLite file;
 * `bin`: another checkout's bin/picco.js (default this one's).
 */
export async function startPiccoServe(env: Record<string, string> = {}, nodeArgs: string[] = [], bin?: string): Promise<Target & { srv: ServerProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'picco-bench-server-'));
  const srv = await startServer(['--db', `sqlite:${join(dir, 'bench.sqlite')}`], env, 30_000,
    ['taskset', '-c', String(TARGET_CPU)], nodeArgs, ...(bin !== undefined ? [bin] : []));
  return {
    url: srv.url,
    srv,
    cpuSeconds: () => cpuSecondsOf(srv.child.pid),
    async stop() {
      await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
