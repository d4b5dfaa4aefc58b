/**
 * `picco serve [--port 8080] [--host 127.0.0.1] [--db sqlite:PATH | postgres://URL] [--workers N]
 * [--faults FILE] [--log]`: runs the reference server until SIGTERM/SIGINT. When ready it prints
 * exactly one line on stdout, `picco serve listening on http://127.0.0.1:<port>` (the engine parses
 * it; `--port 0` picks a free port). Bad flags and a bad faults file exit 2 naming the flag or the
 * file. `--workers N` (N > 1) needs `--db postgres://`: a node:cluster primary forks N workers
 * sharing the port (reference-server/src/cluster/primary.ts).
 *
 * @example
 * picco serve --port 0 --db sqlite:/tmp/picco.db --faults faults/dec-8.json
 */
import { readFileSync } from 'node:fs';
import { EXIT, Problems, UsageError, parseFlags } from './usage.ts';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    db: { type: 'string' },
    workers: { type: 'string' },
    faults: { type: 'string' },
    log: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    process.stdout.write('usage: picco serve [--port 8080] [--host 127.0.0.1] [--db sqlite:PATH | postgres://URL] [--workers N] [--faults FILE] [--log]\n');
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
  const { workersProblem, runPrimary } = await import('../../reference-server/src/cluster/primary.ts');
  const workersIssue = workersProblem(workers, db);
  if (workersIssue !== undefined) problems.add(workersIssue);
  let faults;
  if (values.faults !== undefined) {
    const { parseFaults } = await import('../../reference-server/src/downstream/faults.ts');
    try {
      faults = parseFaults(readFileSync(values.faults, 'utf8'), `--faults ${values.faults}`);
    } catch (err) {
      const msg = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `--faults ${values.faults}: no such file` : (err as Error).message;
      problems.add(msg);
    }
  }
  problems.throwIfAny();
  // --workers N: this process supervises N forked copies of itself (node:cluster) and prints the ready line.
  const cluster = (await import('node:cluster')).default;
  if (workers > 1 && cluster.isPrimary) return runPrimary({ workers, host });

  const { startServer } = await import('../../reference-server/src/main.ts');
  let server;
  try {
    server = await startServer({
      port, host, ...(db !== undefined ? { db } : {}), ...(faults !== undefined ? { faults } : {}),
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
