/**
 * A private nginx (the Debian package) on an ephemeral loopback port whose access log stamps
 * every request with its arrival time in ms (`$msec`): the target's own per-second counts,
 * independent of anything picco records.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Nginx {
  url: string;
  /**
   * Arrival times (ms, wall clock) of the requests logged (all, or those for `path`), after nginx
   * flushed its buffer; HEAD requests (picco's clock-offset probes before t = 0) left out.
   */
  arrivals(path?: string): Promise<number[]>;
  /** Arrival times of the HEAD requests (clock-offset probes). */
  probes(): Promise<number[]>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const canConnect = (port: number) => new Promise<boolean>((resolve) => {
  const s = connect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});

export async function startNginx(): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'picco-nginx-'));
  const port = await freePort();
  const log = join(dir, 'access.log');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  log_format arrivals '$msec $request_method $uri $status';
  access_log ${log} arrivals buffer=64k flush=200ms;
  keepalive_requests 1000000; keepalive_timeout 120s;
  server {
    listen 127.0.0.1:${port};
    location / { default_type text/plain; return 200 'ok'; }
  }
}
`);
  const child = spawn('nginx', ['-c', conf, '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    if (child.exitCode !== null) throw new Error(`nginx exited: ${err}`);
    if (await canConnect(port)) break;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async arrivals(path?: string) {
      await new Promise((r) => setTimeout(r, 600)); // flush=200ms
      if (!existsSync(log)) return [];
      return readFileSync(log, 'latin1').split('\n').map((l) => l.split(' ')).filter((f) => f.length === 4 && f[1] !== 'HEAD' && (path === undefined || f[2] === path)).map((f) => Math.round(Number(f[0]) * 1000));
    },
    async probes() {
      await new Promise((r) => setTimeout(r, 600));
      if (!existsSync(log)) return [];
      return readFileSync(log, 'latin1').split('\n').map((l) => l.split(' ')).filter((f) => f.length === 4 && f[1] === 'HEAD').map((f) => Math.round(Number(f[0]) * 1000));
    },
    async stop() {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGQUIT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
