/**
 * The processes the `server` bench rows measure, each pinned to the target core (the load
 * generator runs on the other): the bare Hono baseline app and `picco serve` on a throwaway
 * SQLite file. Both are stopped by the row that started them.
 *
 * @example
 * const hono = await startBareHono(); ...; await hono.stop();
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGET_CPU } from '../lib.ts';
import { startServer, type ServerProcess } from '../../test/resilience/server-process.ts';

export interface Target {
  url: string;
  stop(): Promise<void>;
}

const BARE = fileURLToPath(new URL('./bare-hono-app.ts', import.meta.url));

export function startBareHono(): Promise<Target> {
  const child = spawn('taskset', ['-c', String(TARGET_CPU), process.execPath, '--import', 'tsx', BARE], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise<Target>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`bare Hono app did not start: ${out}`)), 20_000);
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m === null) return;
      clearTimeout(t);
      resolve({
        url: m[1]!,
        stop: () => new Promise<void>((r) => {
          if (child.exitCode !== null) return r();
          child.once('exit', () => r());
          child.kill('SIGTERM');
        }),
      });
    });
    child.once('exit', (code) => reject(new Error(`bare Hono app exited (${code}): ${out}`)));
  });
}

/** `picco serve` with its defaults (admission on, per-token limits on) on a fresh SQLite file. */
export async function startPiccoServe(env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Target & { srv: ServerProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'picco-bench-server-'));
  const srv = await startServer(['--db', `sqlite:${join(dir, 'bench.sqlite')}`], env, 30_000,
    ['taskset', '-c', String(TARGET_CPU)], nodeArgs);
  return {
    url: srv.url,
    srv,
    async stop() {
      await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
