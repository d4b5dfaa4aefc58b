/**
 * `picco serve [--port 8080] [--host 127.0.0.1] [--db sqlite:PATH | postgres://URL] [--workers N]
 * [--faults FILE] [--clock INSTANT | fixed:INSTANT] [--log]`: runs the reference server until
 * SIGTERM/SIGINT. When ready it prints exactly one line on stdout,
 * `picco serve listening on http://127.0.0.1:<port>` (the engine parses it; `--port 0` picks a
 * free port). Bad flags and a bad faults file exit 2 naming the flag or the file. `--workers N`
 * (N > 1) needs `--db postgres://`: a node:cluster primary forks N workers sharing the port
 * (reference-server/src/cluster/primary.ts).
 *
 * `--clock 2020-12-08T10:00:00Z` sets the server's clock (default: the system clock): it starts
 * at that instant and runs at real speed; `fixed:INSTANT` stops it there. Award periods,
 * activation dates and token expiry follow it, so the December 2020 cashback rules can be
 * exercised today (`picco verify`'s cashback-totals check needs a clock inside 8-31 Dec 2020).
 * Under `--workers` every worker is anchored to the primary's start, so they all read one time.
 *
 * @example
 * picco serve --port 0 --db sqlite:/tmp/picco.db --faults faults/dec-8.json
 * picco serve --port 0 --clock 2020-12-08T10:00:00Z
 */
import { readFileSync } from 'node:fs';
import { EXIT, Problems, UsageError, parseFlags } from './usage.ts';

/** The real time (epoch ms) a running `--clock` is anchored to, passed from the primary to its workers. */
const CLOCK_ANCHOR_ENV = 'PICCO_CLOCK_ANCHOR_MS';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    db: { type: 'string' },
    workers: { type: 'string' },
    faults: { type: 'string' },
    clock: { type: 'string' },
    log: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    process.stdout.write('usage: picco serve [--port 8080] [--host 127.0.0.1] [--db sqlite:PATH | postgres://URL] [--workers N] [--faults FILE] [--clock INSTANT | fixed:INSTANT] [--log]\n');
    return EXIT.pass;
  }
  const problems = new Problems();
  if (positionals.length > 0) problems.add(`unexpected argument '${positionals[0]}': picco serve takes only flags`);
  const port = problems.number('--port', values.port, { min: 0, max: 65535, integer: true }) ?? 8080;
  const workers = problems.number('--workers', values.workers, { min: 1, max: 256, integer: true }) ?? 1;
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') problems.add('--host must not be empty');
  const db = values.db;
  if (db !== undefined && !/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(db)) {
    problems.add(`--db '${db}' is not sqlite:PATH or postgres://URL`);
  }
  const { workersProblem, runPrimary } = await import('../reference-server/src/cluster/primary.ts');
  const workersIssue = workersProblem(workers, db);
  if (workersIssue !== undefined) problems.add(workersIssue);
  let faults;
  if (values.faults !== undefined) {
    const { parseFaults } = await import('../reference-server/src/downstream/faults.ts');
    try {
      faults = parseFaults(readFileSync(values.faults, 'utf8'), `--faults ${values.faults}`);
    } catch (err) {
      const msg = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `--faults ${values.faults}: no such file` : (err as Error).message;
      problems.add(msg);
    }
  }
  const cluster = (await import('node:cluster')).default;
  // A forked worker takes the primary's anchor, so a running clock reads the same in every worker.
  const inherited = cluster.isWorker ? Number(process.env[CLOCK_ANCHOR_ENV]) : NaN;
  const clockAnchor = Number.isFinite(inherited) && inherited > 0 ? inherited : Date.now();
  let clock;
  if (values.clock !== undefined) {
    const { parseClock } = await import('../reference-server/src/config.ts');
    clock = parseClock(values.clock, clockAnchor);
    if (clock === undefined) {
      problems.add(`--clock '${values.clock}' is not an instant: write an ISO 8601 time with a zone (2020-12-08T10:00:00Z), a date (2020-12-08), or fixed:INSTANT to stop the clock there`);
    }
  }
  problems.throwIfAny();
  // --workers N: this process supervises N forked copies of itself (node:cluster) and prints the ready line.
  if (workers > 1 && cluster.isPrimary) {
    process.env[CLOCK_ANCHOR_ENV] = String(clockAnchor); // cluster.fork passes it on
    return runPrimary({ workers, host });
  }

  const { startServer } = await import('../reference-server/src/main.ts');
  let server;
  try {
    server = await startServer({
      port, host, ...(db !== undefined ? { db } : {}), ...(faults !== undefined ? { faults } : {}),
      ...(clock !== undefined ? { clock } : {}),
      ...(values.log === true ? { log: (line: string) => process.stderr.write(`${line}\n`) } : {}),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new UsageError([`--port ${port}: address already in use`]);
    if (e.code === 'EACCES') throw new UsageError([`--port ${port}: permission denied`]);
    if (e.code === 'PICCO_ERR_STORAGE_UNSUPPORTED') throw new UsageError([e.message]);
    if (e.code === 'SQLITE_CANTOPEN') throw new UsageError([`--db ${db ?? ''}: cannot open the database file`]);
    throw err;
  }
  process.stdout.write(`picco serve listening on ${server.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await server.close();
  // A cluster worker's IPC channel would keep it alive after the server closed.
  if (cluster.isWorker) cluster.worker?.disconnect();
  return EXIT.pass;
}
