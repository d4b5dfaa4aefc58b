/**
 * `picco serve --workers N`: a node:cluster primary that forks N server workers sharing one
 * listening socket, and prints the one ready line (`picco serve listening on http://...`) when
 * every worker listens. Workers are stateless Hono apps over PostgreSQL: duplicate cards, hpan
 * ownership, idempotency keys and write rate limits live in the database, so any worker can
 * answer any request and a killed worker loses nothing but its in-flight requests.
 *
 * Trade-off: the primary does no request work (it only supervises), which costs one mostly
 * idle process; in return a crashing worker is replaced (with 1 s back-off, so a worker that
 * dies at start does not fork-bomb) and SIGTERM drains every worker before exit.
 * Workers run with stdout piped so their own ready lines are swallowed; everything else they
 * print is forwarded unchanged.
 *
 * @example
 * if (workers > 1 && cluster.isPrimary) return runPrimary({ workers });
 */
import cluster, { type Worker } from 'node:cluster';

export interface PrimaryOptions {
  workers: number;
  /** Where the ready line and forwarded output go. Default process.stdout. */
  out?: NodeJS.WritableStream;
  /** Host in the ready line. Default 127.0.0.1. */
  host?: string;
}

const READY = /^picco serve listening on (\S+)\s*$/;

/** `--workers N` with a store that cannot be shared by N processes is a usage error. */
export function workersProblem(workers: number, dbUrl: string | undefined): string | undefined {
  if (workers <= 1) return undefined;
  if (dbUrl !== undefined && /^postgres(ql)?:\/\//.test(dbUrl)) return undefined;
  return `--workers ${workers} needs --db postgres://...: the embedded SQLite store serves one process (use --workers 1 or PostgreSQL)`;
}

/** Runs the primary until SIGTERM/SIGINT; resolves with the exit code. */
export function runPrimary(opts: PrimaryOptions): Promise<number> {
  const out = opts.out ?? process.stdout;
  const host = opts.host ?? '127.0.0.1';
  cluster.setupPrimary({ silent: true });
  let stopping = false;
  let announced = false;
  let port: number | undefined;
  const listening = new Set<number>();
  const alive = new Set<Worker>();

  const forward = (w: Worker): void => {
    let buf = '';
    w.process.stdout?.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!READY.test(line)) out.write(`${line}\n`);
        nl = buf.indexOf('\n');
      }
    });
    w.process.stderr?.pipe(process.stderr, { end: false });
  };

  const fork = (): void => {
    const w = cluster.fork({ PICCO_CLUSTER_WORKER: '1' });
    alive.add(w);
    forward(w);
  };

  return new Promise<number>((resolve) => {
    cluster.on('listening', (w, address) => {
      port ??= address.port;
      listening.add(w.id);
      if (!announced && listening.size >= opts.workers) {
        announced = true;
        out.write(`picco serve listening on http://${host}:${port}\n`);
      }
    });
    cluster.on('exit', (w, code, signal) => {
      alive.delete(w);
      listening.delete(w.id);
      if (stopping) {
        if (alive.size === 0) resolve(0);
        return;
      }
      process.stderr.write(`picco serve: worker ${w.id} exited (${signal ?? code}); starting a new one\n`);
      setTimeout(() => { if (!stopping) fork(); }, 1000).unref();
    });
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      if (alive.size === 0) resolve(0);
      for (const w of alive) w.process.kill('SIGTERM');
      // A worker that does not drain in 10 s is killed; nothing it acknowledged is lost.
      setTimeout(() => { for (const w of alive) w.process.kill('SIGKILL'); }, 10_000).unref();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    for (let i = 0; i < opts.workers; i++) fork();
  });
}

/** True inside a worker forked by runPrimary. */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}
