/**
 * Starts `picco serve` as a real child process (its own process group, so SIGKILL reaches every
 * cluster worker) and parses the one ready line. Used by the durability, cluster and flood tests.
 *
 * @example
 * const srv = await startServer(['--db', 'sqlite:/tmp/x.db']); ...; await srv.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/picco.js', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the server printed (stdout + stderr). */
  output(): string;
  /** SIGKILL to the whole process group, then waits for exit. */
  kill(): Promise<void>;
  /** SIGTERM, waits for exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/**
 * `prefix` wraps the node command (e.g. taskset); `nodeArgs` go to node itself (e.g. --cpu-prof);
 * `bin` is another checkout's bin/picco.js (benchmarks comparing two builds in one run).
 */
export function startServer(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000, prefix: string[] = [],
  nodeArgs: string[] = [], bin = BIN): Promise<ServerProcess> {
  const [cmd, ...pre] = [...prefix, process.execPath];
  const child = spawn(cmd!, [...pre, ...nodeArgs, bin, 'serve', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalGroup = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  return new Promise<ServerProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      signalGroup('SIGKILL');
      reject(new Error(`picco serve did not become ready in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const m = /picco serve listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.on('data', (c: Buffer) => { out += c.toString('utf8'); });
        resolve({
          url: m[1]!,
          child,
          output: () => out,
          async kill() {
            signalGroup('SIGKILL');
            await exited;
          },
          async stop() {
            signalGroup('SIGTERM');
            const t = setTimeout(() => signalGroup('SIGKILL'), 10_000);
            await exited;
            clearTimeout(t);
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`picco serve exited with ${code} before it was ready:\n${out}`));
    });
  });
}
